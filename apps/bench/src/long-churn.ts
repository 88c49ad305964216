/**
 * The long churn run: the paper's churn variant (21 peers, each online ~40 s and offline ~20 s,
 * restarting from nothing) for many virtual minutes with the runtime's default options, to show
 * that bounded history holds: the run converges, the base tick advances, the live heap after GC
 * stays flat, and what a joiner simulates does not grow with the session's age.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { type Peer, type SizeTable, tableSizes } from '@symmetric/peer';
import { type Metrics, parseScenario } from '@symmetric/sim';
import { driveScenario, virtualNetwork } from '@symmetric/sim/driver';
import { churnScenario, paperSetting } from './grid.js';
import { fitHeap, type HeapFit, type HeapSample } from './heap-fit.js';
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
  /** The same without V8's compiled code (see {@link heapWithoutCode}). */
  readonly dataBytes: number | undefined;
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
   * `a + perOnlinePeer × online + perLink × links + perMinute × minutes`: how the heap moves with
   * time at a fixed number of online peers and open links (`undefined` without GC or with fewer
   * than 6 samples).
   */
  readonly heapFit?: HeapFit;
  /**
   * The same fit over the heap without V8's compiled code (its code and trusted spaces: machine
   * code, bytecode and their metadata, which grow as the engine optimizes more paths, whatever
   * the peers hold).
   */
  readonly dataFit?: HeapFit;
  /** The same fit over the bytes the peers retain (with `peersRetained`). */
  readonly peersFit?: HeapFit;
  /** The joins by the third of the session they started in (summed as they go live). */
  readonly joins: readonly JoinStats[];
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
  const minutes: HeapSample[] = [];
  const dataMinutes: HeapSample[] = [];
  const peerMinutes: HeapSample[] = [];
  const openLinks = (): number => {
    let n = 0;
    for (const i of online) n += peers[i]?.stats().links ?? 0;
    return n;
  };
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
      dataBytes: options.gc === undefined ? undefined : heapWithoutCode(),
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
          const links = openLinks();
          minutes.push([atS / 60, online.size, links, process.memoryUsage().heapUsed]);
          dataMinutes.push([atS / 60, online.size, links, heapWithoutCode()]);
          const r = peersRetained();
          if (r !== undefined) peerMinutes.push([atS / 60, online.size, links, r.bytes]);
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
  const dataFit = fitHeap(dataMinutes);
  const peersFit = fitHeap(peerMinutes);
  return {
    metrics,
    checkpoints,
    joins,
    ...(fit === undefined ? {} : { heapFit: fit }),
    ...(dataFit === undefined ? {} : { dataFit }),
    ...(peersFit === undefined ? {} : { peersFit }),
  };
}

/** V8's spaces of compiled code and its metadata (machine code, bytecode, feedback and deopt data). */
const CODE_SPACES = /^(code|trusted|shared_trusted)(_large_object)?_space$/;

/** Bytes used in the heap outside the spaces of compiled code. */
export function heapWithoutCode(): number {
  let code = 0;
  for (const s of getHeapSpaceStatistics()) if (CODE_SPACES.test(s.space_name)) code += s.space_used_size;
  return process.memoryUsage().heapUsed - code;
}

/** The constructor whose objects are the peers (see heap-retained.ts). */
const PEER_CLASSES: ReadonlySet<string> = new Set(['PeerRuntime']);

function peersFields(r: Retained | undefined): Pick<Checkpoint, 'peersBytes' | 'peerRuntimes'> {
  return r === undefined ? {} : { peersBytes: r.bytes, peerRuntimes: r.count };
}
