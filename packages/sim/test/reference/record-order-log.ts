/**
 * Arrivals over the realized network's frames read through the record: each link direction's
 * frames found by number in the record's columns, frame by frame (the straightforward index,
 * kept as the reference the `FrameLog` of `src/realized.ts` must agree with).
 */
import { type CarriedFrame, FrameColumns } from '../../src/frame-columns.js';

/** The frames of one link direction (all links between the pair), sorted by send time. */
interface Direction {
  sent: Float64Array;
  delay: Float64Array;
  /** Due time of the previous frame of the same link (`-Infinity` for a link's first frame). */
  prevDue: Float64Array;
  /**
   * Smallest, over this frame `j` and every later one, of `max(sent_{j-1} + delay_j, prevDue_j)`:
   * the earliest landing of a message that waits for frame `j`'s slot (sent just after frame
   * `j − 1`, taking `j`'s latency). Makes waiting never pay, so arrivals grow with send time.
   */
  suffixMinWait: Float64Array;
}

/** Frame numbers grouped by link direction (see `FrameLog.#group`), and scratch per route. */
interface DirectionGroups {
  order: Int32Array;
  start: Int32Array;
  of: Map<number, number>;
  /** Per route, a due time, valid while `routeSeen` holds the stamp of the walk under way. */
  routeDue: Float64Array;
  routeSeen: Int32Array;
}

/**
 * Every frame the links of a run carried, indexed by link direction, answering "a message sent
 * from `a` to `b` at `d`: when does it land at the earliest?" from the delays that run drew.
 */
export class RecordOrderLog {
  readonly #peers: number;
  readonly #cols: FrameColumns;
  /**
   * Frame numbers grouped by link direction, in record order (`#start[k]` to `#start[k + 1]` for
   * direction number `k`), and the direction number of each `from × peers + to`; built on first use.
   */
  #byDirection: DirectionGroups | undefined;
  readonly #index = new Map<number, Direction>();

  /** A log for a run of `peers` scenario peers, over `frames` when given (recorded in any order). */
  constructor(peers: number, frames: FrameColumns = new FrameColumns()) {
    this.#peers = peers;
    this.#cols = frames;
  }

  /** Record one carried frame (in any order). */
  record(frame: CarriedFrame): void {
    this.#cols.push(frame);
    this.#byDirection = undefined;
    this.#index.clear();
  }

  /** Frames recorded. */
  get size(): number {
    return this.#cols.size;
  }

  /**
   * The earliest a message sent from `from` to `to` at `d` lands: it can only have travelled in
   * a frame the link carried at or after `d`. Taking the first such frame `k`, it lands at
   * `max(d + delay_k, due of the frame before k on k's link)` (its drawn latency, FIFO behind
   * what was already in flight), or, waiting for a later frame `j`'s slot, at
   * `max(sent_{j−1} + delay_j, due of the frame before j on j's link)` if that is earlier.
   * Never later than any frame sent at or after `d` actually landed, so no run delivers
   * earlier; non-decreasing in `d`. `Infinity` when the link carried nothing at or after `d`.
   */
  arrival(from: number, to: number, d: number): number {
    const dir = this.#direction(from, to);
    if (dir === undefined) return Number.POSITIVE_INFINITY;
    const sent = dir.sent;
    let lo = 0;
    let hi = sent.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sent[mid]! < d) lo = mid + 1;
      else hi = mid;
    }
    if (lo === sent.length) return Number.POSITIVE_INFINITY;
    const own = Math.max(d + dir.delay[lo]!, dir.prevDue[lo]!);
    return lo + 1 < sent.length ? Math.min(own, dir.suffixMinWait[lo + 1]!) : own;
  }

  #direction(from: number, to: number): Direction | undefined {
    const key = from * this.#peers + to;
    const cached = this.#index.get(key);
    if (cached !== undefined) return cached;
    const c = this.#cols;
    this.#byDirection ??= this.#group();
    const { order, start, of, routeDue, routeSeen } = this.#byDirection;
    const k = of.get(key);
    if (k === undefined) return undefined;
    const n = start[k + 1]! - start[k]!;
    const frames = order.subarray(start[k]!, start[k + 1]!);
    // Per route of this direction, the due time of its last frame: `routeDue[r]` is valid while
    // `routeSeen[r]` is this direction's number (one array for every direction, no map per frame).
    const stamp = k + 1;
    const previous = (r: number): number =>
      routeSeen[r] === stamp ? routeDue[r]! : Number.NEGATIVE_INFINITY;
    // Due times follow each route's frames in record order.
    const due = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const f = frames[i]!;
      const r = c.route(f);
      due[i] = c.due(f, previous(r));
      routeDue[r] = due[i]!;
      routeSeen[r] = stamp;
    }
    // Stable: frames sent at the same time keep their record order (a network that records
    // frames as they are sent needs no sorting).
    let inOrder = true;
    for (let i = 1; i < n && inOrder; i++) inOrder = c.sent(frames[i - 1]!) <= c.sent(frames[i]!);
    let sorted: number[] | undefined;
    if (!inOrder) {
      sorted = Array.from({ length: n }, (_, i) => i);
      sorted.sort((a, b) => c.sent(frames[a]!) - c.sent(frames[b]!));
    }
    const dir: Direction = {
      sent: new Float64Array(n),
      delay: new Float64Array(n),
      prevDue: new Float64Array(n),
      suffixMinWait: new Float64Array(n),
    };
    const again = -stamp; // the same arrays, read afresh for the second walk
    for (let i = 0; i < n; i++) {
      const j = sorted === undefined ? i : sorted[i]!;
      const f = frames[j]!;
      const r = c.route(f);
      dir.sent[i] = c.sent(f);
      dir.delay[i] = c.delay(f);
      dir.prevDue[i] = routeSeen[r] === again ? routeDue[r]! : Number.NEGATIVE_INFINITY;
      routeDue[r] = due[j]!;
      routeSeen[r] = again;
    }
    let min = Number.POSITIVE_INFINITY;
    for (let i = n - 1; i >= 1; i--) {
      min = Math.min(min, Math.max(dir.sent[i - 1]! + dir.delay[i]!, dir.prevDue[i]!));
      dir.suffixMinWait[i] = min;
    }
    dir.suffixMinWait[0] = min;
    this.#index.set(key, dir);
    return dir;
  }

  /** Frame numbers grouped by link direction (a counting sort over the routes' directions). */
  #group(): DirectionGroups {
    const c = this.#cols;
    const of = new Map<number, number>();
    const dirOfRoute = new Int32Array(c.routeFrom.length);
    for (let r = 0; r < c.routeFrom.length; r++) {
      const key = c.routeFrom[r]! * this.#peers + c.routeTo[r]!;
      let k = of.get(key);
      if (k === undefined) {
        k = of.size;
        of.set(key, k);
      }
      dirOfRoute[r] = k;
    }
    const start = new Int32Array(of.size + 1);
    for (let i = 0; i < c.size; i++) start[dirOfRoute[c.route(i)]! + 1]!++;
    for (let k = 0; k < of.size; k++) start[k + 1]! += start[k]!;
    const fill = start.slice(0, of.size);
    const order = new Int32Array(c.size);
    for (let i = 0; i < c.size; i++) order[fill[dirOfRoute[c.route(i)]!]!++] = i;
    const routes = c.routeFrom.length;
    return { order, start, of, routeDue: new Float64Array(routes), routeSeen: new Int32Array(routes) };
  }
}
