/**
 * Stores for store-restart churn: each scenario peer keeps a {@link InstantStore} (in memory,
 * every write durable the moment it is made, so virtual-time runs stay reproducible) that
 * outlives its runtime, and a restarted runtime resumes from it. Also the offline counters a run
 * sums over every runtime.
 * @internal
 */
import type { PeerStats } from '@symmetric/peer';
import type {
  PeerIdentity,
  PeerStore,
  StoredEvent,
  StoredSnapshot,
  StoredState,
  StoreScope,
  StoreStats,
  WriteTicket,
} from '@symmetric/storage';
import type { ActionLedger } from './held.js';

/**
 * A `PeerStore` in memory whose writes are durable at once (`durableTicket` is the last
 * ticket): what a simulated disk that never loses a write looks like to the runtime. It keeps
 * the resume rules of `@symmetric/storage` (first bytes of a `(source, seq)` win, `ownLastSeq`
 * survives compaction, the newest snapshot and what it has not folded in come back); it does not
 * validate its input (the runtime is its only writer) and cannot be damaged.
 * @internal
 */
export class InstantStore implements PeerStore {
  private ticket = 0;
  private identity: PeerIdentity | undefined;
  private ownLastSeq = 0;
  private readonly events = new Map<string, StoredEvent>();
  private readonly snapshots = new Map<number, StoredSnapshot>();

  constructor(readonly scope: StoreScope) {}

  get durableTicket(): WriteTicket {
    return this.ticket;
  }

  private done(): WriteTicket {
    return ++this.ticket;
  }

  private keep(event: StoredEvent): void {
    const key = `${event.seq}:${event.source}`;
    if (!this.events.has(key)) this.events.set(key, { ...event, bytes: event.bytes.slice() });
    if (event.source === this.identity?.peerId && event.seq > this.ownLastSeq) this.ownLastSeq = event.seq;
  }

  load(): Promise<StoredState> {
    const snapshot = this.newestSnapshot();
    const folded = snapshot?.frontier;
    const events = [...this.events.values()]
      .filter((e) => e.seq > (folded?.get(e.source) ?? 0))
      .sort(
        (a, b) => a.tick - b.tick || (a.source < b.source ? -1 : a.source > b.source ? 1 : a.seq - b.seq),
      );
    return Promise.resolve({
      identity: this.identity,
      snapshot,
      events,
      ownLastSeq: this.ownLastSeq,
      dropped: [],
    });
  }

  /** The snapshot a runtime resumes from (the newest), if any. */
  newestSnapshot(): StoredSnapshot | undefined {
    let snapshot: StoredSnapshot | undefined;
    for (const s of this.snapshots.values())
      if (snapshot === undefined || s.tick > snapshot.tick) snapshot = s;
    return snapshot;
  }

  setIdentity(identity: PeerIdentity): WriteTicket {
    this.identity = identity;
    return this.done();
  }

  appendOwn(event: StoredEvent): WriteTicket {
    this.keep(event);
    return this.done();
  }

  putEvents(events: readonly StoredEvent[]): WriteTicket {
    for (const e of events) this.keep(e);
    return this.done();
  }

  putSnapshot(snapshot: StoredSnapshot): WriteTicket {
    this.snapshots.set(snapshot.tick, snapshot);
    return this.done();
  }

  compact(beforeTick: number): WriteTicket {
    for (const [key, e] of this.events) if (e.tick < beforeTick) this.events.delete(key);
    let keepFrom = -1;
    for (const tick of this.snapshots.keys()) if (tick <= beforeTick && tick > keepFrom) keepFrom = tick;
    for (const tick of [...this.snapshots.keys()]) if (tick < keepFrom) this.snapshots.delete(tick);
    return this.done();
  }

  whenDurable(): Promise<void> {
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  onDurable(): () => void {
    return () => {};
  }

  onError(): () => void {
    return () => {};
  }

  stats(): StoreStats {
    return { queued: this.ticket, durableTicket: this.ticket, pending: 0, commits: this.ticket, dropped: 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Offline work of a run, summed over every runtime (see `Metrics.offline`). */
export interface OfflineMetrics {
  /** Own events stamped while the peer had no neighbour. */
  readonly eventsEmittedOffline: number;
  /**
   * Own events a re-base dropped and the peer emitted again (`offlineMerge: 'restamp'`): each
   * merges its user action back, and is not a user action of its own.
   */
  readonly eventsRestamped: number;
  /** Own events a re-base dropped and the peer gave up. */
  readonly eventsDropped: number;
  /** Runtimes that resumed from their peer's store (store-restart churn). */
  readonly resumes: number;
  /**
   * Online peers at the end whose every held event the run accounts for: applied in sight by the
   * runtime itself, or, below a snapshot it adopted, by the runtime that served it (and so on).
   * A runtime resumed from its store is not, until it adopts a snapshot.
   */
  readonly witnesses: number;
  /** The fewest user actions a witness holds, each counted once (an event or its re-stamp). */
  readonly actionsHeld: number;
  /** The most user actions one witness does not hold. */
  readonly missing: number;
  /** The most user actions one witness holds more than once (an event and its re-stamp both). */
  readonly heldTwice: number;
  /**
   * At least one witness, every witness holds every user action exactly once, and every online
   * peer knows as many events as the others (with one final hash: they hold the same).
   */
  readonly noneLost: boolean;
}

/** Sums the offline counters of runtimes as they retire. @internal */
export class OfflineTally {
  emittedOffline = 0;
  restamped = 0;
  dropped = 0;
  resumes = 0;

  /** A runtime retires with these stats. */
  add(stats: Pick<PeerStats, 'eventsEmittedOffline' | 'eventsRestamped' | 'eventsDropped'>): void {
    this.emittedOffline += stats.eventsEmittedOffline;
    this.restamped += stats.eventsRestamped;
    this.dropped += stats.eventsDropped;
  }

  /**
   * The metrics, given the run's user actions, the fewest and most events an online peer knows,
   * and what each witness applied.
   */
  metrics(
    ledger: ActionLedger,
    known: number,
    knownMax: number,
    witnesses: readonly (readonly string[])[],
  ): OfflineMetrics {
    let missing = 0;
    let heldTwice = 0;
    for (const applied of witnesses) {
      const c = ledger.check(applied);
      missing = Math.max(missing, c.missing);
      heldTwice = Math.max(heldTwice, c.twice);
    }
    return {
      eventsEmittedOffline: this.emittedOffline,
      eventsRestamped: this.restamped,
      eventsDropped: this.dropped,
      resumes: this.resumes,
      witnesses: witnesses.length,
      actionsHeld: witnesses.length === 0 ? 0 : ledger.actions - missing,
      missing,
      heldTwice,
      noneLost: witnesses.length > 0 && missing === 0 && heldTwice === 0 && known === knownMax,
    };
  }
}
