/**
 * Metric definitions (DESIGN.md "Metrics") as pure computations: percentiles, pace mismatch,
 * recovery windows and the perfect-clock lower bound.
 */
import type { Interval } from './plan.js';
import type { Edge } from './topology.js';

/** Skew distribution in ticks. */
export interface SkewStats {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Recovery-time distribution in seconds. */
export interface RecoveryStats {
  /** Recoveries measured (comebacks and heals after warm-up that completed before the end). */
  readonly count: number;
  readonly mean: number;
  readonly p95: number;
  /** Added field: recoveries still open at the end of the run (not in count/mean/p95). */
  readonly unrecovered: number;
  /**
   * Added field: of the measured recoveries, how many first had to wait for the network to be
   * within reach (every neighbour offline, or only peers that were themselves recovering), and
   * that wait's mean and p95 in seconds (not part of `mean`/`p95`).
   */
  readonly waited: number;
  readonly waitMean: number;
  readonly waitP95: number;
}

/**
 * The metrics of one run (the shared `scenarios/README.md` format; fields after `wallMs` are
 * additions). Everything but `wallMs` is a pure function of scenario and seed.
 */
export interface Metrics {
  /** Σ ticks travelled back ÷ Σ ticks simulated, all peers, warm-up excluded, in %. */
  readonly rollbackPct: number;
  /** Σ ticks actually re-simulated ÷ Σ ticks simulated, in %. */
  readonly resimPct: number;
  /** Late-event rollbacks, all peers (warm-up excluded). */
  readonly rollbacks: number;
  /** Perfect-clock lower bound of rollbackPct for this scenario and seed, in % (`null` with `delay: auto` when Δ is unknown). */
  readonly lowerBoundPct: number | null;
  /** Pace-mismatch reports ÷ pace reports, in %. */
  readonly paceMismatchPct: number;
  /** How far behind the largest tick reported so far each report was, in ticks. */
  readonly skewTicks: SkewStats;
  /** From a peer coming (back) online to its tick reaching the largest tick among the peers it can reach. */
  readonly recoveryS: RecoveryStats;
  /**
   * Every online peer has the same state hash at the same final tick, holds the same number of
   * events, and is within one second of ticks of the others at the end.
   */
  readonly converged: boolean;
  /** Distinct state hashes among online peers at the final tick. */
  readonly distinctFinalHashes: number;
  /** Events emitted by all peers. */
  readonly eventsGenerated: number;
  /** Events in each online peer's timeline at the end (the minimum over peers; all equal when converged). */
  readonly eventsApplied: number;
  /** Frames sent over all links. */
  readonly messages: number;
  /** Bytes sent over all links. */
  readonly bytes: number;
  /** Wall-clock time of the run in ms: the one field not reproducible (omitted with `includeWall: false`). */
  readonly wallMs?: number;
  /** Added: rollbackPct ÷ lowerBoundPct (`null` when the bound is 0 or unknown). */
  readonly rollbackToLowerBound: number | null;
  /** Added: the scenario name. */
  readonly name: string;
  /** Added: the seed that was run. */
  readonly seed: number;
  /** Added: the common tick at which final hashes were compared. */
  readonly finalTick: number;
  /** Added: largest minus smallest tick among online peers at the end (over `fps` = not converged). */
  readonly finalTickSpread: number;
  /** Added: peers online at the end (the ones compared). */
  readonly peersOnline: number;
  /** Added: the maximum over online peers of events in their timeline. */
  readonly eventsAppliedMax: number;
  /** Added: the denominator of rollbackPct, resimPct and lowerBoundPct. */
  readonly ticksSimulated: number;
  /** Added: the numerator of rollbackPct. */
  readonly ticksTravelledBack: number;
  /** Added: the numerator of resimPct. */
  readonly ticksResimulated: number;
  /** Added: the numerator of lowerBoundPct (perfect-clock late ticks). */
  readonly lowerBoundTicks: number | null;
  /** Added: pace reports counted (the denominator of paceMismatchPct). */
  readonly paceReports: number;
  /** Added: desync reports raised by peers (hash mismatches on settled ticks). */
  readonly desyncs: number;
  /** Added: events peers refused as older than their history horizon (each refusal may cost convergence). */
  readonly tooOld: number;
  /** Added: errors the peers counted, by `PeerErrorCode` (all incarnations). */
  readonly peerErrors: Readonly<Record<string, number>>;
  /** Added: Δ used by the lower bound, ms (`null` when unknown). */
  readonly deltaMs: number | null;
}

/** Round to 6 decimals (stable output; the runs themselves are exact). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Nearest-rank percentile of an ascending array (`q` in (0, 1]); 0 for an empty array. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/**
 * Pace mismatch (DESIGN.md): each peer reports its tick once per virtual second; a report
 * more than `threshold` ticks behind the largest tick reported so far by any peer is a
 * mismatch. Reports of one instant are simultaneous: the round's own maximum counts.
 */
export class PaceTracker {
  #max = Number.NEGATIVE_INFINITY;
  #skews: number[] = [];
  #mismatches = 0;
  readonly #threshold: number;

  constructor(thresholdTicks: number) {
    this.#threshold = thresholdTicks;
  }

  /**
   * One round of reports. Every tick raises the running maximum; only those with
   * `counted: true` (after warm-up, peer not recovering) are judged.
   */
  round(reports: readonly { readonly tick: number; readonly counted: boolean }[]): void {
    for (const r of reports) if (r.tick > this.#max) this.#max = r.tick;
    for (const r of reports) {
      if (!r.counted) continue;
      const skew = this.#max - r.tick;
      this.#skews.push(skew);
      if (skew > this.#threshold) this.#mismatches++;
    }
  }

  /** Reports judged so far. */
  get reports(): number {
    return this.#skews.length;
  }

  /** Mismatches so far. */
  get mismatches(): number {
    return this.#mismatches;
  }

  /** Mismatch percentage (0 with no reports). */
  get mismatchPct(): number {
    return this.#skews.length === 0 ? 0 : (100 * this.#mismatches) / this.#skews.length;
  }

  /** Skew distribution. */
  skew(): SkewStats {
    const sorted = [...this.#skews].sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 };
  }
}

/**
 * Summarise recovery durations (ms) into seconds; `waitsMs` are the waits for the network to be
 * within reach that preceded them (zeros are not counted as waits).
 */
export function recoveryStats(
  durationsMs: readonly number[],
  unrecovered: number,
  waitsMs: readonly number[] = [],
): RecoveryStats {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  const waits = waitsMs.filter((w) => w > 0).sort((a, b) => a - b);
  const waitSum = waits.reduce((s, x) => s + x, 0);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? 0 : round6(sum / sorted.length / 1000),
    p95: round6(percentile(sorted, 0.95) / 1000),
    unrecovered,
    waited: waits.length,
    waitMean: waits.length === 0 ? 0 : round6(waitSum / waits.length / 1000),
    waitP95: round6(percentile(waits, 0.95) / 1000),
  };
}

/** One emitted event, as the lower bound needs it. */
export interface EmittedEvent {
  readonly source: number;
  readonly atMs: number;
  /** Δ this event was stamped with, ms (default: the options' `deltaMs`). */
  readonly deltaMs?: number;
}

/** The network a lower bound is computed on. */
export interface LowerBoundNetwork {
  readonly peers: number;
  readonly edges: readonly Edge[];
  /** Mean one-way latency of every link, ms. */
  readonly linkMs: number;
  /** Online intervals of each peer, sorted and disjoint (default: always online). */
  readonly online?: readonly (readonly Interval[])[];
  /**
   * `true` (default): a peer that goes offline loses what it held (churn with restart).
   * `false`: it keeps it and can pass it on once back online.
   */
  readonly restart?: boolean;
  /** Link cuts: each edge in `edges` is unusable during `[fromMs, toMs)`. */
  readonly cuts?: readonly {
    readonly fromMs: number;
    readonly toMs: number;
    readonly edges: readonly Edge[];
  }[];
}

/** Options of {@link perfectClockLateTicks}. */
export interface LowerBoundOptions {
  /** Δ in ms for events that do not carry their own. */
  readonly deltaMs: number;
  readonly fps: number;
  /** Only deliveries at or after this virtual ms count (the warm-up end). Default 0. */
  readonly fromMs?: number;
}

const ALWAYS: readonly Interval[] = [{ from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY }];

/** The interval of `ivs` containing `t`, or the first one starting after `t`; `undefined` if none. */
function intervalFrom(ivs: readonly Interval[], t: number): Interval | undefined {
  for (const iv of ivs) if (t < iv.to) return iv;
  return undefined;
}

/**
 * The perfect-clock lower bound's numerator: Σ over events and receiving peers of
 * `max(0, D(s,p) − Δ)` in whole ticks (`⌊ms × fps / 1000⌋`, as rollbacks count whole ticks:
 * with perfect clocks every peer is at tick `⌊t × fps / 1000⌋` at time `t`), where `D(s,p)` is the
 * earliest arrival of the event at `p` over the fastest path, every link taking its mean
 * latency (Dijkstra). With cuts and churn the graph changes over time and the search is over
 * journeys: a peer holds the event from its arrival until it goes offline (with `restart`; for
 * ever without), and passes it over a link as soon as the link is uncut and both ends are
 * online (a peer coming back gets what its neighbours hold, so a restarted cut vertex carries
 * a partition's backlog across, as the runtime's repair does). Every receiver counts, except
 * one that gets the event the moment it comes (back) online from a neighbour already holding
 * it: that event is part of the state it joins with, not a rollback. A peer that restarts
 * after the emission and whose neighbours do not hold the event then gets it later, like any
 * other peer, and is late by the same measure. Deliveries before `fromMs` are not counted.
 */
export function perfectClockLateTicks(
  net: LowerBoundNetwork,
  events: readonly EmittedEvent[],
  opts: LowerBoundOptions,
): number {
  const n = net.peers;
  const L = net.linkMs;
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
  const onlineOf = (p: number): readonly Interval[] => net.online?.[p] ?? ALWAYS;
  const uncutFrom = (edge: number, t: number): number => {
    let at = t;
    for (const iv of cutsOf[edge]!) if (at >= iv.from && at < iv.to) at = iv.to;
    return at;
  };
  /** Set by `departure`: the send happened the moment `w` came (back) online (its join). */
  let sentAtJoin = false;
  /**
   * Earliest time ≥ `t` at which `u` (holding the event until `uEnd`) can send over `edge` to
   * `w` so that the link is uncut and `w` is online from sending to arrival; `Infinity` if never.
   */
  const departure = (u: number, w: number, edge: number, t: number, uEnd: number): number => {
    let d = t;
    for (let guard = 0; guard < 10_000; guard++) {
      d = uncutFrom(edge, d);
      const uIv = intervalFrom(onlineOf(u), d);
      if (uIv === undefined || uIv.from >= uEnd) return Number.POSITIVE_INFINITY;
      if (d < uIv.from) d = uIv.from;
      const wIv = intervalFrom(onlineOf(w), d);
      if (wIv === undefined) return Number.POSITIVE_INFINITY;
      if (d < wIv.from) {
        d = wIv.from;
        continue; // re-check the cut and u at the new time
      }
      if (d >= uEnd || d >= uIv.to) {
        d = uIv.to;
        continue;
      }
      if (d + L >= wIv.to) {
        d = wIv.to; // w goes offline before the frame lands: wait for its next interval
        continue;
      }
      if (uncutFrom(edge, d) !== d) continue;
      sentAtJoin = d === wIv.from;
      return d;
    }
    return Number.POSITIVE_INFINITY;
  };
  /** Until when `p` holds an event it received at `t`. */
  const holdsUntil = (p: number, t: number): number => {
    if (!restart) return Number.POSITIVE_INFINITY;
    const iv = intervalFrom(onlineOf(p), t);
    return iv !== undefined && iv.from <= t ? iv.to : t;
  };
  const fromMs = opts.fromMs ?? 0;
  const tickPerMs = opts.fps / 1000;
  const arrival = new Float64Array(n);
  const joined = new Uint8Array(n);
  const done = new Uint8Array(n);
  let total = 0;
  for (const ev of events) {
    const srcIv = intervalFrom(onlineOf(ev.source), ev.atMs);
    if (srcIv === undefined || srcIv.from > ev.atMs) continue; // emitted while offline: never sent
    arrival.fill(Number.POSITIVE_INFINITY);
    joined.fill(0);
    done.fill(0);
    arrival[ev.source] = ev.atMs;
    // O(n²) Dijkstra over earliest arrivals: fine for the few hundred peers a scenario has.
    for (;;) {
      let u = -1;
      let best = Number.POSITIVE_INFINITY;
      for (let v = 0; v < n; v++) {
        if (done[v] === 0 && arrival[v]! < best) {
          best = arrival[v]!;
          u = v;
        }
      }
      if (u < 0) break;
      done[u] = 1;
      const uEnd = holdsUntil(u, best);
      for (const { to, edge } of adj[u]!) {
        if (done[to] === 1) continue;
        sentAtJoin = false;
        const at = departure(u, to, edge, best, uEnd) + L;
        if (at < arrival[to]!) {
          arrival[to] = at;
          joined[to] = sentAtJoin ? 1 : 0;
        }
      }
    }
    for (let p = 0; p < n; p++) {
      if (p === ev.source) continue;
      const at = arrival[p]!;
      // Received with its (re)join: part of the state it starts from, not a rollback.
      if (!Number.isFinite(at) || at < fromMs || joined[p] === 1) continue;
      const late = at - ev.atMs - (ev.deltaMs ?? opts.deltaMs);
      // Rollbacks are whole ticks (now − event.tick): an event landing within its own tick is
      // not late. The epsilon keeps exact multiples (60 ms × 0.05) from flooring one tick short.
      if (late > 0) total += Math.floor(late * tickPerMs + 1e-9);
    }
  }
  return total;
}
