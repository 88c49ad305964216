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

/** Initial capacity of a route's columns (they grow by half as they fill). */
const INITIAL_CAPACITY = 16;

/** The columns of one route: its frames in record order. */
interface RouteColumns {
  sent: Float64Array;
  delay: Float64Array;
  /** Each frame's number in the whole record (its record order across routes). */
  index: Uint32Array;
  count: number;
}

/**
 * Carried frames in columns: what a long run records without an object per frame. Per route
 * (sender, receiver and link, interned), its frames' send times, drawn latencies and numbers in
 * the whole record, in record order (20 bytes a frame, each route's frames side by side, so a
 * link direction's frames are read in one sweep). A frame's due time is not stored when it is
 * what the link's FIFO order makes it, `max(sent + delay, due of the route's previous frame)`
 * (always, for a loopback network's frames); other due times are kept aside. Iterating yields
 * each frame as a {@link CarriedFrame}, in record order.
 */
export class FrameColumns implements Iterable<CarriedFrame> {
  readonly #routes: RouteColumns[] = [];
  /** Sender, receiver and link id of each route. */
  readonly routeFrom: number[] = [];
  readonly routeTo: number[] = [];
  readonly routeLink: string[] = [];
  /** Routes by link id (one per direction the link carried). */
  readonly #routesOf = new Map<string, number[]>();
  /** Due time of each route's last frame (in record order). */
  readonly #lastDue: number[] = [];
  /** Due times that are not the FIFO rule's, by frame number. */
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
    const cols = this.#routes[r]!;
    const k = cols.count++;
    if (k === cols.sent.length) grow(cols);
    cols.sent[k] = sentMs;
    cols.delay[k] = delayMs;
    cols.index[k] = i;
    const fifo = Math.max(sentMs + delayMs, this.#lastDue[r]!);
    if (dueMs !== fifo) this.#dueAside.set(i, dueMs);
    this.#lastDue[r] = dueMs;
  }

  /**
   * Frames of route `r` in record order: the first `count` entries of its columns (read only;
   * the columns are replaced as the route grows).
   */
  routeFrames(r: number): Readonly<RouteColumns> {
    return this.#routes[r]!;
  }

  /** The due time of frame number `i` when it is not the FIFO rule's, else `undefined`. */
  dueAside(i: number): number | undefined {
    return this.#dueAside.size === 0 ? undefined : this.#dueAside.get(i);
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
    this.#routes.push({
      sent: new Float64Array(INITIAL_CAPACITY),
      delay: new Float64Array(INITIAL_CAPACITY),
      index: new Uint32Array(INITIAL_CAPACITY),
      count: 0,
    });
    routes.push(r);
    return r;
  }

  *[Symbol.iterator](): Iterator<CarriedFrame> {
    const routes = this.#routes;
    const routeOfFrame = new Int32Array(this.size);
    for (let r = 0; r < routes.length; r++) {
      const { index, count } = routes[r]!;
      for (let k = 0; k < count; k++) routeOfFrame[index[k]!] = r;
    }
    const next = new Int32Array(routes.length);
    const lastDue = this.routeFrom.map(() => Number.NEGATIVE_INFINITY);
    for (let i = 0; i < this.size; i++) {
      const r = routeOfFrame[i]!;
      const cols = routes[r]!;
      const k = next[r]!++;
      const sentMs = cols.sent[k]!;
      const delayMs = cols.delay[k]!;
      const dueMs = this.dueAside(i) ?? Math.max(sentMs + delayMs, lastDue[r]!);
      lastDue[r] = dueMs;
      yield {
        from: this.routeFrom[r]!,
        to: this.routeTo[r]!,
        link: this.routeLink[r]!,
        sentMs,
        delayMs,
        dueMs,
      };
    }
  }
}

/** Give a route's columns half as much room again. */
function grow(cols: RouteColumns): void {
  const capacity = cols.sent.length + (cols.sent.length >> 1);
  const sent = new Float64Array(capacity);
  sent.set(cols.sent);
  cols.sent = sent;
  const delay = new Float64Array(capacity);
  delay.set(cols.delay);
  cols.delay = delay;
  const index = new Uint32Array(capacity);
  index.set(cols.index);
  cols.index = index;
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

/** One direction's frames in record order, read from its routes' columns. */
interface RecordOrder {
  readonly n: number;
  readonly sent: Float64Array;
  readonly delay: Float64Array;
  /** Each frame's number in the whole record. */
  readonly index: Uint32Array;
  /** Each frame's route, as a position in the direction's list of routes (`undefined`: all 0). */
  readonly route: Uint16Array | Uint32Array | undefined;
}

/**
 * Every frame the links of a run carried, indexed by link direction, answering "a message sent
 * from `a` to `b` at `d`: when does it land at the earliest?" from the delays that run drew.
 */
export class FrameLog {
  readonly #peers: number;
  readonly #cols: FrameColumns;
  /** The routes of each direction (`from × peers + to`), built on first use. */
  #routesByDirection: Map<number, number[]> | undefined;
  readonly #index = new Map<number, Direction>();

  /** A log for a run of `peers` scenario peers, over `frames` when given (recorded in any order). */
  constructor(peers: number, frames: FrameColumns = new FrameColumns()) {
    this.#peers = peers;
    this.#cols = frames;
  }

  /** Record one carried frame (in any order). */
  record(frame: CarriedFrame): void {
    this.#cols.push(frame);
    this.#routesByDirection = undefined;
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
    this.#routesByDirection ??= this.#group();
    const routes = this.#routesByDirection.get(key);
    if (routes === undefined) return undefined;
    const rec = this.#recordOrder(routes);
    const n = rec.n;
    const c = this.#cols;
    const lanes = routes.length;
    const laneOf = (i: number): number => (rec.route === undefined ? 0 : rec.route[i]!);
    // Due times follow each route's frames in record order.
    const due = new Float64Array(n);
    const laneDue = new Float64Array(lanes).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < n; i++) {
      const lane = laneOf(i);
      const d = c.dueAside(rec.index[i]!) ?? Math.max(rec.sent[i]! + rec.delay[i]!, laneDue[lane]!);
      due[i] = d;
      laneDue[lane] = d;
    }
    // Stable: frames sent at the same time keep their record order (a network that records
    // frames as they are sent needs no sorting).
    let inOrder = true;
    for (let i = 1; i < n && inOrder; i++) inOrder = rec.sent[i - 1]! <= rec.sent[i]!;
    let dir: Direction;
    if (inOrder && lanes === 1) {
      // One link, in order: the previous frame of the link is the previous one here.
      const prevDue = new Float64Array(n);
      if (n > 0) prevDue[0] = Number.NEGATIVE_INFINITY;
      prevDue.set(due.subarray(0, n - 1), 1);
      dir = { sent: rec.sent, delay: rec.delay, prevDue, suffixMinWait: due };
    } else {
      let sorted: number[] | undefined;
      if (!inOrder) {
        sorted = Array.from({ length: n }, (_, i) => i);
        sorted.sort((a, b) => rec.sent[a]! - rec.sent[b]!);
      }
      dir = {
        sent: new Float64Array(n),
        delay: new Float64Array(n),
        prevDue: new Float64Array(n),
        suffixMinWait: due,
      };
      laneDue.fill(Number.NEGATIVE_INFINITY);
      for (let i = 0; i < n; i++) {
        const j = sorted === undefined ? i : sorted[i]!;
        const lane = laneOf(j);
        dir.sent[i] = rec.sent[j]!;
        dir.delay[i] = rec.delay[j]!;
        dir.prevDue[i] = laneDue[lane]!;
        laneDue[lane] = due[j]!;
      }
    }
    // The due times are read for the last time above: their array takes the suffix minima.
    const wait = dir.suffixMinWait;
    let min = Number.POSITIVE_INFINITY;
    for (let i = n - 1; i >= 1; i--) {
      min = Math.min(min, Math.max(dir.sent[i - 1]! + dir.delay[i]!, dir.prevDue[i]!));
      wait[i] = min;
    }
    if (n > 0) wait[0] = min;
    this.#index.set(key, dir);
    return dir;
  }

  /** The frames of `routes` (one direction's) in record order: a merge by frame number. */
  #recordOrder(routes: readonly number[]): RecordOrder {
    const c = this.#cols;
    if (routes.length === 1) {
      const { sent, delay, index, count } = c.routeFrames(routes[0]!);
      return {
        n: count,
        sent: sent.subarray(0, count),
        delay: delay.subarray(0, count),
        index: index.subarray(0, count),
        route: undefined,
      };
    }
    const lanes = routes.map((r) => c.routeFrames(r));
    const n = lanes.reduce((s, l) => s + l.count, 0);
    const out = {
      n,
      sent: new Float64Array(n),
      delay: new Float64Array(n),
      index: new Uint32Array(n),
      route: lanes.length <= 0xffff ? new Uint16Array(n) : new Uint32Array(n),
    };
    const at = new Int32Array(lanes.length);
    for (let i = 0; i < n; i++) {
      let best = -1;
      for (let l = 0; l < lanes.length; l++) {
        if (
          at[l]! < lanes[l]!.count &&
          (best < 0 || lanes[l]!.index[at[l]!]! < lanes[best]!.index[at[best]!]!)
        )
          best = l;
      }
      const k = at[best]!++;
      const lane = lanes[best]!;
      out.sent[i] = lane.sent[k]!;
      out.delay[i] = lane.delay[k]!;
      out.index[i] = lane.index[k]!;
      out.route[i] = best;
    }
    return out;
  }

  /** The routes of each link direction, in the order they were made. */
  #group(): Map<number, number[]> {
    const c = this.#cols;
    const of = new Map<number, number[]>();
    for (let r = 0; r < c.routeFrom.length; r++) {
      const key = c.routeFrom[r]! * this.#peers + c.routeTo[r]!;
      const list = of.get(key);
      if (list === undefined) of.set(key, [r]);
      else list.push(r);
    }
    return of;
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
