/**
 * Runs a scenario (format: docs/simulator.md) in REAL time: one Symmetric
 * peer per scenario peer, all in this process, each on its own WebSocket transport over
 * 127.0.0.1, with the scenario's link latency injected by {@link latencyTransport}. The scenario
 * is driven by `@symmetric/sim`'s driver, the one `runScenario` uses (same seeded plan, same
 * per-peer event clocks, same rollback %, lower bound, pace mismatch and convergence check), so
 * the two runs of one scenario can be put side by side.
 */
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { deriveSeed, type RectangleKey, type RectangleState } from '@symmetric/core';
import type { Peer, PeerOptions } from '@symmetric/peer';
import {
  type Metrics,
  parseScenario,
  type RecoveryStats,
  type Scenario,
  type SkewStats,
} from '@symmetric/sim';
import {
  type CarriedFrame,
  driveScenario,
  type ScenarioNetwork,
  scenarioIdentity,
} from '@symmetric/sim/driver';
import type { Link } from '@symmetric/transport';
import { WebSocketTransport } from '@symmetric/transport-ws';
import { type LatencyStats, type LatencyTransport, latencyTransport, mergeLatency } from './latency.js';
import { type LatenessBreakdown, WireObserver } from './wire.js';

export type { LatenessBreakdown } from './wire.js';

/** Machine-readable reason of a {@link RealRunError}. */
export type RealRunErrorCode = 'UNSUPPORTED_SCENARIO' | 'START_FAILED' | 'BAD_OPTION';

/** Thrown by {@link runRealScenario} when it cannot run what it was given. */
export class RealRunError extends Error {
  override readonly name = 'RealRunError';
  /** @param code what went wrong, for programs */
  constructor(
    readonly code: RealRunErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Progress of a real run, reported about every `progressEveryMs`. */
export interface RealProgress {
  /** Seconds since the run started. */
  readonly elapsedS: number;
  readonly durationS: number;
  /** Peers started so far / `live`. */
  readonly started: number;
  readonly live: number;
  /** Events emitted so far (all peers). */
  readonly events: number;
  /** Smallest and largest tick among started peers. */
  readonly minTick: number;
  readonly maxTick: number;
  /** Frames sent so far (all peers). */
  readonly messages: number;
}

/** Options of {@link runRealScenario}. */
export interface RealRunOptions {
  /** Run seed (default: the scenario's). Same seed as a simulated run gives the same event plan. */
  readonly seed?: number;
  /** Called about every `progressEveryMs` (default 5000). */
  readonly onProgress?: (progress: RealProgress) => void;
  readonly progressEveryMs?: number;
  /** Interface the peers listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Extra options for every peer, applied last (like `runScenario`'s `peerOptions`). */
  readonly peerOptions?: Partial<
    Omit<PeerOptions<RectangleState, RectangleKey>, 'app' | 'transports' | 'now' | 'peerId' | 'dial'>
  >;
}

/** What the process itself went through during the measured window (after warm-up). */
export interface RealRuntimeStats {
  /** Always `single-process`: every peer runs on this thread's event loop. */
  readonly mode: 'single-process';
  readonly peers: number;
  /** Event-loop delay: how late a 10 ms timer ran beyond its interval (`perf_hooks.monitorEventLoopDelay`), ms. */
  readonly eventLoopDelayMs: {
    readonly mean: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
  };
  /** CPU time of this process ÷ wall time, % of one core. */
  readonly cpuPct: number;
  /**
   * CPU time per peer per frame, µs: `cpuPct` over (peers × fps), everything in the process
   * included (runtimes, WebSocket I/O, latency injection, timers, the measuring itself).
   */
  readonly cpuUsPerPeerFrame: number;
  /** Ticks each peer advanced per wall second (target: fps): smallest and mean over peers. */
  readonly ticksPerSecond: { readonly min: number; readonly mean: number };
  /** Latency injected on the links, over the whole run (all peers). */
  readonly latency: LatencyStats;
  /**
   * Spread of the peers' clocks: largest minus smallest reading at one instant, sampled once per
   * second after warm-up, ms. Each reading is the peer's last SYNC (fractional clock tick at a
   * known instant) advanced at the rate its recent SYNCs show.
   */
  readonly clockSpreadMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Why deliveries were late (see {@link LatenessBreakdown}). */
  readonly lateness: LatenessBreakdown;
  /** Peer `error` events by code, whole run. */
  readonly peerErrors: Readonly<Record<string, number>>;
  /**
   * Peers not live when the run's time was over (read before they stop): why a run did not
   * converge. `connection` says whether a peer had links at all; `upS` how long its runtime had
   * been running (a restart started it afresh).
   */
  readonly notLiveAtEnd?: readonly {
    readonly peer: number;
    readonly status: string;
    readonly connection: string;
    readonly tick: number;
    readonly upS: number;
  }[];
  /** `os.loadavg()[0]` at the end (other processes share the machine). */
  readonly loadAverage1m: number;
}

/** The metrics of one real run: the simulator's fields (same definitions) plus runtime figures. */
export interface RealMetrics {
  readonly name: string;
  readonly seed: number;
  /** Σ ticks travelled back ÷ Σ ticks simulated, all peers, warm-up excluded, in %. */
  readonly rollbackPct: number;
  /** Σ ticks re-simulated ÷ Σ ticks simulated, in %. */
  readonly resimPct: number;
  readonly rollbacks: number;
  /**
   * Perfect-clock lower bound for the events actually emitted, over the latencies this run's
   * links drew (the simulator's definition), in %.
   */
  readonly lowerBoundPct: number;
  /**
   * The same with every link at its mean latency: an estimate, not a bound, in % (`null` when
   * the driver kept bounded records).
   */
  readonly meanLatencyEstimatePct: number | null;
  /** Recovery as the simulator measures it (within 2 ticks of an up-to-date peer in reach). */
  readonly recoveryS: RecoveryStats;
  /** Recovery by the paper's definition (back online to the network's largest tick, waiting included). */
  readonly recoveryPaperS: Metrics['recoveryPaperS'];
  /** Ticks recovered peers still travelled back in the seconds after recovering. */
  readonly afterRecovery: Metrics['afterRecovery'];
  readonly rollbackToLowerBound: number | null;
  readonly paceMismatchPct: number;
  readonly skewTicks: SkewStats;
  readonly paceReports: number;
  /**
   * Every peer has the same state hash at the final common tick, the same event count, and is
   * within one second of ticks of the others (the simulator's definition).
   */
  readonly converged: boolean;
  readonly distinctFinalHashes: number;
  readonly finalTick: number;
  /** Largest minus smallest tick among the peers at the end. */
  readonly finalTickSpread: number;
  readonly peersOnline: number;
  readonly eventsGenerated: number;
  readonly eventsApplied: number;
  readonly eventsAppliedMax: number;
  /** Frames / bytes sent over all links, whole run. */
  readonly messages: number;
  readonly bytes: number;
  readonly desyncs: number;
  /** Events refused as older than a peer's history horizon. */
  readonly tooOld: number;
  readonly ticksSimulated: number;
  readonly ticksTravelledBack: number;
  readonly ticksResimulated: number;
  readonly lowerBoundTicks: number;
  readonly deltaMs: number | null;
  /** Wall time of the run (peers' start to the final check), ms. */
  readonly wallMs: number;
  readonly runtime: RealRuntimeStats;
}

/** Sampling interval of the event-loop delay histogram; its samples include it, so it is subtracted. */
const ELD_RESOLUTION_MS = 10;
/** A histogram value (ns) as ms beyond the sampling interval. */
const eld = (ns: number): number => round3(Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS));

const round3 = (x: number): number => Math.round(x * 1e3) / 1e3;

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));
}

type RealPeer = Peer<RectangleState, RectangleKey>;

/**
 * Run `scenario` (shared scenario format, or already parsed by `parseScenario`) in real time on
 * real sockets and return its metrics. Takes `durationS` of wall time. Supports the scenario
 * fields of a paper cell (topology, latency, Δ, event load, start jitter, warm-up, quiet tail)
 * and churn that restarts peers from nothing (a restarted peer listens on the port it had, so
 * its neighbours' dials reach it again); churn that keeps state, partitions, joins and drift
 * are refused with {@link RealRunError} `UNSUPPORTED_SCENARIO`.
 *
 * ```ts
 * const m = await runRealScenario(cellScenario(paperSetting(), { latencyMs: 50, perMinute: 25, multiplier: 2 }, 0, 120));
 * console.log(m.rollbackPct, m.converged);
 * ```
 */
export async function runRealScenario(scenario: unknown, options: RealRunOptions = {}): Promise<RealMetrics> {
  const sc: Scenario = parseScenario(scenario);
  if (sc.churn?.restart === false || sc.partitions.length > 0 || sc.joins.length > 0) {
    throw new RealRunError(
      'UNSUPPORTED_SCENARIO',
      'churn that keeps state, partitions and joins are not supported in real runs',
    );
  }
  if (sc.driftPpm !== 0) {
    throw new RealRunError(
      'UNSUPPORTED_SCENARIO',
      'clock drift cannot be injected in real runs (all peers share one clock)',
    );
  }
  if (sc.events.app !== 'rectangle') {
    throw new RealRunError(
      'UNSUPPORTED_SCENARIO',
      `only the rectangle app is supported, got "${sc.events.app}"`,
    );
  }
  const seed = options.seed ?? sc.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RealRunError('BAD_OPTION', `seed must be a non-negative safe integer, got ${seed}`);
  }
  const progressEveryMs = options.progressEveryMs ?? 5000;
  if (!(progressEveryMs > 0)) throw new RealRunError('BAD_OPTION', 'progressEveryMs must be > 0');

  const n = sc.peers;
  const fps = sc.fps;
  const warmupMs = sc.warmupS * 1000;
  const host = options.host ?? '127.0.0.1';
  const ids = new Map<string, number>();
  if (sc.trusted !== true) for (let i = 0; i < n; i++) ids.set(scenarioIdentity(seed, i).peerId, i);
  const wire = new WireObserver(n, fps, sc.trusted === true ? undefined : (id) => ids.get(id));
  /** Runtimes started so far per peer (seeds a restarted peer's latency stream apart). */
  const slotsStarted: number[] = new Array(n).fill(0);
  const peers: (RealPeer | undefined)[] = new Array(n).fill(undefined);
  const sockets: (WebSocketTransport | undefined)[] = new Array(n).fill(undefined);
  const transports: LatencyTransport[] = [];
  const addresses: (string | undefined)[] = new Array(n).fill(undefined);
  /** The port each peer listens on (kept across restarts). */
  const ports: number[] = new Array(n).fill(0);
  /** Peers whose current runtime is running. */
  const running = new Set<number>();
  const started = (): number[] => [...running].sort((a, b) => a - b);
  /** Every frame's drawn delay, by receiving peer and link (the sender is read off its hello). */
  const delays: { to: number; link: Link; arrivedMs: number; delayMs: number; dueMs: number }[] = [];
  const linkIds = new WeakMap<Link, string>();
  let linkSerial = 0;
  /** The peer whose start is under way (a failure there is START_FAILED). */
  let starting: number | undefined;

  const t0 = performance.now();
  const network: ScenarioNetwork<RectangleState, RectangleKey> = {
    now: () => performance.now() - t0,
    advanceTo: (atMs) => sleepUntil(t0 + atMs),
    stepsPeers: false,
    open: (i, { neighbours, originMs }) => {
      starting = i;
      const ws = new WebSocketTransport({ listen: { port: ports[i]!, host } });
      const transport = latencyTransport(
        ws,
        sc.latency,
        deriveSeed(seed, slotsStarted[i] === 0 ? `latency/${i}` : `latency/${i}/${slotsStarted[i]}`),
        {
          tap: (link, frame) => wire.frame(i, link, frame),
          onDelay: (link, arrivedMs, delayMs, dueMs) =>
            delays.push({ to: i, link, arrivedMs: arrivedMs - t0, delayMs, dueMs: dueMs - t0 }),
        },
      );
      slotsStarted[i]!++;
      sockets[i] = ws;
      transports.push(transport);
      wire.setOrigin(i, t0 + originMs);
      // Dial the neighbours that already listen; later ones dial this peer.
      const dial = neighbours.flatMap((j) => (addresses[j] === undefined ? [] : [addresses[j]]));
      return { transport, options: { dial } };
    },
    opened: (i) => {
      starting = undefined;
      addresses[i] = sockets[i]!.addresses()[0];
      const port = Number(new URL(addresses[i] ?? 'ws://x:0').port);
      if (Number.isInteger(port) && port > 0) ports[i] = port;
    },
    carried: () => {
      const frames: CarriedFrame[] = [];
      for (const d of delays) {
        const from = wire.senderOf(d.link) ?? peerIndex(d.link.remotePeerId);
        if (from === undefined) continue;
        let id = linkIds.get(d.link);
        if (id === undefined) {
          id = `l${linkSerial++}`;
          linkIds.set(d.link, id);
        }
        // The wrapper delays at the receiving end: the frame left the socket when it was handed over.
        frames.push({ from, to: d.to, link: id, sentMs: d.arrivedMs, delayMs: d.delayMs, dueMs: d.dueMs });
      }
      return frames;
    },
  };

  const report = (): void => {
    const live = started().map((i) => peers[i]!);
    const ticks = live.map((p) => p.tick);
    options.onProgress?.({
      elapsedS: (performance.now() - t0) / 1000,
      durationS: sc.durationS,
      started: live.length,
      live: live.filter((p) => p.status === 'live').length,
      events: wire.stamps,
      minTick: ticks.length > 0 ? Math.min(...ticks) : 0,
      maxTick: ticks.length > 0 ? Math.max(...ticks) : 0,
      messages: live.reduce((sum, p) => sum + p.stats().framesSent, 0),
    });
  };

  // What the process went through after warm-up.
  const loop = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  const baselineTick: number[] = new Array(n).fill(0);
  let cpuAtWarmup = process.cpuUsage();
  let wallAtWarmup = performance.now();
  let cpu = cpuAtWarmup;
  let wallWindow = 0;
  const tickRates: number[] = [];
  /** When each peer's current runtime was created (wall ms since the start). */
  const createdAt: number[] = new Array(n).fill(0);
  const notLiveAtEnd: NonNullable<RealRuntimeStats['notLiveAtEnd']>[number][] = [];

  loop.enable();
  const progressTimer = options.onProgress === undefined ? undefined : setInterval(report, progressEveryMs);
  try {
    const { metrics: m, finalPeers } = await driveScenario<RectangleState, RectangleKey>(sc, network, {
      seed,
      defaultRoom: 'symmetric-real',
      includeWall: false,
      ...(options.peerOptions !== undefined ? { peerOptions: options.peerOptions } : {}),
      hooks: {
        onPeer: (i, peer) => {
          peers[i] = peer;
          createdAt[i] = performance.now() - t0;
          running.add(i);
          peer.on('status', (status) => {
            if (status === 'stopped' && peers[i] === peer) running.delete(i);
          });
          peer.on('emit', (e) => wire.stamp(i, e, peer.delayTicks));
        },
        onWarmUp: () => {
          for (const i of started()) baselineTick[i] = peers[i]!.tick;
          loop.reset();
          cpuAtWarmup = process.cpuUsage();
          wallAtWarmup = performance.now();
        },
        onPaceRound: (atMs) => {
          if (atMs > warmupMs) wire.sampleSpread(started());
        },
        onEnd: () => {
          wallWindow = performance.now() - wallAtWarmup;
          cpu = process.cpuUsage(cpuAtWarmup);
          loop.disable();
          for (const i of started())
            tickRates.push((peers[i]!.tick - baselineTick[i]!) / (wallWindow / 1000));
          const endMs = performance.now() - t0;
          for (const i of started()) {
            const p = peers[i]!;
            if (p.status === 'live') continue;
            const c = p.connection;
            notLiveAtEnd.push({
              peer: i,
              status: p.status,
              connection: 'neighbours' in c ? `${c.kind} (${c.neighbours})` : c.kind,
              tick: p.tick,
              upS: round3((endMs - createdAt[i]!) / 1000),
            });
          }
          if (progressTimer !== undefined) clearInterval(progressTimer);
          if (options.onProgress !== undefined) report();
        },
      },
    }).catch((cause: unknown) => {
      if (starting === undefined) throw cause;
      throw new RealRunError('START_FAILED', `peer p${starting} failed to start: ${String(cause)}`, {
        cause,
      });
    });
    const finalTick = m.finalTick;
    return {
      name: m.name,
      seed: m.seed,
      rollbackPct: m.rollbackPct,
      resimPct: m.resimPct,
      rollbacks: m.rollbacks,
      lowerBoundPct: m.lowerBoundPct ?? 0,
      meanLatencyEstimatePct: m.meanLatencyEstimatePct,
      recoveryS: m.recoveryS,
      recoveryPaperS: m.recoveryPaperS,
      afterRecovery: m.afterRecovery,
      rollbackToLowerBound: m.rollbackToLowerBound,
      paceMismatchPct: m.paceMismatchPct,
      skewTicks: m.skewTicks,
      paceReports: m.paceReports,
      // Every scenario peer took part (all online at the end unless churn took some down), and
      // each has a state hash at the final tick.
      converged:
        m.converged &&
        (sc.churn !== undefined || finalPeers.length === n) &&
        finalPeers.every((p) => p.stateHashAt(finalTick) !== undefined),
      distinctFinalHashes: m.distinctFinalHashes,
      finalTick,
      finalTickSpread: m.finalTickSpread,
      peersOnline: m.peersOnline,
      eventsGenerated: m.eventsGenerated,
      eventsApplied: m.eventsApplied,
      eventsAppliedMax: m.eventsAppliedMax,
      messages: m.messages,
      bytes: m.bytes,
      desyncs: m.desyncs,
      tooOld: m.tooOld,
      ticksSimulated: m.ticksSimulated,
      ticksTravelledBack: m.ticksTravelledBack,
      ticksResimulated: m.ticksResimulated,
      lowerBoundTicks: m.lowerBoundTicks ?? 0,
      deltaMs: m.deltaMs,
      wallMs: Math.round(performance.now() - t0),
      runtime: {
        mode: 'single-process',
        peers: n,
        eventLoopDelayMs: {
          mean: eld(loop.mean),
          p50: eld(loop.percentile(50)),
          p99: eld(loop.percentile(99)),
          max: eld(loop.max),
        },
        cpuPct: round3((100 * (cpu.user + cpu.system)) / 1000 / wallWindow),
        cpuUsPerPeerFrame: round3((cpu.user + cpu.system) / (wallWindow / 1000) / (n * fps)),
        ticksPerSecond: {
          min: round3(Math.min(...tickRates)),
          mean: round3(tickRates.reduce((a, b) => a + b, 0) / tickRates.length),
        },
        latency: mergeLatency(transports.map((t) => t.stats())),
        clockSpreadMs: wire.spread(),
        lateness: wire.lateness(t0 + warmupMs),
        peerErrors: m.peerErrors,
        notLiveAtEnd,
        loadAverage1m: round3(loadavg()[0] ?? 0),
      },
    };
  } finally {
    if (progressTimer !== undefined) clearInterval(progressTimer);
    loop.disable();
  }
}

/** Scenario peer index of a peer id `p<i>`, if it is one. */
function peerIndex(peerId: string | undefined): number | undefined {
  const m = /^p(\d+)$/.exec(peerId ?? '');
  return m === null ? undefined : Number(m[1]);
}

/** The machine this runs on, for report headers. */
export function machine(): { cpu: string; cores: number; node: string; platform: string } {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
