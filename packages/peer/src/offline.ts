/**
 * Offline work: own events stamped without a neighbour are counted and kept (payloads and
 * seqs) until the room has taken them: every neighbour announces holding them after the peer
 * has had neighbours for two horizons. A re-base on another history (a snapshot adopted) drops the own
 * events it neither folded in nor can take any more (stamped before its tick: the room moved
 * on past them); the `offlineMerge` policy merges them back: emitted again at the current tick
 * in their original order (`'restamp'`, the default), given up (`'drop'`), or what the app's
 * function returns. With full history nothing is ever dropped, and nothing is kept.
 * @internal
 */
import type { TimelineEvent } from '@symmetric/core';
import type { PeerContext } from './context.js';
import { PeerError } from './errors.js';
import type { OfflineMerge } from './types.js';

/** What the offline merge needs of the rest of the peer. @internal */
export interface OfflineHost<E> {
  /** Stamp and send a new own event. */
  emit(payload: E): void;
  /** The timeline's tick. */
  tick(): number;
  /** The highest own seq every neighbour announced holding (0 without neighbours). */
  roomHolds(): number;
}

/** Offline counters, the own events emitted offline, and the merge policy. @internal */
export class OfflineWork<S, E> {
  /** Own events stamped while alone, in seq order, not yet known to be taken by the room. */
  private kept: TimelineEvent<E>[] = [];
  /** The tick since when the peer has had neighbours (undefined while alone). */
  private connectedSince: number | undefined;

  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly policy: OfflineMerge<E>,
    private readonly host: OfflineHost<E>,
  ) {}

  /** Own events emitted offline and kept for a possible re-base. */
  get keptCount(): number {
    return this.kept.length;
  }

  /** An own event was stamped. */
  stamped(event: TimelineEvent<E>): void {
    if (this.ctx.neighbours().length > 0) return;
    this.ctx.stats.eventsEmittedOffline++;
    if (this.ctx.options.horizonTicks !== undefined) this.kept.push(event);
  }

  /** Periodic: forget kept events every neighbour holds, once the peer has had neighbours for two horizons. */
  housekeeping(): void {
    const horizon = this.ctx.options.horizonTicks;
    if (this.ctx.neighbours().length === 0 || horizon === undefined) {
      this.connectedSince = undefined;
      return;
    }
    const tick = this.host.tick();
    this.connectedSince ??= tick;
    if (this.kept.length > 0 && tick - this.connectedSince > 2 * horizon) {
      const holds = this.host.roomHolds();
      this.kept = this.kept.filter((e) => e.seq > holds);
    }
  }

  /**
   * A snapshot (at `snapshotTick`, own seqs folded in up to `foldedSeq`) was adopted: `lost` are
   * own events the new timeline refused (too old); kept offline events it neither folded in nor
   * can take (stamped before its tick) are lost too. Merge them back by the policy, in seq order.
   */
  rebased(lost: readonly TimelineEvent<E>[], snapshotTick: number, foldedSeq: number): void {
    const bySeq = new Map<number, TimelineEvent<E>>();
    for (const e of this.kept) if (e.seq > foldedSeq && e.tick < snapshotTick) bySeq.set(e.seq, e);
    for (const e of lost) bySeq.set(e.seq, e);
    this.kept = this.kept.filter((e) => e.seq > foldedSeq && !bySeq.has(e.seq));
    if (bySeq.size === 0) return;
    const events = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    let again: readonly E[];
    const policy = this.policy;
    if (policy === 'restamp') again = events.map((e) => e.payload);
    else if (policy === 'drop') again = [];
    else {
      try {
        again = policy(events);
      } catch (error) {
        this.ctx.report(
          new PeerError('INTERNAL', `offlineMerge threw: ${String(error)}; the events are dropped`, {
            cause: error,
          }),
        );
        again = [];
      }
    }
    this.ctx.stats.eventsDropped += Math.max(0, events.length - again.length);
    this.ctx.stats.eventsRestamped += Math.min(events.length, again.length);
    for (const payload of again) this.host.emit(payload);
  }
}
