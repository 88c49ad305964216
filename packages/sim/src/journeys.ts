/**
 * The perfect-clock lower bound's search (docs/simulator.md, "Metrics"): earliest journeys of
 * each event over a network whose peers come and go and whose links are cut, and the late ticks
 * they give. A Dijkstra over online intervals with a binary heap: O(E log V) per event.
 */
import type { EmittedEvent, LowerBoundNetwork, LowerBoundOptions } from './metrics.js';
import type { Interval } from './plan.js';

/**
 * How the search picks its next vertex: the unsettled one with the earliest arrival, the lowest
 * index among equal arrivals (the order decides which of two equally early senders a receipt
 * is credited to, so every frontier must keep it).
 */
export interface Frontier {
  /** Start a search: every vertex with a finite `arrival` and `done[v] === 0` is a candidate. */
  reset(arrival: Float64Array, done: Uint8Array): void;
  /** `arrival[v]` just fell. */
  lowered(v: number): void;
  /** The next vertex to settle, or -1 when no candidate has a finite arrival. */
  next(): number;
}

/** A {@link Frontier} over a binary heap of (arrival, vertex) with stale entries skipped. */
export class HeapFrontier implements Frontier {
  #keys = new Float64Array(64);
  #verts = new Int32Array(64);
  #size = 0;
  #arrival: Float64Array = new Float64Array(0);
  #done: Uint8Array = new Uint8Array(0);

  reset(arrival: Float64Array, done: Uint8Array): void {
    this.#arrival = arrival;
    this.#done = done;
    this.#size = 0;
    for (let v = 0; v < arrival.length; v++)
      if (done[v] === 0 && arrival[v]! < Number.POSITIVE_INFINITY) this.#push(arrival[v]!, v);
  }

  lowered(v: number): void {
    this.#push(this.#arrival[v]!, v);
  }

  next(): number {
    const keys = this.#keys;
    const verts = this.#verts;
    while (this.#size > 0) {
      const key = keys[0]!;
      const v = verts[0]!;
      const last = --this.#size;
      if (last > 0) this.#siftDown(keys[last]!, verts[last]!, last);
      if (this.#done[v] === 0 && this.#arrival[v] === key) return v;
    }
    return -1;
  }

  #push(key: number, v: number): void {
    if (this.#size === this.#keys.length) {
      const keys = new Float64Array(this.#size * 2);
      keys.set(this.#keys);
      this.#keys = keys;
      const verts = new Int32Array(this.#size * 2);
      verts.set(this.#verts);
      this.#verts = verts;
    }
    const keys = this.#keys;
    const verts = this.#verts;
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent]!;
      if (pk < key || (pk === key && verts[parent]! < v)) break;
      keys[i] = pk;
      verts[i] = verts[parent]!;
      i = parent;
    }
    keys[i] = key;
    verts[i] = v;
  }

  /** Place (`key`, `v`) from the root down, over a heap of `size` entries. */
  #siftDown(key: number, v: number, size: number): void {
    const keys = this.#keys;
    const verts = this.#verts;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      const r = c + 1;
      if (r < size && (keys[r]! < keys[c]! || (keys[r] === keys[c] && verts[r]! < verts[c]!))) c = r;
      const ck = keys[c]!;
      if (key < ck || (key === ck && v < verts[c]!)) break;
      keys[i] = ck;
      verts[i] = verts[c]!;
      i = c;
    }
    keys[i] = key;
    verts[i] = v;
  }
}

const ALWAYS: readonly Interval[] = [{ from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY }];

/**
 * When a frame sent from peer `from` to peer `to` over topology edge `edge` at `sentMs` lands
 * (ms), or `Infinity` when no such frame can be sent then.
 */
export type HopArrival = (edge: number, from: number, to: number, sentMs: number) => number;

/**
 * The mean-latency estimate's numerator: {@link lateTicksOverJourneys} with every link taking its
 * mean latency `net.linkMs`. Not a bound: links draw a latency per message, and a run whose
 * messages drew less than the mean beats it. The lower bound is {@link realizedLateTicks}
 * (`realized.ts`), over the delays the run actually drew.
 */
export function perfectClockLateTicks(
  net: LowerBoundNetwork,
  events: readonly EmittedEvent[],
  opts: LowerBoundOptions,
): number {
  const L = net.linkMs;
  return lateTicksWithFrontier(net, (_edge, _from, _to, d) => d + L, events, opts, new HeapFrontier(), L);
}

/**
 * Perfect-clock late ticks over a network whose links deliver as `hop` says: Σ over events and
 * receiving peers of `max(0, D(s,p) − Δ)` in whole ticks (`⌈ms × fps / 1000⌉ − 1`, as rollbacks
 * count whole ticks and an arrival exactly on a tick boundary is applied before that tick), where
 * `D(s,p)` is the earliest arrival of the event at `p`, every peer forwarding it the moment it
 * has it (Dijkstra over earliest arrivals; `hop` must be non-decreasing in the send time).
 *
 * With cuts and churn the graph changes over time and the search is over journeys. Each online
 * interval of a peer is a holder of its own: with `restart` a peer loses what it held when it
 * goes offline and may receive the event again in a later interval (from a neighbour that still
 * or again holds it); without, it keeps it and has it again when back. A holder passes the event
 * over a link as soon as the link is uncut and both ends are online until it lands. A peer
 * restarted from nothing runs the room's timeline only once it has the room's state from a
 * neighbour that has it (computed with the same journeys, from the first starts): an event that
 * reaches it before or with that state is part of what it starts from and is not counted; so is
 * one reaching a peer while it is not live (`syncing`), and one folded into a snapshot the peer
 * adopted in that online interval or reaching it before the adoption (`adoptions`). Every other receipt is counted (a peer that came back without the event and gets it later has
 * simulated past it like anyone else), once per interval. Deliveries before `fromMs` are not
 * counted.
 */
export function lateTicksOverJourneys(
  net: Omit<LowerBoundNetwork, 'linkMs'>,
  hop: HopArrival,
  events: readonly EmittedEvent[],
  opts: LowerBoundOptions,
): number {
  return lateTicksWithFrontier(net, hop, events, opts, new HeapFrontier());
}

/**
 * {@link lateTicksOverJourneys} with the search's vertex order given by `frontier` (any
 * {@link Frontier} gives the same result; the heap is the fast one). `constantMs`, when given,
 * says every `hop` sent at or before `constantUntil` (default: any time) is `d + constantMs` (not
 * negative): an event sent on a network that stays as it is from then on (no cuts, every peer
 * online from before the event with no end) reaches each peer after the fewest hops, so a
 * breadth-first search finds its arrivals, the same sums in the same order as the search over
 * `frontier` (O(V + E) per event instead of O(E log V)), as long as every hop it sends goes at
 * or before `constantUntil`; an event whose search sends later is searched over `frontier`.
 */
export function lateTicksWithFrontier(
  net: Omit<LowerBoundNetwork, 'linkMs'>,
  hop: HopArrival,
  events: readonly EmittedEvent[],
  opts: LowerBoundOptions,
  frontier: Frontier,
  constantMs?: number,
  constantUntil = Number.POSITIVE_INFINITY,
): number {
  const n = net.peers;
  const restart = net.restart ?? true;
  const adj: { to: number; edge: number }[][] = Array.from({ length: n }, () => []);
  const edgeIndex = new Map<number, number>();
  net.edges.forEach(([a, b], i) => {
    adj[a]!.push({ to: b, edge: i });
    adj[b]!.push({ to: a, edge: i });
    edgeIndex.set(a < b ? a * n + b : b * n + a, i);
  });
  // Cut intervals per edge, sorted by start.
  const cutsOf: Interval[][] = net.edges.map(() => []);
  for (const c of net.cuts ?? []) {
    for (const [a, b] of c.edges) {
      const i = edgeIndex.get(a < b ? a * n + b : b * n + a);
      if (i !== undefined) cutsOf[i]!.push({ from: c.fromMs, to: c.toMs });
    }
  }
  for (const list of cutsOf) list.sort((x, y) => x.from - y.from);
  const uncutFrom = (edge: number, t: number): number => {
    let at = t;
    for (const iv of cutsOf[edge]!) if (at >= iv.from && at < iv.to) at = iv.to;
    return at;
  };
  // One vertex per online interval of a peer.
  const intervals: (readonly Interval[])[] = [];
  const first: number[] = [];
  let vertices = 0;
  for (let p = 0; p < n; p++) {
    const ivs = net.online?.[p] ?? ALWAYS;
    intervals.push(ivs);
    first.push(vertices);
    vertices += ivs.length;
  }
  const peerOf = new Int32Array(vertices);
  const indexOf = new Int32Array(vertices);
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < intervals[p]!.length; k++) {
      peerOf[first[p]! + k] = p;
      indexOf[first[p]! + k] = k;
    }
  }
  const fromMs = opts.fromMs ?? 0;
  const tickPerMs = opts.fps / 1000;
  const arrival = new Float64Array(vertices);
  /** 1: counted receipt; 0: not counted (the origin, a join, state kept across an outage). */
  const counted = new Uint8Array(vertices);
  const done = new Uint8Array(vertices);
  /** Earliest journeys from the vertices whose `arrival` is set (the others at Infinity). */
  const spread = (): void => {
    counted.fill(0);
    done.fill(0);
    frontier.reset(arrival, done);
    for (;;) {
      const v = frontier.next();
      if (v < 0) break;
      const best = arrival[v]!;
      done[v] = 1;
      const u = peerOf[v]!;
      const k = indexOf[v]!;
      const uIvs = intervals[u]!;
      const uEnd = uIvs[k]!.to; // this holder is online (and, with restart, holds it) until then
      for (const { to: w, edge } of adj[u]!) {
        const wIvs = intervals[w]!;
        for (let m = 0; m < wIvs.length; m++) {
          const wIv = wIvs[m]!;
          if (wIv.to <= best || wIv.from >= uEnd) continue;
          const target = first[w]! + m;
          if (done[target] === 1) continue;
          // Send at the earliest d with both ends online until the frame lands and the link uncut.
          const d = uncutFrom(edge, Math.max(best, wIv.from));
          if (d >= uEnd) continue;
          const at = hop(edge, u, w, d);
          if (at >= wIv.to) continue;
          if (at < arrival[target]!) {
            arrival[target] = at;
            counted[target] = d === wIv.from ? 0 : 1; // sent the moment it came online: its join
            frontier.lowered(target);
          }
        }
      }
      // Without restart the peer still holds it when it is next online.
      if (!restart && k + 1 < uIvs.length) {
        const next = v + 1;
        const at = uIvs[k + 1]!.from;
        if (done[next] === 0 && at < arrival[next]!) {
          arrival[next] = at;
          counted[next] = 0;
          frontier.lowered(next);
        }
      }
    }
  };
  // When each interval holds the room's state (its timeline): a first start has it (the room
  // starts with its first peers), so does a comeback that kept its state; a restart from nothing
  // gets it from a neighbour holding it (the same journeys as an event's). An event reaching an
  // interval before that is part of what it starts from: never late.
  arrival.fill(Number.POSITIVE_INFINITY);
  for (let p = 0; p < n; p++) {
    const ivs = intervals[p]!;
    for (let k = 0; k < (restart ? 1 : ivs.length); k++) arrival[first[p]! + k] = ivs[k]!.from;
  }
  spread();
  const hasState = Float64Array.from(arrival);
  const syncingAt = (p: number, at: number): boolean => {
    const ivs = net.syncing?.[p];
    if (ivs === undefined) return false;
    for (let k = 0; k < ivs.length; k++) if (ivs[k]!.from <= at && at < ivs[k]!.to) return true;
    return false;
  };
  /**
   * An adopted snapshot re-bases the peer's timeline: what it folds in is part of the adopted
   * state, and what the peer holds by then is carried into the new timeline before it is
   * simulated. Either way the event costs that peer no rollback in that online interval.
   */
  const coveredByAdoption = (p: number, iv: Interval, ev: EmittedEvent, at: number): boolean =>
    net.adoptions?.[p]?.some(
      (a) =>
        iv.from <= a.atMs &&
        a.atMs < iv.to &&
        (at <= a.atMs || (ev.id !== undefined && (a.frontier.get(ev.id.source) ?? 0) >= ev.id.seq)),
    ) ?? false;
  // With a constant hop and no cuts, an event sent once every peer is online for good spreads
  // in breadth-first levels: each level's arrival is the previous one's plus the hop.
  let staticAfter = Number.POSITIVE_INFINITY;
  if (constantMs !== undefined && constantMs >= 0 && cutsOf.every((list) => list.length === 0)) {
    staticAfter = Number.NEGATIVE_INFINITY;
    for (let p = 0; p < n && staticAfter < Number.POSITIVE_INFINITY; p++) {
      const ivs = intervals[p]!;
      staticAfter =
        ivs.length === 1 && ivs[0]!.to === Number.POSITIVE_INFINITY
          ? Math.max(staticAfter, ivs[0]!.from)
          : Number.POSITIVE_INFINITY;
    }
  }
  const queue = new Int32Array(vertices);
  /**
   * The search's arrivals and receipts for an event sent by `source` at `atMs` after
   * `staticAfter`; `false` when a hop went after `constantUntil` (the arrivals are then not set).
   */
  const levels = (source: number, atMs: number): boolean => {
    counted.fill(0);
    arrival[source] = atMs; // one vertex per peer: vertex numbers are peer numbers
    queue[0] = source;
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const u = queue[head]!;
      const sent = arrival[u]!;
      const at = sent + constantMs!;
      for (const { to: w } of adj[u]!) {
        if (arrival[w] !== Number.POSITIVE_INFINITY) continue;
        if (sent > constantUntil) return false;
        arrival[w] = at;
        counted[w] = 1;
        queue[tail++] = w;
      }
    }
    return true;
  };
  let total = 0;
  for (const ev of events) {
    const srcIvs = intervals[ev.source]!;
    const k0 = srcIvs.findIndex((iv) => iv.from <= ev.atMs && ev.atMs < iv.to);
    if (k0 < 0) continue; // emitted while offline: never sent
    arrival.fill(Number.POSITIVE_INFINITY);
    if (!(ev.atMs > staticAfter && levels(ev.source, ev.atMs))) {
      arrival.fill(Number.POSITIVE_INFINITY);
      arrival[first[ev.source]! + k0] = ev.atMs;
      spread();
    }
    for (let x = 0; x < vertices; x++) {
      const at = arrival[x]!;
      if (counted[x] === 0 || !Number.isFinite(at) || at < fromMs || at <= hasState[x]!) continue;
      if (syncingAt(peerOf[x]!, at)) continue;
      if (coveredByAdoption(peerOf[x]!, intervals[peerOf[x]!]![indexOf[x]!]!, ev, at)) continue;
      const late = at - ev.atMs - (ev.deltaMs ?? opts.deltaMs);
      // Rollbacks are whole ticks (now − event.tick): an event landing within its own tick is
      // not late, and one landing exactly on a tick boundary is applied before that tick is
      // simulated (a runtime inserts what has arrived, then advances): ⌈late⌉ − 1 ticks. The
      // epsilon keeps float noise around exact multiples (60 ms × 0.05) on the boundary.
      if (late > 0) total += Math.ceil(late * tickPerMs - 1e-9) - 1;
    }
  }
  return total;
}
