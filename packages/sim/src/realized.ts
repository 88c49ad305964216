/**
 * The realized network of one run: every frame its links carried (a {@link FrameColumns}),
 * indexed by link direction, and the perfect-clock lower bound computed over the delays drawn
 * (docs/simulator.md, "Metrics", "lower bound").
 */
import { type CarriedFrame, FrameColumns } from './frame-columns.js';
import { HeapFrontier, type HopArrival, lateTicksWithFrontier } from './journeys.js';
import {
  type EmittedEvent,
  type LowerBoundNetwork,
  type LowerBoundOptions,
  lateTicksOverJourneys,
} from './metrics.js';

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

/**
 * The frames of one link direction (all links between the pair), sorted by send time; or, for a
 * direction whose every frame drew the same latency `L` and landed at `sent + L`, only `L` and
 * the last send time: a message sent at `d` then lands at `d + L` exactly when a frame was sent
 * at or after `d` (see {@link FrameLog.arrival}).
 */
interface Direction {
  /** {@link FIELDS} numbers per frame (none for a uniform direction). */
  readonly rec: Float64Array;
  readonly n: number;
  /** The latency every frame drew, for a uniform direction; `NaN` otherwise. */
  readonly uniformMs: number;
  /** The latest send time of its frames. */
  readonly lastSent: number;
  /** Where the last query landed: queries come in nearly increasing send times. */
  cursor: number;
}

/** The frames of one link direction of a {@link FrameLog} (opaque: from its `direction`). */
export type FrameDirection = Direction;

/**
 * Every frame grouped by link direction: per direction, whether it is uniform (one latency, every
 * frame due at its send time plus it) and its last send time; the frames of the other directions
 * in record order within each (`start[k]` to `start[k + 1]` for direction number `k`, an empty
 * range for a uniform one), their fields side by side: copied out of the record in one pass, each
 * direction is then read in one sweep rather than frame by frame across the whole record.
 */
interface DirectionGroups {
  start: Int32Array;
  /** Direction number of each `from × peers + to`. */
  of: Map<number, number>;
  /** Per direction, the latency of a uniform one, `NaN` for the others. */
  uniformMs: Float64Array;
  /** Per direction, the latest send time of its frames. */
  lastSent: Float64Array;
  /** {@link FIELDS} numbers per frame, the due time in the `WAIT` field until indexed. */
  rec: Float64Array;
  /** Each frame's route, kept only when a direction that is not uniform has more than one. */
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
   *
   * When every frame of the direction drew the same latency `L` and landed at `sent + L`, that
   * is `d + L`: the frame before `k` on its link was sent before `d`, so it was due by `d + L`,
   * and every later slot's `sent_{j−1} + L` is at least `sent_k + L` (float addition of the
   * same `L` keeps the order), so only the last send time is needed.
   */
  arrival(from: number, to: number, d: number): number {
    return this.arrivalOn(this.#direction(from, to), d);
  }

  /**
   * The frames from `from` to `to`, as {@link arrivalOn} reads them (`undefined`: none): a caller
   * asking about one direction many times looks it up once.
   */
  direction(from: number, to: number): FrameDirection | undefined {
    return this.#direction(from, to);
  }

  /** {@link arrival} over the direction {@link direction} gave. */
  arrivalOn(dir: FrameDirection | undefined, d: number): number {
    if (dir === undefined) return Number.POSITIVE_INFINITY;
    if (!Number.isNaN(dir.uniformMs)) return d <= dir.lastSent ? d + dir.uniformMs : Number.POSITIVE_INFINITY;
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
    const dir = { rec, n, uniformMs: g.uniformMs[k]!, lastSent: g.lastSent[k]!, cursor: 0 };
    this.#index.set(key, dir);
    return dir;
  }

  /**
   * The frames grouped by link direction, in two passes over the record in record order, each
   * frame's due time (and its route's previous one) computed on the way: the first finds the
   * uniform directions and every direction's last send time, the second copies the frames of
   * the other directions out (a counting sort over the routes' directions).
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
    const dirs = of.size;
    const size = c.size;
    const start = new Int32Array(dirs + 1);
    const uniformMs = new Float64Array(dirs);
    const lastSent = new Float64Array(dirs).fill(Number.NEGATIVE_INFINITY);
    /** 0: no frame yet, 1: uniform so far, 2: not uniform. */
    const kind = new Uint8Array(dirs);
    const lastDue = new Float64Array(routes).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < size; i++) {
      const r = c.route(i);
      const k = dirOfRoute[r]!;
      const sent = c.sent(i);
      const delay = c.delay(i);
      const due = c.due(i, lastDue[r]!);
      lastDue[r] = due;
      start[k + 1]!++;
      if (sent > lastSent[k]!) lastSent[k] = sent;
      if (kind[k] === 2) continue;
      if (kind[k] === 0) {
        // A latency of -0 or NaN would make `d + L` differ from the indexed answer's bits.
        kind[k] = delay >= 0 && !Object.is(delay, -0) ? 1 : 2;
        uniformMs[k] = delay;
      }
      if (!Object.is(delay, uniformMs[k]) || !Object.is(due, sent + delay)) kind[k] = 2;
    }
    const links = new Int32Array(dirs);
    for (let r = 0; r < routes; r++) links[dirOfRoute[r]!]!++;
    let multiLink = false;
    for (let k = 0; k < dirs; k++) {
      if (kind[k] !== 1) uniformMs[k] = Number.NaN; // indexed (none when it carried nothing)
      if (kind[k] === 2) multiLink ||= links[k]! > 1;
      else start[k + 1] = 0; // uniform, or carried nothing: no frames copied
    }
    for (let k = 0; k < dirs; k++) start[k + 1]! += start[k]!;
    const copied = start[dirs]!;
    const fill = start.slice(0, dirs);
    const rec = new Float64Array(copied * FIELDS);
    const route = multiLink ? new Int32Array(copied) : undefined;
    lastDue.fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; copied > 0 && i < size; i++) {
      const r = c.route(i);
      const k = dirOfRoute[r]!;
      if (kind[k] !== 2) continue;
      const at = fill[k]!++ * FIELDS;
      const previous = lastDue[r]!;
      const due = c.due(i, previous);
      rec[at + SENT] = c.sent(i);
      rec[at + DELAY] = c.delay(i);
      rec[at + WAIT] = due;
      rec[at + PREV_DUE] = previous;
      if (route !== undefined) route[at / FIELDS] = r;
      lastDue[r] = due;
    }
    return {
      start,
      of,
      uniformMs,
      lastSent,
      rec,
      route,
      routeDue: new Float64Array(routes),
      routeSeen: new Int32Array(routes),
    };
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
  // Each topology edge's two directions, looked up once (the search asks for them per event).
  const dirs: (FrameDirection | null | undefined)[] = new Array(2 * net.edges.length).fill(null);
  const hop: HopArrival = (edge, from, to, d) => {
    const k = 2 * edge + (from < to ? 0 : 1);
    let dir = dirs[k];
    if (dir === null) dirs[k] = dir = log.direction(from, to);
    return log.arrivalOn(dir, d);
  };
  // When every direction of the topology drew one latency L for all its frames, a hop sent at
  // or before the earliest of their last sends lands at d + L: the search is breadth-first for
  // the events whose hops all go by then (the same sums; the others are searched in full).
  let uniformMs = Number.NaN;
  let until = Number.POSITIVE_INFINITY;
  for (let k = 0; k < dirs.length; k++) {
    const [a, b] = net.edges[k >> 1]!;
    // The hop's look-ups, done once here: as there, an even `k` is the direction from the lower peer.
    const dir = (dirs[k] =
      (k & 1) === 0
        ? log.direction(Math.min(a, b), Math.max(a, b))
        : log.direction(Math.max(a, b), Math.min(a, b)));
    const other = !Number.isNaN(uniformMs) && !Object.is(dir?.uniformMs, uniformMs);
    if (dir === undefined || Number.isNaN(dir.uniformMs) || other) {
      return lateTicksOverJourneys(net, hop, events, opts);
    }
    uniformMs = dir.uniformMs;
    if (dir.lastSent < until) until = dir.lastSent;
  }
  if (Number.isNaN(uniformMs)) return lateTicksOverJourneys(net, hop, events, opts);
  return lateTicksWithFrontier(net, hop, events, opts, new HeapFrontier(), uniformMs, until);
}
