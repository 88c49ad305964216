/**
 * Runs a scenario of the shared format (shared/scenarios/README.md) in REAL time: one Symmetric
 * peer per scenario peer, all in this process, each on its own WebSocket transport over
 * 127.0.0.1, with the scenario's link latency injected by {@link latencyTransport}. The load,
 * start offsets and metrics are those of `@symmetric/sim`'s `runScenario` (same seeded plan, same
 * per-peer event clocks, same rollback %, lower bound, pace mismatch and convergence check), so
 * the two runs of one scenario can be put side by side.
 */
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createCodec, type FrameDecoder, rectangleKeyCodec } from '@symmetric/codec';
import { deriveSeed, type RectangleKey, type RectangleState, rectangleApp } from '@symmetric/core';
import { createPeer, type Peer, type PeerOptions, type PeerStats } from '@symmetric/peer';
import {
  adjacency,
  drawPlan,
  type EmittedEvent,
  EventClock,
  latencyMeanMs,
  PaceTracker,
  parseScenario,
  perfectClockLateTicks,
  type Scenario,
  type SkewStats,
  scenarioEdges,
} from '@symmetric/sim';
import type { Link } from '@symmetric/transport';
import { WebSocketTransport } from '@symmetric/transport-ws';
import { type LatencyStats, type LatencyTransport, latencyTransport } from './latency.js';

/** Machine-readable reason of a {@link RealRunError}. */
export type RealRunErrorCode = 'UNSUPPORTED_SCENARIO' | 'START_FAILED' | 'BAD_OPTION';

/** Thrown by {@link runRealScenario} when it cannot run what it was given. */
export class RealRunError extends Error {
  override readonly name = 'RealRunError';
  /** What went wrong, for programs. */
  readonly code: RealRunErrorCode;

  constructor(code: RealRunErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
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
  /** Perfect-clock lower bound for the events actually emitted, in %. */
  readonly lowerBoundPct: number;
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

interface Totals {
  ticksSimulated: number;
  ticksTravelledBack: number;
  ticksResimulated: number;
  rollbacks: number;
}

function totalsOf(s: PeerStats): Totals {
  return {
    ticksSimulated: s.ticksSimulated,
    ticksTravelledBack: s.ticksTravelledBack,
    ticksResimulated: s.ticksResimulated,
    rollbacks: s.rollbacks,
  };
}

/** Sampling interval of the event-loop delay histogram; its samples include it, so it is subtracted. */
const ELD_RESOLUTION_MS = 10;
/** A histogram value (ns) as ms beyond the sampling interval. */
const eld = (ns: number): number => round3(Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS));

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const round3 = (x: number): number => Math.round(x * 1e3) / 1e3;

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));
}

/** One stamped event and where it arrived (for the lateness breakdown). */
interface Stamp {
  readonly source: number;
  readonly tick: number;
  readonly delayTicks: number;
  /** `performance.now()` when stamped, and the sender's clock then (ms). */
  readonly at: number;
  readonly senderClock: number | undefined;
  /** First arrival at each other peer: when, and both clocks at that instant (ms). */
  readonly arrivals: Map<
    number,
    {
      readonly at: number;
      readonly receiverClock: number | undefined;
      readonly senderClock: number | undefined;
    }
  >;
}

/**
 * Why deliveries were late, from the real run's wire: for each first arrival of an event at a
 * peer (after warm-up), lateness = receiver's clock at arrival − the event's tick, split as
 * travel time + stamp lag + (receiver − sender clock at arrival) − Δ (+ a residual from the
 * sender's clock rate during the travel). All in ms, means over the deliveries named.
 */
export interface LatenessBreakdown {
  /** First arrivals measured (both clocks known). */
  readonly deliveries: number;
  /** Of them, arrivals after the event's tick by the clocks (late: a rollback for the receiver). */
  readonly late: number;
  /** Over late arrivals: mean lateness, and its parts. */
  readonly lateMeanMs: number;
  readonly lateTravelMs: number;
  readonly lateStampLagMs: number;
  readonly lateClockOffsetMs: number;
  /** Over all arrivals: mean receiver − sender clock offset (bias) and mean |offset|. */
  readonly offsetMeanMs: number;
  readonly offsetAbsMeanMs: number;
  /** Over all stamps: how far the sender's clock was past the tick it stamped from (frame phase), ms. */
  readonly stampLagMeanMs: number;
  /** Δ used, ms. */
  readonly deltaMs: number;
}

interface Slot {
  peer: Peer<RectangleState, RectangleKey> | undefined;
  transport: LatencyTransport | undefined;
  address: string | undefined;
  baseline: Totals | undefined;
  baselineTick: number;
  events: EventClock;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** `performance.now()` at which the peer's clock read 0 (its `now()` origin). */
  origin: number;
  /** The peer's last SYNC seen on the wire: its clock reading `tick` at `performance.now()` `at`. */
  lastSync: { at: number; tick: number } | undefined;
  /** Its clock rate from two SYNCs at least 200 ms apart, ticks per ms (nominal fps/1000). */
  clockRate: number;
  /** The older SYNC that rate is measured from. */
  rateAnchor: { at: number; tick: number } | undefined;
}

/**
 * Run `scenario` (shared scenario format, or already parsed by `parseScenario`) in real time on
 * real sockets and return its metrics. Takes `durationS` of wall time. Supports the scenario
 * fields of a paper cell (topology, latency, Δ, event load, start jitter, warm-up, quiet tail);
 * churn, partitions, joins and drift are refused with {@link RealRunError}
 * `UNSUPPORTED_SCENARIO`.
 *
 * ```ts
 * const m = await runRealScenario(cellScenario(paperSetting(), { latencyMs: 50, perMinute: 25, multiplier: 2 }, 0, 120));
 * console.log(m.rollbackPct, m.converged);
 * ```
 */
export async function runRealScenario(scenario: unknown, options: RealRunOptions = {}): Promise<RealMetrics> {
  const sc: Scenario = parseScenario(scenario);
  if (sc.churn !== undefined || sc.partitions.length > 0 || sc.joins.length > 0) {
    throw new RealRunError(
      'UNSUPPORTED_SCENARIO',
      'churn, partitions and joins are not supported in real runs',
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
  const edges = scenarioEdges(sc, seed);
  const adj = adjacency(n, edges);
  const plan = drawPlan(sc, seed, edges);
  const durationMs = sc.durationS * 1000;
  const warmupMs = sc.warmupS * 1000;
  const room = sc.name === '' ? 'symmetric-real' : sc.name;
  const delay = 'ms' in sc.delay ? sc.delay.ms : ('auto' as const);
  const host = options.host ?? '127.0.0.1';

  const slots: Slot[] = Array.from({ length: n }, (_, i) => ({
    peer: undefined,
    transport: undefined,
    address: undefined,
    baseline: undefined,
    baselineTick: 0,
    events: new EventClock(seed, i, plan, fps, sc.events.firstAfterS),
    timer: undefined,
    origin: 0,
    lastSync: undefined,
    clockRate: fps / 1000,
    rateAnchor: undefined,
  }));
  /** Per pace round after warm-up: spread of the peers' clock readings, ms. */
  const clockSpreads: number[] = [];
  // Every delivered frame is decoded once more here (one decoder per link, as the receiving peer
  // does) to read the senders' SYNCs: their `time` is the sender's `now()` and `tick` its clock.
  const codec = createCodec<number>({ payload: rectangleKeyCodec });
  const decoders = new WeakMap<Link, { decoder: FrameDecoder<number>; sender: number | undefined }>();
  /** The clock of `slot` at `performance.now()` `at`, ms, read off its SYNCs (see clockSpreadMs). */
  const readClock = (slot: Slot, at: number): number | undefined =>
    slot.lastSync === undefined
      ? undefined
      : ((slot.lastSync.tick + slot.clockRate * (at - slot.lastSync.at)) * 1000) / fps;
  /** Every stamped own event, by `source/seq`, with where the clocks stood (see `lateness`). */
  const stamped = new Map<string, Stamp>();
  const watchFrames = (receiver: number, link: Link, frame: Uint8Array): void => {
    let d = decoders.get(link);
    if (d === undefined) {
      d = { decoder: codec.decoder(), sender: undefined };
      decoders.set(link, d);
    }
    let f: ReturnType<FrameDecoder<number>['decode']>;
    try {
      f = d.decoder.decode(frame);
    } catch {
      return; // the receiving peer reports bad frames itself
    }
    if (f.type === 'hello') {
      const j = Number(/^p(\d+)$/.exec(f.peerId)?.[1]);
      d.sender = Number.isInteger(j) && j >= 0 && j < n ? j : undefined;
    } else if (f.type === 'events') {
      const now = performance.now();
      for (const e of f.events) {
        const st = stamped.get(`${e.source}/${e.seq}`);
        if (st === undefined || st.arrivals.has(receiver)) continue;
        st.arrivals.set(receiver, {
          at: now,
          receiverClock: readClock(slots[receiver]!, now),
          senderClock: readClock(slots[st.source]!, now),
        });
      }
    } else if (f.type === 'sync' && d.sender !== undefined) {
      const sender = slots[d.sender]!;
      const at = sender.origin + f.time;
      const last = sender.lastSync;
      if (last !== undefined && at <= last.at) return; // an older SYNC sent on another link
      const sample = { at, tick: f.tick };
      sender.lastSync = sample;
      const anchor = sender.rateAnchor;
      if (anchor === undefined) sender.rateAnchor = sample;
      else if (at - anchor.at >= 200) {
        // The clock slews (at most a few % off nominal): follow its current rate.
        const nominal = fps / 1000;
        const rate = (f.tick - anchor.tick) / (at - anchor.at);
        sender.clockRate = Math.min(1.1 * nominal, Math.max(0.9 * nominal, rate));
        sender.rateAnchor = sample;
      }
    }
  };
  const emitted: EmittedEvent[] = [];
  const peerErrors: Record<string, number> = {};
  const pace = new PaceTracker(fps);
  const loop = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  let stopped = false;

  const t0 = performance.now();
  const rel = (): number => performance.now() - t0;

  /** Fire every event of peer `i` that is due, then wait for the next one. */
  const pump = (i: number): void => {
    const slot = slots[i]!;
    slot.timer = undefined;
    const peer = slot.peer;
    if (stopped || peer === undefined) return;
    const ev = slot.events;
    const t = rel();
    while (ev.next <= t && ev.next < plan.eventsEndMs) {
      // As in the simulator: a peer still learning its frontier queues the emit and stamps it
      // as soon as it can.
      peer.emit(ev.payloadRandom.int(5) as RectangleKey);
      emitted.push({ source: i, atMs: t, deltaMs: (peer.delayTicks * 1000) / fps });
      ev.advance();
    }
    if (ev.next < plan.eventsEndMs) {
      slot.timer = setTimeout(() => pump(i), Math.max(0, ev.next - rel()));
    }
  };

  const startPeer = async (i: number): Promise<void> => {
    const slot = slots[i]!;
    const ws = new WebSocketTransport({ listen: { port: 0, host } });
    const transport = latencyTransport(ws, sc.latency, deriveSeed(seed, `latency/${i}`), {
      tap: (link, frame) => watchFrames(i, link, frame),
    });
    // Dial the neighbours that already listen; later ones dial this peer.
    const dial = adj[i]!.filter((j) => slots[j]!.address !== undefined).map((j) => slots[j]!.address!);
    const origin = performance.now();
    slot.origin = origin;
    const peer = createPeer<RectangleState, RectangleKey>({
      app: rectangleApp,
      transports: [transport],
      room,
      fps,
      delay,
      peerId: `p${i}`,
      seed,
      payloadCodec: rectangleKeyCodec,
      ...(sc.history !== undefined ? { history: sc.history } : {}),
      hashEvery: fps,
      dial,
      ...options.peerOptions,
      now: () => performance.now() - origin,
    } as PeerOptions<RectangleState, RectangleKey>);
    peer.on('error', (e) => {
      peerErrors[e.code] = (peerErrors[e.code] ?? 0) + 1;
    });
    peer.on('emit', (e) => {
      const at = performance.now();
      stamped.set(`${e.source}/${e.seq}`, {
        source: i,
        tick: e.tick,
        delayTicks: peer.delayTicks,
        at,
        senderClock: readClock(slot, at),
        arrivals: new Map(),
      });
    });
    slot.peer = peer;
    slot.transport = transport;
    try {
      await peer.start();
    } catch (cause) {
      throw new RealRunError('START_FAILED', `peer p${i} failed to start: ${String(cause)}`, { cause });
    }
    slot.address = ws.addresses()[0];
    slot.events.restart(rel());
    pump(i);
  };

  const started = (): Slot[] => slots.filter((s) => s.peer !== undefined);
  /**
   * How far apart the peers' clocks read right now, ms. A peer's clock is read off its last SYNC
   * on the wire (its fractional clock tick at a known instant; SYNCs go at least once a second)
   * advanced to now at the rate its recent SYNCs show, so neither frame-timer phase nor delivery
   * delay enters.
   */
  const clockSpreadMs = (): number | undefined => {
    const now = performance.now();
    const readings: number[] = [];
    for (const s of started()) {
      if (s.lastSync === undefined) return undefined;
      readings.push(((s.lastSync.tick + s.clockRate * (now - s.lastSync.at)) * 1000) / fps);
    }
    return readings.length < 2 ? undefined : Math.max(...readings) - Math.min(...readings);
  };
  const stopAll = async (): Promise<void> => {
    stopped = true;
    for (const s of slots) if (s.timer !== undefined) clearTimeout(s.timer);
    await Promise.all(started().map((s) => s.peer!.stop().catch(() => {})));
  };

  loop.enable();
  let progressTimer: ReturnType<typeof setInterval> | undefined;
  try {
    // Start the peers at their planned offsets (order of the plan's start times).
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => plan.startMs[a]! - plan.startMs[b]! || a - b,
    );
    const starting = (async () => {
      for (const i of order) {
        await sleepUntil(t0 + plan.startMs[i]!);
        await startPeer(i);
      }
    })();

    const report = (): void => {
      const s = started();
      const ticks = s.map((x) => x.peer!.tick);
      options.onProgress?.({
        elapsedS: rel() / 1000,
        durationS: sc.durationS,
        started: s.length,
        live: s.filter((x) => x.peer!.status === 'live').length,
        events: emitted.length,
        minTick: ticks.length > 0 ? Math.min(...ticks) : 0,
        maxTick: ticks.length > 0 ? Math.max(...ticks) : 0,
        messages: s.reduce((sum, x) => sum + x.peer!.stats().framesSent, 0),
      });
    };
    if (options.onProgress !== undefined) progressTimer = setInterval(report, progressEveryMs);

    // Pace rounds once per second; the warm-up sample at warmupMs.
    let cpuAtWarmup = process.cpuUsage();
    let wallAtWarmup = performance.now();
    let warmedUp = false;
    const warmUp = (): void => {
      warmedUp = true;
      for (const s of started()) {
        s.baseline = totalsOf(s.peer!.stats());
        s.baselineTick = s.peer!.tick;
      }
      loop.reset();
      cpuAtWarmup = process.cpuUsage();
      wallAtWarmup = performance.now();
    };
    for (let second = 1; second * 1000 <= durationMs; second++) {
      const at = second * 1000;
      if (!warmedUp && warmupMs < at) {
        await sleepUntil(t0 + warmupMs);
        warmUp();
      }
      await sleepUntil(t0 + at);
      if (!warmedUp && at >= warmupMs) warmUp();
      // Judged like the simulator's rounds: by the round's nominal time.
      const reports = started().map((s) => ({ tick: s.peer!.tick, counted: at > warmupMs }));
      pace.round(reports);
      const spread = at > warmupMs ? clockSpreadMs() : undefined;
      if (spread !== undefined) clockSpreads.push(spread);
    }
    await sleepUntil(t0 + durationMs);
    await starting;
    if (!warmedUp) warmUp();
    if (progressTimer !== undefined) clearInterval(progressTimer);
    progressTimer = undefined;
    if (options.onProgress !== undefined) report();

    // Final accounting, as runScenario does it.
    const wallWindow = performance.now() - wallAtWarmup;
    const cpu = process.cpuUsage(cpuAtWarmup);
    loop.disable();
    const peers = started().map((s) => s.peer!);
    const totals: Totals = { ticksSimulated: 0, ticksTravelledBack: 0, ticksResimulated: 0, rollbacks: 0 };
    let messages = 0;
    let bytes = 0;
    let desyncs = 0;
    let tooOld = 0;
    const tickRates: number[] = [];
    for (const s of started()) {
      const st = s.peer!.stats();
      const base = s.baseline ?? {
        ticksSimulated: 0,
        ticksTravelledBack: 0,
        ticksResimulated: 0,
        rollbacks: 0,
      };
      totals.ticksSimulated += st.ticksSimulated - base.ticksSimulated;
      totals.ticksTravelledBack += st.ticksTravelledBack - base.ticksTravelledBack;
      totals.ticksResimulated += st.ticksResimulated - base.ticksResimulated;
      totals.rollbacks += st.rollbacks - base.rollbacks;
      messages += st.framesSent;
      bytes += st.bytesSent;
      desyncs += st.desyncs;
      tooOld += st.tooOld;
      tickRates.push((s.peer!.tick - s.baselineTick) / (wallWindow / 1000));
    }
    const minTick = Math.min(...peers.map((p) => p.tick));
    const finalTickSpread = Math.max(...peers.map((p) => p.tick)) - minTick;
    const finalTick = Math.max(0, Math.floor((minTick - 1) / fps) * fps);
    const hashes = new Set(peers.map((p) => p.stateHashAt(finalTick) ?? '(none)'));
    const applied = peers.map((p) => p.stats().events);
    const eventsApplied = Math.min(...applied);
    const eventsAppliedMax = Math.max(...applied);
    const latency = mergeLatency(started().map((s) => s.transport!.stats()));

    const lbTicks = perfectClockLateTicks(
      { peers: n, edges, linkMs: latencyMeanMs(sc.latency), online: plan.online },
      emitted,
      { deltaMs: 'ms' in sc.delay ? sc.delay.ms : 0, fps, fromMs: warmupMs },
    );
    const denom = totals.ticksSimulated;
    const pct = (x: number): number => (denom > 0 ? round6((100 * x) / denom) : 0);
    const rollbackPct = pct(totals.ticksTravelledBack);
    const lowerBoundPct = pct(lbTicks);
    const wallMs = Math.round(performance.now() - t0);
    return {
      name: sc.name,
      seed,
      rollbackPct,
      resimPct: pct(totals.ticksResimulated),
      rollbacks: totals.rollbacks,
      lowerBoundPct,
      rollbackToLowerBound: lowerBoundPct > 0 ? round6(rollbackPct / lowerBoundPct) : null,
      paceMismatchPct: round6(pace.mismatchPct),
      skewTicks: pace.skew(),
      paceReports: pace.reports,
      converged:
        peers.length === n &&
        hashes.size === 1 &&
        !hashes.has('(none)') &&
        eventsApplied === eventsAppliedMax &&
        finalTickSpread <= fps,
      distinctFinalHashes: hashes.size,
      finalTick,
      finalTickSpread,
      peersOnline: peers.length,
      eventsGenerated: emitted.length,
      eventsApplied,
      eventsAppliedMax,
      messages,
      bytes,
      desyncs,
      tooOld,
      ticksSimulated: totals.ticksSimulated,
      ticksTravelledBack: totals.ticksTravelledBack,
      ticksResimulated: totals.ticksResimulated,
      lowerBoundTicks: round6(lbTicks),
      deltaMs: 'ms' in sc.delay ? sc.delay.ms : null,
      wallMs,
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
        ticksPerSecond: {
          min: round3(Math.min(...tickRates)),
          mean: round3(tickRates.reduce((a, b) => a + b, 0) / tickRates.length),
        },
        latency,
        clockSpreadMs: spreadStats(clockSpreads),
        lateness: breakdown(stamped, t0 + warmupMs, 1000 / fps),
        peerErrors,
        loadAverage1m: round3(loadavg()[0] ?? 0),
      },
    };
  } finally {
    if (progressTimer !== undefined) clearInterval(progressTimer);
    loop.disable();
    await stopAll();
  }
}

function breakdown(stamped: ReadonlyMap<string, Stamp>, fromAbs: number, tickMs: number): LatenessBreakdown {
  let deliveries = 0;
  let late = 0;
  let lateSum = 0;
  let lateTravel = 0;
  let lateLag = 0;
  let lateOffset = 0;
  let offsetSum = 0;
  let offsetAbs = 0;
  let lagSum = 0;
  let lagCount = 0;
  let deltaMs = 0;
  for (const st of stamped.values()) {
    if (st.at < fromAbs || st.senderClock === undefined) continue;
    const stampTickMs = st.tick * tickMs;
    const lag = st.senderClock - (st.tick - st.delayTicks) * tickMs;
    deltaMs = st.delayTicks * tickMs;
    lagSum += lag;
    lagCount++;
    for (const a of st.arrivals.values()) {
      if (a.receiverClock === undefined || a.senderClock === undefined) continue;
      deliveries++;
      const offset = a.receiverClock - a.senderClock;
      offsetSum += offset;
      offsetAbs += Math.abs(offset);
      const lateness = a.receiverClock - stampTickMs;
      if (lateness > 0) {
        late++;
        lateSum += lateness;
        lateTravel += a.at - st.at;
        lateLag += lag;
        lateOffset += offset;
      }
    }
  }
  const mean = (x: number, k: number): number => (k > 0 ? round3(x / k) : 0);
  return {
    deliveries,
    late,
    lateMeanMs: mean(lateSum, late),
    lateTravelMs: mean(lateTravel, late),
    lateStampLagMs: mean(lateLag, late),
    lateClockOffsetMs: mean(lateOffset, late),
    offsetMeanMs: mean(offsetSum, deliveries),
    offsetAbsMeanMs: mean(offsetAbs, deliveries),
    stampLagMeanMs: mean(lagSum, lagCount),
    deltaMs,
  };
}

function spreadStats(xs: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
  return { p50: round3(at(0.5)), p99: round3(at(0.99)), max: round3(sorted.at(-1) ?? 0) };
}

/** Combine the latency counters of several transports (frame-weighted). */
export function mergeLatency(list: readonly LatencyStats[]): LatencyStats {
  let framesIn = 0;
  let framesDelivered = 0;
  let framesDropped = 0;
  let sampled = 0;
  let actual = 0;
  let actualSq = 0;
  let lateness = 0;
  let latenessMax = 0;
  for (const s of list) {
    framesIn += s.framesIn;
    framesDelivered += s.framesDelivered;
    framesDropped += s.framesDropped;
    sampled += s.sampledMeanMs * s.framesIn;
    actual += s.actualMeanMs * s.framesDelivered;
    // Recover Σx² from each part's mean and s.d.
    actualSq +=
      s.framesDelivered > 1
        ? s.actualSdMs ** 2 * (s.framesDelivered - 1) + s.framesDelivered * s.actualMeanMs ** 2
        : s.framesDelivered * s.actualMeanMs ** 2;
    lateness += s.latenessMeanMs * s.framesDelivered;
    latenessMax = Math.max(latenessMax, s.latenessMaxMs);
  }
  const mean = framesDelivered > 0 ? actual / framesDelivered : 0;
  return {
    framesIn,
    framesDelivered,
    framesDropped,
    sampledMeanMs: round3(framesIn > 0 ? sampled / framesIn : 0),
    actualMeanMs: round3(mean),
    actualSdMs: round3(
      framesDelivered > 1
        ? Math.sqrt(Math.max(0, (actualSq - framesDelivered * mean * mean) / (framesDelivered - 1)))
        : 0,
    ),
    latenessMeanMs: round3(framesDelivered > 0 ? lateness / framesDelivered : 0),
    latenessMaxMs: round3(latenessMax),
  };
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
