/**
 * What a timeline's history holds, read from its event log: which events it holds or folded,
 * per source, what compaction forgot, and the history's prints. {@link Timeline} extends it.
 * @internal
 */
import type { EventLog } from './event-log.js';
import type { HistoryPrint, TimelineEvent } from './timeline-types.js';

/** The read side of a timeline's event history (see {@link Timeline}). */
export class TimelineHistory<E> {
  /** The timeline's event log. @internal */
  protected readonly log: EventLog<E>;

  /** `log`: the timeline's event log. @internal */
  protected constructor(log: EventLog<E>) {
    this.log = log;
  }

  /** True if the event `(source, seq)` is held or folded into the base snapshot. */
  has(source: string, seq: number): boolean {
    return this.log.has(source, seq);
  }

  /** Per source, the highest seq up to which every seq is held or folded (a copy; 0s absent). */
  frontier(): ReadonlyMap<string, number> {
    return this.log.frontier();
  }

  /** Seqs of `source` held or folded (not given up): ascending `[from, to]` pairs, at most `maxPairs`. */
  heldRanges(source: string, maxPairs = Number.POSITIVE_INFINITY): number[] {
    return this.log.heldRanges(source, maxPairs);
  }

  /** The highest seq held or folded from `source` (0 if none). */
  maxSeq(source: string): number {
    return this.log.maxSeq(source);
  }

  /** Tick of `source`'s newest event if all of it is folded into the base, else `undefined`. */
  quietSince(source: string): number | undefined {
    return this.log.quietSince(source);
  }

  /**
   * Held events of `source` with `fromSeq <= seq <= toSeq`, by seq (compacted, missing: skipped).
   * An event inserted as an object with fields beyond `source`, `seq`, `tick` and `payload` (a
   * re-stamp, or a host's own such as a signature) comes back as that very object; any other
   * comes back as a new `{ source, seq, tick, payload }` equal to the one inserted (the timeline
   * holds such events in columns, not as objects).
   */
  eventsFrom(source: string, fromSeq: number, toSeq: number): TimelineEvent<E>[] {
    return this.log.eventsFrom(source, fromSeq, toSeq);
  }

  /**
   * Events folded into the base since the history began (those of a joiner's snapshot
   * included), whatever sources were forgotten since: with the events held, the history's size.
   */
  get foldedEvents(): number {
    return this.log.folded;
  }

  /** Event identities of every source this history forgot, summed (see `TimelineSnapshot.forgottenIds`). */
  get forgottenIds(): number {
    return this.log.forgottenIds;
  }

  /**
   * The history's prints at the newest marks (multiples of `printEvery`) its base passed, oldest
   * first, at most 64: see {@link HistoryPrint}. Empty without `printEvery`, and after joining
   * from a snapshot that carried none.
   */
  prints(): readonly HistoryPrint[] {
    return this.log.prints();
  }

  /** The newest-event tick before which `forgetSourcesAfter` forgets a source at base `baseTick`. */
  forgetBound(baseTick: number): number {
    return this.log.forgetBound(baseTick);
  }

  /**
   * Drop what `keepForgottenFor` keeps of the forgotten sources `gone` says will never come
   * back (their folded frontier, listed in the base snapshot for an offline merge of theirs):
   * e.g. an incarnation a newer one of the same peer replaced. Returns how many were dropped.
   */
  dropForgotten(gone: (source: string) => boolean): number {
    return this.log.dropRetired(gone);
  }

  /**
   * Let go of the slots this timeline holds in its `sourceSlots` registry, when dropping a
   * timeline whose registry lives on (a host's, shared): every source's log goes, so use the
   * timeline no more (it would answer as if it held nothing of any source but its events by
   * tick). Calling it again does nothing. With the timeline's own registry there is no need.
   */
  releaseSources(): void {
    this.log.releaseSources();
  }

  /** How many forgotten sources the base still lists (see `keepForgottenFor`). */
  get forgottenKept(): number {
    return this.log.retiredCount;
  }

  /** The sources the last {@link compact} forgot, once each: `[source, frontier, newest tick, ids held]`. */
  drainForgotten(): (readonly [source: string, seq: number, lastTick: number, ids: number])[] {
    return this.log.drainForgotten();
  }
}
