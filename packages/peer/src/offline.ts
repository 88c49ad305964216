/**
 * Offline work: own events stamped without a neighbour are counted and kept (payloads and
 * seqs) until the room has taken them: every neighbour announces holding them after the peer
 * has had neighbours for two horizons. Own events stamped with neighbours (who may be cut off
 * from the room too) are kept for eight horizons. A re-base on another history (a snapshot adopted) drops the own
 * events it neither folded in nor can take any more (stamped before its tick: the room moved
 * on past them; those it might still take are decided once the base passed them); the
 * `offlineMerge` policy merges them back: emitted again at the current tick
 * in their original order (`'restamp'`, the default), given up (`'drop'`), or what the app's
 * function returns. Events a re-base kept (folded in, or taken) stay kept: the adopted history
 * may itself be replaced by one that lacks them before the room settles on one. An event counts
 * as held when the history holds it or an earlier stamp of its user action (a re-stamp's
 * original), so a user action is merged back once per history that lacks it, never again by a
 * history that holds it under another seq. With full history nothing is ever dropped, and
 * nothing is kept.
 * @internal
 */
import type { TimelineEvent } from '@symmetric/core';
import type { PeerContext } from './context.js';
import { PeerError } from './errors.js';
import type { OfflineMerge } from './types.js';

/**
 * Own events stamped with neighbours are kept this many horizons: a group cut off from the room
 * together (its peers each other's neighbours) merges back within that time. Timelines list a
 * forgotten source's folded frontier in their base as long (counted from the base), so a peer
 * re-basing on a snapshot knows which of its own events the history folded.
 * @internal
 */
export const KEPT_OWN_HORIZONS = 8;

/** What the offline merge needs of the rest of the peer. @internal */
export interface OfflineHost<E> {
  /** Stamp and send a new own event. */
  emit(payload: E, restamps?: number): void;
  /** The timeline's tick. */
  tick(): number;
  /** The highest own seq every neighbour announced holding (0 without neighbours). */
  roomHolds(): number;
  /** The timeline's base tick, and whether it holds (or folded in) own `seq`. */
  settled(seq: number): { readonly base: number; readonly holds: boolean };
}

/** Offline counters, the own events emitted offline, and the merge policy. @internal */
export class OfflineWork<S, E> {
  /** Own events that a re-base might drop, in seq order, each with whether it was stamped alone. */
  private kept: { readonly event: TimelineEvent<E>; readonly alone: boolean }[] = [];
  /**
   * Own events a re-base dropped that the adopted history may still take (stamped at or after
   * its snapshot's tick: a peer that holds them may pass them on), merged once the base passed
   * them without them.
   */
  private undecided: TimelineEvent<E>[] = [];
  /**
   * Per kept or undecided re-stamp (by seq): the seqs of the earlier stamps of its user action,
   * newest first (the event it re-stamps, that one's original, ...).
   */
  private readonly origins = new Map<number, readonly number[]>();
  /** The tick since when the peer has had neighbours (undefined while alone). */
  private connectedSince: number | undefined;
  /**
   * No kept event is forgotten before this tick (`-Infinity`: look at them all at the next round,
   * as while some were stamped alone: what the room holds may change at any time).
   */
  private keptUntil = Number.NEGATIVE_INFINITY;

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
    const alone = this.ctx.neighbours().length === 0;
    if (alone) this.ctx.stats.eventsEmittedOffline++;
    const horizon = this.ctx.options.horizonTicks;
    if (horizon === undefined) return;
    if (event.restamps !== undefined)
      this.origins.set(event.seq, [event.restamps, ...(this.origins.get(event.restamps) ?? [])]);
    this.kept.push({ event, alone });
    this.keptUntil = alone
      ? Number.NEGATIVE_INFINITY
      : Math.min(this.keptUntil, event.tick + KEPT_OWN_HORIZONS * horizon + 1);
  }

  /**
   * Periodic: forget kept events stamped alone that every neighbour holds, once the peer has had
   * neighbours for two horizons, and those stamped with neighbours eight horizons on.
   */
  housekeeping(): void {
    const horizon = this.ctx.options.horizonTicks;
    if (horizon === undefined) return;
    if (this.undecided.length > 0) this.decide();
    if (this.ctx.neighbours().length === 0) {
      this.connectedSince = undefined;
      return;
    }
    const tick = this.host.tick();
    this.connectedSince ??= tick;
    if (this.kept.length === 0) return;
    // Events stamped with neighbours go at fixed ticks: nothing to look at before the first.
    if (tick < this.keptUntil) return;
    const connected = tick - this.connectedSince > 2 * horizon;
    const kept = this.kept;
    // What the room holds is read only for events stamped alone (it asks every neighbour).
    let alone = false;
    for (let r = 0; r < kept.length && !alone; r++) alone = kept[r]!.alone;
    const holds = connected && alone ? this.host.roomHolds() : 0;
    const span = KEPT_OWN_HORIZONS * horizon;
    const oldest = tick - span;
    // In place: this runs every housekeeping round and usually keeps every event.
    let w = 0;
    let until = Number.POSITIVE_INFINITY;
    for (let r = 0; r < kept.length; r++) {
      const k = kept[r]!;
      if (k.alone ? k.event.seq > holds : k.event.tick >= oldest) {
        kept[w++] = k;
        until = Math.min(until, k.alone ? Number.NEGATIVE_INFINITY : k.event.tick + span + 1);
      } else this.origins.delete(k.event.seq);
    }
    if (w < kept.length) kept.length = w;
    this.keptUntil = until;
  }

  /**
   * A snapshot (at `snapshotTick`, own seqs folded in up to `foldedSeq` but those in the
   * `skipped` [from, to] pairs, given up by the room as too old) was adopted: `lost` are own
   * events the re-base dropped; kept events it neither folded in nor can take (stamped before
   * its tick) are lost too, unless it folded in an earlier stamp of their user action. Those
   * stamped before its tick are merged back by the policy now, in seq order; the others stay
   * undecided until the base passes them (the adopted history may still take them from a peer
   * that holds them): merged then if it did not. Kept events it folded in or took stay kept: a
   * later re-base may land on a history that lacks them.
   */
  rebased(
    lost: readonly TimelineEvent<E>[],
    snapshotTick: number,
    foldedSeq: number,
    skipped: readonly number[] = [],
  ): void {
    const foldedOne = (seq: number): boolean => {
      if (seq > foldedSeq) return false;
      for (let i = 0; i + 1 < skipped.length; i += 2)
        if (seq >= skipped[i]! && seq <= skipped[i + 1]!) return false;
      return true;
    };
    // Folded in, itself or under an earlier stamp of its user action.
    const folded = (seq: number): boolean =>
      foldedOne(seq) || (this.origins.get(seq)?.some(foldedOne) ?? false);
    const bySeq = new Map<number, TimelineEvent<E>>();
    for (const { event: e } of this.kept) if (!folded(e.seq) && e.tick < snapshotTick) bySeq.set(e.seq, e);
    for (const e of lost) {
      if (folded(e.seq)) continue;
      if (e.tick < snapshotTick) bySeq.set(e.seq, e);
      else if (!this.undecided.some((u) => u.seq === e.seq)) this.undecided.push(e);
    }
    const settled: TimelineEvent<E>[] = [];
    this.undecided = this.undecided.filter((e) => {
      if (bySeq.has(e.seq)) return false;
      if (!folded(e.seq)) return true;
      settled.push(e);
      return false;
    });
    const undecided = new Set(this.undecided.map((e) => e.seq));
    this.kept = this.kept.filter((k) => !bySeq.has(k.event.seq) && !undecided.has(k.event.seq));
    // Undecided events this history folded in go back to the kept ones (a later re-base may
    // lack them).
    this.keep(settled);
    this.keptUntil = Number.NEGATIVE_INFINITY; // looked at again at the next round
    this.merge([...bySeq.values()]);
  }

  /**
   * Undecided events the base passed: those it did not take (nor an earlier stamp of their user
   * action) are merged back, the rest kept again.
   */
  private decide(): void {
    const gone: TimelineEvent<E>[] = [];
    const held: TimelineEvent<E>[] = [];
    this.undecided = this.undecided.filter((e) => {
      const { base, holds } = this.host.settled(e.seq);
      if (e.tick >= base) return true;
      const stands = holds || (this.origins.get(e.seq)?.some((s) => this.host.settled(s).holds) ?? false);
      (stands ? held : gone).push(e);
      return false;
    });
    this.keep(held);
    this.merge(gone);
  }

  /** Keep `events` again (stamped with neighbours), in seq order with the others. */
  private keep(events: readonly TimelineEvent<E>[]): void {
    if (events.length === 0) return;
    for (const event of events) this.kept.push({ event, alone: false });
    this.kept.sort((a, b) => a.event.seq - b.event.seq);
    this.keptUntil = Number.NEGATIVE_INFINITY;
  }

  /** Merge own events a re-base dropped back by the policy, in seq order. */
  private merge(dropped: readonly TimelineEvent<E>[]): void {
    if (dropped.length === 0) return;
    const events = [...dropped].sort((a, b) => a.seq - b.seq);
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
    // One event for each dropped one (the default, or a policy mapping them one to one): each
    // names the event it stands for, so a history that ends up holding both applies one.
    const named = again.length === events.length;
    for (let k = 0; k < again.length; k++) {
      const e = events[k]!;
      this.host.emit(again[k]!, named && e.source === this.ctx.source ? e.seq : undefined);
    }
    // Each re-stamp took over its original's earlier stamps (see stamped).
    for (const e of events) this.origins.delete(e.seq);
  }
}
