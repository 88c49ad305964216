/**
 * Metric definitions (docs/simulator.md, "Metrics") as pure computations: percentiles, pace mismatch,
 * recovery windows and perfect-clock late ticks over journeys (the lower bound's search).
 */
import type { Interval } from './plan.js';
import type { OfflineMetrics } from './stores.js';
import type { Edge } from './topology.js';
import { ValueCounts } from './value-counts.js';

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
  /** Recovery windows still open at the end of the run (not in count/mean/p95). */
  readonly unrecovered: number;
  /**
   * Of the measured recoveries, how many included time without the network within
   * reach (every neighbour offline, or only peers that were themselves recovering), and that
   * time's mean and p95 in seconds (not part of `mean`/`p95`).
   */
  readonly waited: number;
  readonly waitMean: number;
  readonly waitP95: number;
}

/** Recovery times by the paper's definition, in seconds. */
export interface PaperRecoveryStats {
  /** Comebacks after warm-up whose peer reached the network's largest tick before the end. */
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  /** Comebacks still short of the largest tick at the end. */
  readonly unrecovered: number;
}

/** What recovered peers still travel back right after they count as recovered. */
export interface AfterRecoveryStats {
  /** Length of the window after each recovery, s. */
  readonly windowS: number;
  /** Recoveries whose window was observed. */
  readonly count: number;
  /** Of those, how many travelled back at all in it. */
  readonly withRollback: number;
  /** Ticks travelled back per recovery in the window: mean, p95, max. */
  readonly meanTicks: number;
  readonly p95Ticks: number;
  readonly maxTicks: number;
}

/**
 * The metrics of one run: the scenario format of docs/simulator.md up to `wallMs`, then the
 * figures behind them. Everything but `wallMs` is a pure function of scenario and seed.
 */
export interface Metrics {
  /** Σ ticks travelled back ÷ Σ ticks simulated, all peers, warm-up excluded, in %. */
  readonly rollbackPct: number;
  /** Σ ticks actually re-simulated ÷ Σ ticks simulated, in %. */
  readonly resimPct: number;
  /** Late-event rollbacks, all peers (warm-up excluded). */
  readonly rollbacks: number;
  /**
   * Perfect-clock lower bound of rollbackPct, in %: for each event and receiving peer, the
   * earliest arrival over the latencies the run's links actually drew (per frame, FIFO), with
   * perfect clocks and no overhead. No run of that network can roll back less. `null` when the
   * network does not report its frames, or the driver kept bounded records (`records: 'bounded'`).
   */
  readonly lowerBoundPct: number | null;
  /** Pace-mismatch reports ÷ pace reports, in %. */
  readonly paceMismatchPct: number;
  /** How far behind the largest tick reported so far each report was, in ticks. */
  readonly skewTicks: SkewStats;
  /**
   * From a peer coming (back) online, or its reachable set growing at a heal, to its tick being
   * within 2 ticks of the up-to-date peers it can reach; time without one within reach is
   * reported apart as waiting.
   */
  readonly recoveryS: RecoveryStats;
  /**
   * The paper's definition: from a peer coming back online, waiting included, until its tick
   * reaches the largest tick among all online peers.
   */
  readonly recoveryPaperS: PaperRecoveryStats;
  /** Ticks a peer still travels back in the seconds after it counts as recovered (`recoveryS`). */
  readonly afterRecovery: AfterRecoveryStats;
  /**
   * Offline work and store restarts, summed over every runtime (only for a scenario whose churn
   * has `store` or `emitOffline`).
   */
  readonly offline?: OfflineMetrics;
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
  /** `rollbackPct ÷ lowerBoundPct` (`null` when the bound is 0 or unknown). */
  readonly rollbackToLowerBound: number | null;
  /** The scenario's name. */
  readonly name: string;
  /** The seed that was run. */
  readonly seed: number;
  /** The common tick at which the final hashes were compared. */
  readonly finalTick: number;
  /** Largest minus smallest tick among online peers at the end (over `fps`: not converged). */
  readonly finalTickSpread: number;
  /** Peers online at the end (the ones compared). */
  readonly peersOnline: number;
  /** The maximum over online peers of events in their timeline. */
  readonly eventsAppliedMax: number;
  /** Ticks simulated after the warm-up, all peers: the denominator of `rollbackPct`, `resimPct` and `lowerBoundPct`. */
  readonly ticksSimulated: number;
  /** Ticks travelled back: the numerator of `rollbackPct`. */
  readonly ticksTravelledBack: number;
  /** Ticks re-simulated: the numerator of `resimPct`. */
  readonly ticksResimulated: number;
  /** Perfect-clock late ticks: the numerator of `lowerBoundPct`. */
  readonly lowerBoundTicks: number | null;
  /**
   * The late ticks, in %, if every link took its mean latency on the fastest path (perfect clocks,
   * no overhead): an estimate, not a bound (messages that drew less than the mean beat it).
   * `null` when the driver kept bounded records (`records: 'bounded'`).
   */
  readonly meanLatencyEstimatePct: number | null;
  /** The numerator of `meanLatencyEstimatePct` (`null` with bounded records). */
  readonly meanLatencyEstimateTicks: number | null;
  /** Pace reports judged: the denominator of `paceMismatchPct`. */
  readonly paceReports: number;
  /** Desync reports raised by peers (hash mismatches on settled ticks). */
  readonly desyncs: number;
  /** Events peers refused as older than their history horizon (each refusal may cost convergence). */
  readonly tooOld: number;
  /** Errors the peers counted, by `PeerErrorCode` (all incarnations). */
  readonly peerErrors: Readonly<Record<string, number>>;
  /** Δ used by the lower bound, ms (`null` when unknown). */
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
 * Pace mismatch (docs/simulator.md): each peer reports its tick once per virtual second; a report
 * more than `threshold` ticks behind the largest tick reported so far by any peer is a
 * mismatch. Reports of one instant are simultaneous: the round's own maximum counts. Skews
 * are kept as counts per value (a few distinct tick counts, however long the run).
 */
export class PaceTracker {
  #max = Number.NEGATIVE_INFINITY;
  /** How many judged reports had each skew. */
  readonly #skews = new Map<number, number>();
  #reports = 0;
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
      this.#skews.set(skew, (this.#skews.get(skew) ?? 0) + 1);
      this.#reports++;
      if (skew > this.#threshold) this.#mismatches++;
    }
  }

  /** Reports judged so far. */
  get reports(): number {
    return this.#reports;
  }

  /** Mismatches so far. */
  get mismatches(): number {
    return this.#mismatches;
  }

  /** Mismatch percentage (0 with no reports). */
  get mismatchPct(): number {
    return this.#reports === 0 ? 0 : (100 * this.#mismatches) / this.#reports;
  }

  /** Skew distribution. */
  skew(): SkewStats {
    const values = [...this.#skews.keys()].sort((a, b) => a - b);
    // The value at rank ceil(q × n) of the sorted reports (as `percentile` picks it), from counts.
    const at = (q: number): number => {
      if (this.#reports === 0) return 0;
      const rank = Math.max(1, Math.ceil(q * this.#reports));
      let seen = 0;
      for (const v of values) {
        seen += this.#skews.get(v)!;
        if (seen >= rank) return v;
      }
      return values.at(-1)!;
    };
    return { p50: at(0.5), p99: at(0.99), max: values.at(-1) ?? 0 };
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
  return recoveryStatsOf(ValueCounts.of(durationsMs), unrecovered, ValueCounts.of(waitsMs));
}

/** {@link recoveryStats} of durations and waits kept as counts per value. */
export function recoveryStatsOf(
  durationsMs: ValueCounts,
  unrecovered: number,
  waitsMs: ValueCounts,
): RecoveryStats {
  const d = durationsMs.summary();
  const w = waitsMs.summary((x) => x > 0);
  return {
    count: d.count,
    mean: d.count === 0 ? 0 : round6(d.sum / d.count / 1000),
    p95: round6(d.at(0.95) / 1000),
    unrecovered,
    waited: w.count,
    waitMean: w.count === 0 ? 0 : round6(w.sum / w.count / 1000),
    waitP95: round6(w.at(0.95) / 1000),
  };
}

/** One emitted event, as the lower bound needs it. */
export interface EmittedEvent {
  readonly source: number;
  readonly atMs: number;
  /** Δ this event was stamped with, ms (default: the options' `deltaMs`). */
  readonly deltaMs?: number;
  /** Its identity (source id and seq), matched against adopted snapshots' frontiers. */
  readonly id?: { readonly source: string; readonly seq: number };
}

/** A snapshot a peer adopted in the run: the events it folds in are part of that peer's state. */
export interface SnapshotAdoption {
  /** Run time of the adoption, ms. */
  readonly atMs: number;
  /** Per source id, the highest seq folded into the adopted state (a `Map` will do). */
  readonly frontier: { get(source: string): number | undefined };
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
  /**
   * Per peer, when its runtime was not part of the room's timeline in the run (starting,
   * re-syncing after a heal; sorted and disjoint). An event that reaches it then is part of
   * the state it goes live with, as in the run, and is not counted.
   */
  readonly syncing?: readonly (readonly Interval[])[];
  /**
   * Per peer, the snapshots it adopted in the run. An adoption re-bases the peer's timeline: an
   * event the snapshot folds in, or one that reached the peer by then, is part of the timeline
   * it goes on with, as a receipt while not live is: within the online interval of the
   * adoption, it is not counted for that peer.
   */
  readonly adoptions?: readonly (readonly SnapshotAdoption[])[];
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

export { type HopArrival, lateTicksOverJourneys, perfectClockLateTicks } from './journeys.js';
