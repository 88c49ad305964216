/**
 * The realized network of one run: every frame its links carried, with the latency drawn for it,
 * and the perfect-clock lower bound computed over those delays (docs/simulator.md, "Metrics",
 * "lower bound").
 */
import {
  type EmittedEvent,
  type LowerBoundNetwork,
  type LowerBoundOptions,
  lateTicksOverJourneys,
} from './metrics.js';

/** One frame a link carried, as the network drew it. */
export interface CarriedFrame {
  /** Sending and receiving scenario peers. */
  readonly from: number;
  readonly to: number;
  /** Which link between them carried it (a link opened again after a close is another link). */
  readonly link: string;
  /** Run time it was sent at, ms. */
  readonly sentMs: number;
  /** Latency drawn for it, ms. */
  readonly delayMs: number;
  /** Run time it was due at the receiver, ms (FIFO: never before the previous frame of its link). */
  readonly dueMs: number;
}

/**
 * Carried frames in columns (typed arrays, link ids interned): what a long run records without an
 * object per frame. Iterating yields each frame as a {@link CarriedFrame}.
 */
export class FrameColumns implements Iterable<CarriedFrame> {
  /** Sending and receiving scenario peer of each frame. */
  from = new Int32Array(1024);
  to = new Int32Array(1024);
  /** Interned link id of each frame (an index into `links`). */
  link = new Int32Array(1024);
  /** Send time, drawn latency and due time of each frame, ms. */
  sent = new Float64Array(1024);
  delay = new Float64Array(1024);
  due = new Float64Array(1024);
  /** Link ids by interned number. */
  readonly links: string[] = [];
  readonly #linkIndex = new Map<string, number>();
  /** Frames held. */
  size = 0;

  /** Append one frame. */
  push(frame: CarriedFrame): void {
    this.add(frame.from, frame.to, frame.link, frame.sentMs, frame.delayMs, frame.dueMs);
  }

  /** Append one frame, given field by field (no object per frame). */
  add(from: number, to: number, linkId: string, sentMs: number, delayMs: number, dueMs: number): void {
    if (this.size === this.from.length) this.#grow();
    const i = this.size++;
    let link = this.#linkIndex.get(linkId);
    if (link === undefined) {
      link = this.links.length;
      this.links.push(linkId);
      this.#linkIndex.set(linkId, link);
    }
    this.from[i] = from;
    this.to[i] = to;
    this.link[i] = link;
    this.sent[i] = sentMs;
    this.delay[i] = delayMs;
    this.due[i] = dueMs;
  }

  #grow(): void {
    const n = this.from.length * 2;
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.from = grow(this.from, (k) => new Int32Array(k));
    this.to = grow(this.to, (k) => new Int32Array(k));
    this.link = grow(this.link, (k) => new Int32Array(k));
    this.sent = grow(this.sent, (k) => new Float64Array(k));
    this.delay = grow(this.delay, (k) => new Float64Array(k));
    this.due = grow(this.due, (k) => new Float64Array(k));
  }

  *[Symbol.iterator](): Iterator<CarriedFrame> {
    for (let i = 0; i < this.size; i++) {
      yield {
        from: this.from[i]!,
        to: this.to[i]!,
        link: this.links[this.link[i]!]!,
        sentMs: this.sent[i]!,
        delayMs: this.delay[i]!,
        dueMs: this.due[i]!,
      };
    }
  }
}

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

/**
 * Every frame the links of a run carried, indexed by link direction, answering "a message sent
 * from `a` to `b` at `d`: when does it land at the earliest?" from the delays that run drew.
 */
export class FrameLog {
  readonly #peers: number;
  readonly #cols: FrameColumns;
  /** Frame numbers by link direction (`from × peers + to`), in record order; built on first use. */
  #byDirection: Map<number, number[]> | undefined;
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
    if (this.#byDirection === undefined) {
      const by = new Map<number, number[]>();
      for (let i = 0; i < c.size; i++) {
        const k = c.from[i]! * this.#peers + c.to[i]!;
        const list = by.get(k);
        if (list === undefined) by.set(k, [i]);
        else list.push(i);
      }
      this.#byDirection = by;
    }
    const list = this.#byDirection.get(key);
    if (list === undefined) return undefined;
    // Stable: frames sent at the same time keep their record order.
    const sorted = [...list].sort((a, b) => c.sent[a]! - c.sent[b]!);
    const n = sorted.length;
    const dir: Direction = {
      sent: new Float64Array(n),
      delay: new Float64Array(n),
      prevDue: new Float64Array(n),
      suffixMinWait: new Float64Array(n),
    };
    const lastDue = new Map<number, number>();
    sorted.forEach((f, i) => {
      dir.sent[i] = c.sent[f]!;
      dir.delay[i] = c.delay[f]!;
      dir.prevDue[i] = lastDue.get(c.link[f]!) ?? Number.NEGATIVE_INFINITY;
      lastDue.set(c.link[f]!, c.due[f]!);
    });
    let min = Number.POSITIVE_INFINITY;
    for (let i = n - 1; i >= 1; i--) {
      min = Math.min(min, Math.max(dir.sent[i - 1]! + dir.delay[i]!, dir.prevDue[i]!));
      dir.suffixMinWait[i] = min;
    }
    dir.suffixMinWait[0] = min;
    this.#index.set(key, dir);
    return dir;
  }
}

/**
 * The perfect-clock lower bound's numerator over the network a run actually drew: the journeys
 * of {@link lateTicksOverJourneys} (online intervals, restarts, cuts), every hop landing when
 * {@link FrameLog.arrival} says. With perfect clocks and no overhead, no run of that network
 * and Δ rolls back less.
 */
export function realizedLateTicks(
  net: Omit<LowerBoundNetwork, 'linkMs'>,
  log: FrameLog,
  events: readonly EmittedEvent[],
  opts: LowerBoundOptions,
): number {
  return lateTicksOverJourneys(net, (_edge, from, to, d) => log.arrival(from, to, d), events, opts);
}
