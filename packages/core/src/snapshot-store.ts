/**
 * The timeline's snapshots, addressed by position (0 = oldest): the newest ones in a dense ring
 * (one every `snapshotEvery` ticks) and, when thinning is on, the older ones in a sparse ring
 * that keeps only the first snapshot of each `every`-tick window. Rollbacks mostly go back a
 * few seconds and find a dense snapshot; compaction and the rare deep rollback find a sparse
 * one at most `every` ticks earlier than a dense ring would have had. A room that keeps five
 * minutes of history then holds a few hundred snapshots of its state instead of 1,500.
 * @internal
 */
import { TimelineError } from './errors.js';
import { SnapshotRing } from './snapshot-ring.js';
import type { SnapshotThinning } from './timeline-types.js';

/** Dense and sparse snapshot rings behind one positional interface. @internal */
export class SnapshotStore<S> {
  private readonly dense: SnapshotRing<S>;
  private readonly sparse: SnapshotRing<S>;
  /** Tick of the newest sparse snapshot dropped to stay within `cap` (0 when none was). */
  private evictedSparse = 0;

  /**
   * At most `cap` snapshots in all. Snapshots are taken at multiples of `snapshotEvery`; with
   * `thinning`, those more than `thinning.afterTicks` older than the newest are kept only when
   * they are the first of their `thinning.every`-tick window.
   */
  constructor(
    readonly cap: number,
    private readonly snapshotEvery: number,
    private readonly thinning: SnapshotThinning | undefined,
  ) {
    this.dense = new SnapshotRing<S>(cap);
    this.sparse = new SnapshotRing<S>(cap);
  }

  /** Snapshots held. */
  get count(): number {
    return this.sparse.count + this.dense.count;
  }

  /**
   * Tick of the newest snapshot dropped to stay within `cap` (0 when none was): the dense ring
   * overwrites its oldest itself when the sparse one is empty; otherwise {@link push} drops the
   * sparse one's oldest first, so the sparse ring never fills and never overwrites.
   */
  get evictedTick(): number {
    const d = this.dense.evictedTick;
    return d > this.evictedSparse ? d : this.evictedSparse;
  }

  /**
   * The `NO_SNAPSHOT` error of `compact(beforeTick)` when no snapshot at or before it is held
   * any more.
   */
  noSnapshot(beforeTick: number, baseTick: number): TimelineError {
    return new TimelineError(
      'NO_SNAPSHOT',
      `compact(${beforeTick}): the snapshots reach back to tick ${this.count > 0 ? this.tickAt(0) : baseTick} only ` +
        `(snapshots up to tick ${this.evictedTick} were overwritten); snapshotEvery × maxSnapshots ` +
        `(${this.snapshotEvery} × ${this.cap}) must cover the horizon plus the compaction period`,
    );
  }

  /** Tick at position `pos`. */
  tickAt(pos: number): number {
    const s = this.sparse.count;
    return pos < s ? this.sparse.tickAt(pos) : this.dense.tickAt(pos - s);
  }

  /** State at position `pos` (the store's own copy: do not change it). */
  stateAt(pos: number): S {
    const s = this.sparse.count;
    return pos < s ? this.sparse.stateAt(pos) : this.dense.stateAt(pos - s);
  }

  /** The four PRNG words at position `pos` (a view into the store). */
  randAt(pos: number): Uint32Array {
    const s = this.sparse.count;
    return pos < s ? this.sparse.randAt(pos) : this.dense.randAt(pos - s);
  }

  /** Position of the newest snapshot with tick <= `tick`, or -1. */
  find(tick: number): number {
    const d = this.dense.find(tick);
    return d >= 0 ? d + this.sparse.count : this.sparse.find(tick);
  }

  /** Keep positions 0..pos only (drop newer snapshots). */
  keepThrough(pos: number): void {
    const s = this.sparse.count;
    if (pos < s) {
      this.sparse.keepThrough(pos);
      this.dense.keepThrough(-1);
    } else this.dense.keepThrough(pos - s);
  }

  /** Drop positions 0..pos (older snapshots); the rest move down. */
  dropThrough(pos: number): void {
    if (pos < 0) return;
    const s = this.sparse.count;
    if (pos < s) this.sparse.dropThrough(pos);
    else {
      this.sparse.dropThrough(s - 1);
      this.dense.dropThrough(pos - s);
    }
  }

  /** Put `state` at position `pos`, returning the state it held (to reuse its storage). */
  swapState(pos: number, state: S): S {
    const s = this.sparse.count;
    return pos < s ? this.sparse.swapState(pos, state) : this.dense.swapState(pos - s, state);
  }

  /**
   * Add a snapshot at `tick` (newer than every one held). `copy(reuse)` makes the state (it may
   * reuse a dropped snapshot's state), `saveRand(words, offset)` writes the PRNG words. With
   * thinning, snapshots now more than `afterTicks` older than `tick` move to the sparse ring or
   * go.
   */
  push(
    tick: number,
    copy: (reuse: S | undefined) => S,
    saveRand: (words: Uint32Array, offset: number) => void,
  ): void {
    const sparse = this.sparse;
    if (this.count >= this.cap && sparse.count > 0) {
      const t = sparse.tickAt(0);
      if (t > this.evictedSparse) this.evictedSparse = t;
      sparse.dropThrough(0);
    }
    const dense = this.dense;
    dense.push(tick, copy, saveRand);
    const thinning = this.thinning;
    if (thinning === undefined) return;
    const limit = tick - thinning.afterTicks;
    const every = thinning.every;
    const step = this.snapshotEvery;
    while (dense.count > 1 && dense.tickAt(0) < limit) {
      const t = dense.tickAt(0);
      // The first snapshot of its window: the one before it (snapshotEvery earlier) is not in it.
      if (t % every < step) dense.moveOldestTo(sparse);
      else dense.dropThrough(0);
    }
  }
}
