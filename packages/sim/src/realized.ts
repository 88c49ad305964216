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

/** Frames per chunk of the columns (chunks are never copied as the record grows). */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/**
 * Carried frames in columns: what a long run records without an object per frame. Per frame, its
 * send time and drawn latency (in chunks of 65,536 frames, so growing copies nothing) and its
 * route (sender, receiver and link, interned). Its due time is not stored when it is what the
 * link's FIFO order makes it, `max(sent + delay, due of the route's previous frame)` (always, for
 * a loopback network's frames); other due times are kept aside. Iterating yields each frame as a
 * {@link CarriedFrame}.
 */
export class FrameColumns implements Iterable<CarriedFrame> {
  readonly #sent: Float64Array[] = [];
  readonly #delay: Float64Array[] = [];
  readonly #route: Int32Array[] = [];
  /** Sender, receiver and link id of each route. */
  readonly routeFrom: number[] = [];
  readonly routeTo: number[] = [];
  readonly routeLink: string[] = [];
  /** Routes by link id (one per direction the link carried). */
  readonly #routesOf = new Map<string, number[]>();
  /** Due time of each route's last frame (in record order). */
  readonly #lastDue: number[] = [];
  /** Due times that are not the FIFO rule's, by frame. */
  readonly #dueAside = new Map<number, number>();
  /** Frames held. */
  size = 0;

  /** Append one frame. */
  push(frame: CarriedFrame): void {
    this.add(frame.from, frame.to, frame.link, frame.sentMs, frame.delayMs, frame.dueMs);
  }

  /** Append one frame, given field by field (no object per frame). */
  add(from: number, to: number, linkId: string, sentMs: number, delayMs: number, dueMs: number): void {
    this.addOnRoute(this.routeOf(from, to, linkId), sentMs, delayMs, dueMs);
  }

  /** Append one frame of route `r` (from {@link routeOf}). */
  addOnRoute(r: number, sentMs: number, delayMs: number, dueMs: number): void {
    const i = this.size++;
    const c = i >>> CHUNK_BITS;
    if (c === this.#sent.length) {
      this.#sent.push(new Float64Array(CHUNK));
      this.#delay.push(new Float64Array(CHUNK));
      this.#route.push(new Int32Array(CHUNK));
    }
    this.#sent[c]![i & MASK] = sentMs;
    this.#delay[c]![i & MASK] = delayMs;
    this.#route[c]![i & MASK] = r;
    const fifo = Math.max(sentMs + delayMs, this.#lastDue[r]!);
    if (dueMs !== fifo) this.#dueAside.set(i, dueMs);
    this.#lastDue[r] = dueMs;
  }

  /** Send time of frame `i`, ms. */
  sent(i: number): number {
    return this.#sent[i >>> CHUNK_BITS]![i & MASK]!;
  }

  /** Drawn latency of frame `i`, ms. */
  delay(i: number): number {
    return this.#delay[i >>> CHUNK_BITS]![i & MASK]!;
  }

  /** Route of frame `i` (an index into `routeFrom`, `routeTo`, `routeLink`). */
  route(i: number): number {
    return this.#route[i >>> CHUNK_BITS]![i & MASK]!;
  }

  /** Due time of frame `i` given the due time of its route's previous frame (in record order). */
  due(i: number, previousDue: number): number {
    const aside = this.#dueAside.size === 0 ? undefined : this.#dueAside.get(i);
    return aside ?? Math.max(this.sent(i) + this.delay(i), previousDue);
  }

  /** The route of frames from `from` to `to` on link `linkId` (made on first use). */
  routeOf(from: number, to: number, linkId: string): number {
    let routes = this.#routesOf.get(linkId);
    if (routes === undefined) {
      routes = [];
      this.#routesOf.set(linkId, routes);
    }
    for (const r of routes) if (this.routeFrom[r] === from && this.routeTo[r] === to) return r;
    const r = this.routeFrom.length;
    this.routeFrom.push(from);
    this.routeTo.push(to);
    this.routeLink.push(linkId);
    this.#lastDue.push(Number.NEGATIVE_INFINITY);
    routes.push(r);
    return r;
  }

  *[Symbol.iterator](): Iterator<CarriedFrame> {
    const lastDue = this.routeFrom.map(() => Number.NEGATIVE_INFINITY);
    for (let i = 0; i < this.size; i++) {
      const r = this.route(i);
      const dueMs = this.due(i, lastDue[r]!);
      lastDue[r] = dueMs;
      yield {
        from: this.routeFrom[r]!,
        to: this.routeTo[r]!,
        link: this.routeLink[r]!,
        sentMs: this.sent(i),
        delayMs: this.delay(i),
        dueMs,
      };
    }
  }
}

/**
 * The fields of a frame in a direction's records, {@link FIELDS} numbers a frame: send time,
 * drawn latency, the due time of the previous frame of the same link (`-Infinity` for a link's
 * first frame), and, once the direction is indexed, the smallest over this frame `j` and every
 * later one of `max(sent_{j−1} + delay_j, prevDue_j)`: the earliest landing of a message that
 * waits for frame `j`'s slot (sent just after frame `j − 1`, taking `j`'s latency), which makes
 * waiting never pay, so arrivals grow with send time (until then, the frame's own due time).
 */
const SENT = 0;
const DELAY = 1;
const PREV_DUE = 2;
const WAIT = 3;
const FIELDS = 4;

/** The frames of one link direction (all links between the pair), sorted by send time. */
interface Direction {
  /** {@link FIELDS} numbers per frame. */
  readonly rec: Float64Array;
  readonly n: number;
  /** Where the last query landed: queries come in nearly increasing send times. */
  cursor: number;
}

/**
 * Every frame grouped by link direction, in record order within each (`start[k]` to
 * `start[k + 1]` for direction number `k`), its fields side by side: copied out of the record in
 * one pass, each direction is then read in one sweep rather than frame by frame across the
 * whole record.
 */
interface DirectionGroups {
  start: Int32Array;
  /** Direction number of each `from × peers + to`. */
  of: Map<number, number>;
  /** {@link FIELDS} numbers per frame, the due time in the `WAIT` field until indexed. */
  rec: Float64Array;
  /** Each frame's route, kept only when a direction has more than one. */
  route: Int32Array | undefined;
  /** Per route, a due time, valid while `routeSeen` holds the stamp of the walk under way. */
  routeDue: Float64Array;
  routeSeen: Int32Array;
}

/**
 * Every frame the links of a run carried, indexed by link direction, answering "a message sent
 * from `a` to `b` at `d`: when does it land at the earliest?" from the delays that run drew.
 */
export class FrameLog {
  readonly #peers: number;
  readonly #cols: FrameColumns;
  /** The frames grouped by link direction; built on first use. */
  #groups: DirectionGroups | undefined;
  readonly #index = new Map<number, Direction>();

  /** A log for a run of `peers` scenario peers, over `frames` when given (recorded in any order). */
  constructor(peers: number, frames: FrameColumns = new FrameColumns()) {
    this.#peers = peers;
    this.#cols = frames;
  }

  /** Record one carried frame (in any order). */
  record(frame: CarriedFrame): void {
    this.#cols.push(frame);
    this.#groups = undefined;
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
    const { rec, n } = dir;
    // The first frame sent at or after `d`: from where the last query landed, steps doubling
    // outwards bracket it, then a binary search within the bracket finds it.
    const c = dir.cursor;
    let lo: number;
    let hi: number;
    if (c < n && rec[c * FIELDS + SENT]! < d) {
      lo = c + 1;
      hi = c + 1;
      for (let step = 1; hi < n && rec[hi * FIELDS + SENT]! < d; step *= 2) {
        lo = hi + 1;
        hi = c + 2 * step;
      }
      if (hi > n) hi = n;
    } else {
      hi = c;
      lo = c - 1;
      for (let step = 1; lo >= 0 && rec[lo * FIELDS + SENT]! >= d; step *= 2) {
        hi = lo;
        lo = c - 2 * step;
      }
      lo = lo < 0 ? 0 : lo + 1;
    }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rec[mid * FIELDS + SENT]! < d) lo = mid + 1;
      else hi = mid;
    }
    dir.cursor = lo;
    if (lo === n) return Number.POSITIVE_INFINITY;
    const at = lo * FIELDS;
    const own = Math.max(d + rec[at + DELAY]!, rec[at + PREV_DUE]!);
    return lo + 1 < n ? Math.min(own, rec[at + FIELDS + WAIT]!) : own;
  }

  #direction(from: number, to: number): Direction | undefined {
    const key = from * this.#peers + to;
    const cached = this.#index.get(key);
    if (cached !== undefined) return cached;
    this.#groups ??= this.#group();
    const g = this.#groups;
    const k = g.of.get(key);
    if (k === undefined) return undefined;
    const n = g.start[k + 1]! - g.start[k]!;
    const own = g.rec.subarray(g.start[k]! * FIELDS, g.start[k + 1]! * FIELDS);
    // Stable: frames sent at the same time keep their record order (a network that records
    // frames as they are sent needs no sorting).
    let inOrder = true;
    for (let i = 1; i < n && inOrder; i++) inOrder = own[(i - 1) * FIELDS + SENT]! <= own[i * FIELDS + SENT]!;
    // In send order, the previous frame of a link is its previous one in record order.
    const rec = inOrder ? own : sortedBySent(own, g.start[k]!, n, k + 1, g);
    // The due times are not read again: their field takes the suffix minima.
    let min = Number.POSITIVE_INFINITY;
    for (let i = n - 1; i >= 1; i--) {
      const at = i * FIELDS;
      min = Math.min(min, Math.max(rec[at - FIELDS + SENT]! + rec[at + DELAY]!, rec[at + PREV_DUE]!));
      rec[at + WAIT] = min;
    }
    if (n > 0) rec[WAIT] = min;
    const dir = { rec, n, cursor: 0 };
    this.#index.set(key, dir);
    return dir;
  }

  /**
   * The frames' fields grouped by link direction: a counting sort over the routes' directions,
   * each frame's due time (and its route's previous one) computed on the way in record order.
   */
  #group(): DirectionGroups {
    const c = this.#cols;
    const of = new Map<number, number>();
    const routes = c.routeFrom.length;
    const dirOfRoute = new Int32Array(routes);
    for (let r = 0; r < routes; r++) {
      const key = c.routeFrom[r]! * this.#peers + c.routeTo[r]!;
      let k = of.get(key);
      if (k === undefined) {
        k = of.size;
        of.set(key, k);
      }
      dirOfRoute[r] = k;
    }
    const size = c.size;
    const start = new Int32Array(of.size + 1);
    for (let i = 0; i < size; i++) start[dirOfRoute[c.route(i)]! + 1]!++;
    for (let k = 0; k < of.size; k++) start[k + 1]! += start[k]!;
    const fill = start.slice(0, of.size);
    const rec = new Float64Array(size * FIELDS);
    const links = new Int32Array(of.size);
    for (let r = 0; r < routes; r++) links[dirOfRoute[r]!]!++;
    const route = links.some((count) => count > 1) ? new Int32Array(size) : undefined;
    const lastDue = new Float64Array(routes).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < size; i++) {
      const r = c.route(i);
      const at = fill[dirOfRoute[r]!]!++ * FIELDS;
      const previous = lastDue[r]!;
      const due = c.due(i, previous);
      rec[at + SENT] = c.sent(i);
      rec[at + DELAY] = c.delay(i);
      rec[at + WAIT] = due;
      rec[at + PREV_DUE] = previous;
      if (route !== undefined) route[at / FIELDS] = r;
      lastDue[r] = due;
    }
    return { start, of, rec, route, routeDue: new Float64Array(routes), routeSeen: new Int32Array(routes) };
  }
}

/**
 * A direction's `n` frames `own` (record order, from frame `first` of the groups) sorted by send
 * time, stably, in records of their own: each frame's previous due time is then that of the frame
 * of its link placed before it (of the one link when the direction has one).
 */
function sortedBySent(
  own: Float64Array,
  first: number,
  n: number,
  stamp: number,
  g: DirectionGroups,
): Float64Array {
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => own[a * FIELDS + SENT]! - own[b * FIELDS + SENT]!);
  const rec = new Float64Array(n * FIELDS);
  for (let i = 0; i < n; i++) {
    const from = order[i]! * FIELDS;
    const at = i * FIELDS;
    const r = g.route === undefined ? 0 : g.route[first + order[i]!]!;
    rec[at + SENT] = own[from + SENT]!;
    rec[at + DELAY] = own[from + DELAY]!;
    rec[at + PREV_DUE] = g.routeSeen[r] === stamp ? g.routeDue[r]! : Number.NEGATIVE_INFINITY;
    g.routeDue[r] = own[from + WAIT]!;
    g.routeSeen[r] = stamp;
  }
  return rec;
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
