/**
 * What every conformance check gets: the harness, a scope, and stores it opens (closed after
 * the check), plus helpers to make identities and events.
 */
import type { BatchOptions, PeerIdentity, PeerStore, StoredEvent, StoreScope } from '../types.js';
import type { StoreHarness } from './harness.js';

/** One conformance check: a name and an async body that throws when the store misbehaves. */
export interface StoreCheck {
  /** The group it belongs to (basics, snapshots, compaction, durability, scope, integrity, properties). */
  readonly group: string;
  /** What it checks. */
  readonly name: string;
  /** Runs it; rejects with the first failed expectation. */
  run(): Promise<void>;
}

/** The scope every check's stores use (checks of other scopes derive from it). */
export const SCOPE: StoreScope = { room: 'conformance-room', appId: 'conformance-app' };

/** The peer id of the checks' own identity. */
export const ME = 'peer-me';

/** Per-check state: the stores it opened, closed when it ends. */
export class CheckContext {
  private readonly stores: PeerStore[] = [];

  constructor(readonly harness: StoreHarness) {}

  /** A fresh location. */
  async location(): Promise<string> {
    return this.harness.location();
  }

  /** Opens the store at `location` (a fresh one when omitted), closed at the end of the check. */
  async open(location?: string, options?: BatchOptions, scope: StoreScope = SCOPE): Promise<PeerStore> {
    const at = location ?? (await this.location());
    const store = await this.harness.open(at, scope, options);
    this.stores.push(store);
    return store;
  }

  /** Closes every store the check opened (errors ignored), then runs the harness cleanup. */
  async finish(): Promise<void> {
    for (const s of this.stores) await s.close().catch(() => {});
    await this.harness.cleanup?.();
  }
}

/** The checks' identity (peer {@link ME} of {@link SCOPE}). */
export function identity(incarnation = 0, peerId = ME, key = true): PeerIdentity {
  const base = { room: SCOPE.room, appId: SCOPE.appId, peerId, incarnation };
  if (!key) return base;
  const publicKey = new Uint8Array(32).map((_, i) => i);
  const privateKey = new Uint8Array(64).map((_, i) => 255 - i);
  return { ...base, key: { publicKey, privateKey } };
}

/** An event with bytes derived from its key (or `bytes`). */
export function event(source: string, seq: number, tick: number, bytes?: Uint8Array): StoredEvent {
  return { source, seq, tick, bytes: bytes ?? Uint8Array.of(seq & 255, tick & 255, source.length & 255, 7) };
}

/** Sorts events by `(tick, source, seq)`, the order `load()` returns them in. */
export function ordered(events: readonly StoredEvent[]): StoredEvent[] {
  return [...events].sort((a, b) =>
    a.tick !== b.tick
      ? a.tick - b.tick
      : a.source !== b.source
        ? a.source < b.source
          ? -1
          : 1
        : a.seq - b.seq,
  );
}

/** Waits for a few turns of the event loop (timers included). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

declare function setTimeout(fn: (value: unknown) => void, ms: number): unknown;
