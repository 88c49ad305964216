/**
 * The ticks ahead of the simulation that hold events, so a tick without any costs the event log
 * no lookup in its map of buckets (thousands of ticks per peer once it holds a long history): a
 * min-heap of the ticks at or after a point that moves up as ticks are read in order. Only the
 * events scheduled ahead of the present are in it (a handful: those within the room's delay);
 * a tick before the point (a re-simulation after a rollback) is answered "maybe", and the log
 * reads its map as before.
 * @internal
 */

/**
 * Ticks at or after a point that may hold events (every one that does, maybe more). `add` each
 * tick that gets its first event; `mayHold(t)` before reading the events of `t`. @internal
 */
export class AheadTicks {
  /** A binary min-heap of ticks at or after {@link from} (possibly some before it, stale). */
  private readonly heap: number[] = [];
  /** Every tick at or after this one that holds events is in {@link heap}. */
  private from = 0;

  /** Ticks in the heap (some may be behind the point, dropped at the next read). */
  get size(): number {
    return this.heap.length;
  }

  /** The point: every tick at or after it that holds events has been added. */
  get point(): number {
    return this.from;
  }

  /**
   * The first tick at or after the point that may hold events (`+∞` when none does): the ticks
   * from the point up to it hold none.
   */
  get next(): number {
    const h = this.heap;
    return h.length > 0 ? h[0]! : Number.POSITIVE_INFINITY;
  }

  /** `tick` got its first event (a tick already added, or behind the point, may be given again). */
  add(tick: number): void {
    if (tick < this.from) return;
    const h = this.heap;
    let i = h.length;
    h.push(tick);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (p <= tick) break;
      h[i] = p;
      i = parent;
    }
    h[i] = tick;
  }

  /**
   * `false` when `tick` holds no event for sure, `true` when it may (the log then reads its map).
   * A tick at or after the point moves the point past it: the ticks read next are expected in
   * ascending order, and one behind the point is always answered `true`.
   */
  mayHold(tick: number): boolean {
    if (tick < this.from) return true;
    this.from = tick + 1;
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      if (top > tick) return false;
      this.pop();
      if (top === tick) {
        // A tick added twice comes off at the next read.
        return true;
      }
    }
    return false;
  }

  /** Remove the heap's smallest tick. */
  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]! < h[l]! ? r : l;
      const v = h[c]!;
      if (v >= last) break;
      h[i] = v;
      i = c;
    }
    h[i] = last;
  }
}
