/**
 * The long churn run: the paper's churn variant (21 peers, each online ~40 s and offline ~20 s,
 * restarting from nothing) for many virtual minutes with the runtime's default options, to show
 * that bounded history holds: the run converges, the base tick advances, the live heap after GC
 * stays flat, and what a joiner simulates does not grow with the session's age.
 */
import { FORGET_HORIZONS, type Peer, type SizeTable, tableSizes } from '@symmetric/peer';
import { type Metrics, parseScenario } from '@symmetric/sim';
import { driveScenario, virtualNetwork } from '@symmetric/sim/driver';
import { churnScenario, paperSetting } from './grid.js';
import { measureRetained, type Retained } from './heap-retained.js';

/** Options of {@link runLongChurn}. */
export interface LongChurnOptions {
  /** Run seed (the plan, the network and the events). */
  readonly seed: number;
  /** Virtual minutes. */
  readonly minutes: number;
  /** Network-wide events per minute. */
  readonly perMinute: number;
  /** Mean link latency (ms); Δ is the paper's 5 hops × 2. */
  readonly latencyMs: number;
  /** History horizon in ticks; `undefined`: the runtime's default. */
  readonly horizonTicks?: number | undefined;
  /** Heap after GC (needs `node --expose-gc`); `undefined` heap figures when GC is not exposed. */
  readonly gc?: (() => void) | undefined;
  /**
   * Every `sizesEveryS` virtual seconds, the collection sizes inside the online peers (summed per
   * property path, see {@link tableSizes}) and the heap after GC go to `onSizes`.
   */
  readonly sizesEveryS?: number | undefined;
  readonly onSizes?: ((atS: number, sizes: SizeTable, heapBytes: number | undefined) => void) | undefined;
  /** At these virtual seconds, `onHeapSnapshotAt` is called (e.g. to write a V8 heap snapshot). */
  readonly heapSnapshotsAtS?: readonly number[] | undefined;
  readonly onHeapSnapshotAt?: ((atS: number) => void) | undefined;
  /**
   * Also measure, at each checkpoint and one-minute sample, the bytes the peers retain (their
   * subtrees in a heap snapshot's dominator tree, see heap-retained.ts): the peers' memory
   * without the simulator's own records. Slow (a heap snapshot each time).
   */
  readonly peersRetained?: boolean | undefined;
}

/** What the peers hold at one moment of the run. */
export interface Checkpoint {
  /** Run time (s). */
  readonly atS: number;
  /** Peers online. */
  readonly online: number;
  /** Lowest and highest base tick among online peers. */
  readonly baseTickMin: number;
  readonly baseTickMax: number;
  /** Highest tick among online peers. */
  readonly tick: number;
  /** Events held (not compacted) per online peer, mean. */
  readonly eventsHeldMean: number;
  /** Snapshots held per online peer, mean. */
  readonly snapshotsHeldMean: number;
  /** Live heap after GC (bytes), if GC is exposed. */
  readonly heapBytes: number | undefined;
  /** Bytes the peers retain (with `peersRetained`) and how many peer runtimes hold them. */
  readonly peersBytes?: number | undefined;
  readonly peerRuntimes?: number | undefined;
}

/** The (re)starts of peers that joined the running room in one third of the session. */
export interface JoinStats {
  /** The third's run time span (s), `[fromS, toS)`. */
  readonly fromS: number;
  readonly toS: number;
  /** Joins that went live. */
  readonly count: number;
  /** Ticks simulated and re-simulated until live: summed over the joins, and the most of one. */
  readonly ticksSum: number;
  readonly ticksMax: number;
}

/** Result of {@link runLongChurn}. */
export interface LongChurnResult {
  readonly metrics: Metrics;
  readonly checkpoints: readonly Checkpoint[];
  /**
   * Heap after GC sampled every minute after two horizons (the history full), fitted as
   * `a + perOnlinePeer × online + perMinute × minutes`: how the heap moves with time at a fixed
   * number of online peers (`undefined` without GC or with fewer than 5 samples).
   */
  readonly heapFit?: HeapFit;
  /**
   * The same fit over the samples after the forget age (`FORGET_HORIZONS` horizons: sources gone
   * that long are forgotten, so per-source state has filled by then); `undefined` for a run
   * shorter than the forget age and 5 minutes.
   */
  readonly heapFitSettled?: HeapFit;
  /** The fits of {@link heapFit} and {@link heapFitSettled} over the bytes the peers retain (with `peersRetained`). */
  readonly peersFit?: HeapFit;
  readonly peersFitSettled?: HeapFit;
  /** The joins by the third of the session they started in (summed as they go live). */
  readonly joins: readonly JoinStats[];
}

/** A least-squares fit of the heap after GC against time and online peers. */
export interface HeapFit {
  readonly perMinuteBytes: number;
  /** Standard error of {@link perMinuteBytes} (from the residuals). */
  readonly perMinuteStdErrBytes: number;
  /** Standard deviation of the residuals: the minute-to-minute noise around the fit. */
  readonly residualBytes: number;
  readonly perOnlinePeerBytes: number;
  readonly samples: number;
  /** Virtual minute of the first sample. */
  readonly fromMinute: number;
}

/** Run the paper's churn variant for `minutes` virtual minutes and sample it at 10 %, 50 % and 100 %. */
export async function runLongChurn(options: LongChurnOptions): Promise<LongChurnResult> {
  const setting = paperSetting();
  const json = churnScenario(
    setting,
    { latencyMs: options.latencyMs, perMinute: options.perMinute, multiplier: 2 },
    options.seed - 1,
    options.minutes * 60,
  );
  const scenario = parseScenario({
    ...json,
    ...(options.horizonTicks === undefined ? {} : { history: { horizonTicks: options.horizonTicks } }),
  });
  const durationS = options.minutes * 60;
  const sampleAt = [Math.round(durationS * 0.1), Math.round(durationS * 0.5), durationS - 1];
  const peers: (Peer<unknown, unknown> | undefined)[] = [];
  const online = new Set<number>();
  const checkpoints: Checkpoint[] = [];
  const third = durationS / 3;
  const joins: JoinStats[] = [0, 1, 2].map((k) => ({
    fromS: k * third,
    toS: k === 2 ? Number.POSITIVE_INFINITY : (k + 1) * third,
    count: 0,
    ticksSum: 0,
    ticksMax: 0,
  }));
  let clockMs = 0;
  let lastSizesS = 0;
  let lastMinuteS = 0;
  const snapshotsTaken = new Set<number>();
  // The heap fit starts after two horizons: the history (events, snapshot ring) has filled by then.
  const warmS = (2 * (options.horizonTicks ?? 300 * setting.fps)) / setting.fps;
  const minutes: [number, number, number][] = [];
  const peerMinutes: [number, number, number][] = [];
  const peersRetained = (): Retained | undefined =>
    options.peersRetained === true
      ? (measureRetained(PEER_CLASSES).get('PeerRuntime') ?? { count: 0, bytes: 0 })
      : undefined;
  const network = virtualNetwork<unknown, unknown>(
    {
      peers: scenario.peers,
      latency: {
        dist: 'normal',
        meanMs: options.latencyMs,
        sdMs: options.latencyMs * setting.link.latencySdFraction,
      },
    },
    options.seed,
    { recordCarried: false },
  );
  const now = network.now;
  const sample = (atS: number): void => {
    options.gc?.();
    options.gc?.();
    const live = [...online].map((i) => peers[i]).filter((p): p is Peer<unknown, unknown> => p !== undefined);
    const stats = live.map((p) => p.stats());
    const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
    checkpoints.push({
      atS,
      online: live.length,
      baseTickMin: Math.min(...stats.map((s) => s.baseTick)),
      baseTickMax: Math.max(...stats.map((s) => s.baseTick)),
      tick: Math.max(...stats.map((s) => s.tick)),
      eventsHeldMean: mean(stats.map((s) => s.eventsHeld)),
      snapshotsHeldMean: mean(stats.map((s) => s.snapshotsHeld)),
      heapBytes: options.gc === undefined ? undefined : process.memoryUsage().heapUsed,
      ...peersFields(peersRetained()),
    });
  };
  const { metrics } = await driveScenario(scenario, network, {
    defaultRoom: 'long-churn',
    includeWall: false,
    // No per-event, per-adoption or per-restart record: the heap is the peers plus a bounded
    // driver (the lower bound and the mean-latency estimate are not computed).
    records: 'bounded',
    trace: (e) => {
      clockMs = e.atMs;
      if (e.type === 'down') {
        online.delete(e.peer);
        peers[e.peer] = undefined;
      }
    },
    hooks: {
      onPeer: (i, peer) => {
        peers[i] = peer as Peer<unknown, unknown>;
        online.add(i);
        const startedAtS = now() / 1000;
        const restarted = startedAtS > setting.run.startJitterS;
        if (!restarted) return;
        const off = peer.on('status', (status) => {
          if (status !== 'live') return;
          off();
          const s = peer.stats();
          const ticks = s.ticksSimulated + s.ticksResimulated;
          const k = joins.findIndex((j) => startedAtS >= j.fromS && startedAtS < j.toS);
          const j = joins[k]!;
          joins[k] = {
            ...j,
            count: j.count + 1,
            ticksSum: j.ticksSum + ticks,
            ticksMax: Math.max(j.ticksMax, ticks),
          };
        });
      },
      onPaceRound: (atMs) => {
        const atS = Math.round(atMs / 1000);
        if (sampleAt.includes(atS) && !checkpoints.some((c) => c.atS === atS)) sample(atS);
        if (options.gc !== undefined && atS >= warmS && atS % 60 === 0 && atS > lastMinuteS) {
          lastMinuteS = atS;
          options.gc();
          options.gc();
          minutes.push([atS / 60, online.size, process.memoryUsage().heapUsed]);
          const r = peersRetained();
          if (r !== undefined) peerMinutes.push([atS / 60, online.size, r.bytes]);
        }
        if (options.heapSnapshotsAtS?.includes(atS) === true && !snapshotsTaken.has(atS)) {
          snapshotsTaken.add(atS);
          options.onHeapSnapshotAt?.(atS);
        }
        const every = options.sizesEveryS;
        if (every !== undefined && atS > lastSizesS && atS % every === 0) {
          lastSizesS = atS;
          options.gc?.();
          const table: SizeTable = new Map();
          const seen = new WeakSet<object>();
          for (const i of online) if (peers[i] !== undefined) tableSizes(peers[i], table, 8, seen);
          options.onSizes?.(
            atS,
            table,
            options.gc === undefined ? undefined : process.memoryUsage().heapUsed,
          );
        }
      },
    },
  });
  void clockMs;
  const fit = fitHeap(minutes);
  const forgetMinute = (FORGET_HORIZONS * (options.horizonTicks ?? 300 * setting.fps)) / setting.fps / 60;
  const settled = fitHeap(minutes.filter(([t]) => t >= forgetMinute));
  const peersFit = fitHeap(peerMinutes);
  const peersSettled = fitHeap(peerMinutes.filter(([t]) => t >= forgetMinute));
  return {
    metrics,
    checkpoints,
    joins,
    ...(fit === undefined ? {} : { heapFit: fit }),
    ...(settled === undefined ? {} : { heapFitSettled: settled }),
    ...(peersFit === undefined ? {} : { peersFit }),
    ...(peersSettled === undefined ? {} : { peersFitSettled: peersSettled }),
  };
}

/** The constructor whose objects are the peers (see heap-retained.ts). */
const PEER_CLASSES: ReadonlySet<string> = new Set(['PeerRuntime']);

function peersFields(r: Retained | undefined): Pick<Checkpoint, 'peersBytes' | 'peerRuntimes'> {
  return r === undefined ? {} : { peersBytes: r.bytes, peerRuntimes: r.count };
}

/** Least squares of heap = a + b × online + c × minutes over `[minutes, online, heap]` samples. */
function fitHeap(samples: readonly [number, number, number][]): HeapFit | undefined {
  if (samples.length < 5) return undefined;
  // Normal equations (XᵀX) β = Xᵀy with X = [1, online, minutes], solved by Cramer's rule.
  const m = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const v = [0, 0, 0];
  for (const [t, n, y] of samples) {
    const x = [1, n, t];
    for (let i = 0; i < 3; i++) {
      v[i]! += x[i]! * y;
      for (let j = 0; j < 3; j++) m[i]![j]! += x[i]! * x[j]!;
    }
  }
  const det = (a: number[][]): number =>
    a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) -
    a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) +
    a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!);
  const d = det(m);
  if (Math.abs(d) < 1e-9) return undefined;
  const solve = (col: number): number =>
    det(m.map((row, i) => row.map((x, j) => (j === col ? v[i]! : x)))) / d;
  const beta = [solve(0), solve(1), solve(2)];
  let ssr = 0;
  for (const [t, n, y] of samples) ssr += (y - beta[0]! - beta[1]! * n - beta[2]! * t) ** 2;
  const variance = samples.length > 3 ? ssr / (samples.length - 3) : 0;
  // Var(slope) = σ² × ((XᵀX)⁻¹)₂₂, the cofactor of m₂₂ over det(m).
  const inv22 = (m[0]![0]! * m[1]![1]! - m[0]![1]! * m[1]![0]!) / d;
  return {
    perOnlinePeerBytes: beta[1]!,
    perMinuteBytes: beta[2]!,
    perMinuteStdErrBytes: Math.sqrt(Math.max(0, variance * inv22)),
    residualBytes: Math.sqrt(variance),
    samples: samples.length,
    fromMinute: samples[0]![0],
  };
}
