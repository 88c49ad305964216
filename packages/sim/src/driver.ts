/**
 * The scenario driver: runs one scenario over a {@link ScenarioNetwork} (the loopback network in
 * virtual time, or real sockets on real timers). It draws the plan, starts, stops and restarts
 * the peers on schedule, cuts and heals links, emits the event load, takes the pace reports,
 * tracks recovery windows and assembles the {@link Metrics}. Imported as `@symmetric/sim/driver`;
 * `runScenario` is this driver over the loopback network in virtual time.
 *
 * @packageDocumentation
 * @module @symmetric/sim/driver
 */
import { performance } from 'node:perf_hooks';
import type { PayloadCodec } from '@symmetric/codec';
import type { App, SeededRandom } from '@symmetric/core';
import { openPeer, type Peer, type PeerIdentity, type PeerOptions } from '@symmetric/peer';
import { resolveApp } from './app-choice.js';
import { ScenarioError } from './errors.js';
import { Holdings } from './held.js';
import { type Metrics, PaceTracker, round6 } from './metrics.js';
import {
  type PeerOverrides,
  type PeerTransport,
  peerAddress,
  type ScenarioNetwork,
  scenarioIdentity,
} from './network.js';
import { drawPlan, EventClock, latencyMeanMs } from './plan.js';
import { RecoveryTracker } from './recovery.js';
import { RunRecords, type RunRecordsMode } from './run-records.js';
import { parseScenario, type Scenario } from './scenario.js';
import { type FrameStepping, stepWithinFrame } from './stepping.js';
import { InstantStore, OfflineTally } from './stores.js';
import { adjacency, scenarioEdges } from './topology.js';
import { type PeerTotals, totalsOf, ZERO } from './totals.js';
import { type TraceEvent, traceRuntime } from './trace.js';

export type { CarriedFrame } from './frame-columns.js';
export {
  type PeerOverrides,
  type PeerTransport,
  peerAddress,
  type RuntimeInfo,
  type ScenarioNetwork,
  scenarioIdentity,
} from './network.js';
export type { RunRecordsMode } from './run-records.js';
export {
  type VirtualNetwork,
  type VirtualNetworkOptions,
  type VirtualNetworkSpec,
  virtualNetwork,
} from './virtual-network.js';

/** What the caller of {@link driveScenario} may observe while it runs. */
export interface DriverHooks<S, E> {
  /** A runtime of peer `i` was created (before it is attached or started). */
  readonly onPeer?: (i: number, peer: Peer<S, E>) => void;
  /** The warm-up ended at run time `atMs` (peer stats are sampled then). */
  readonly onWarmUp?: (atMs: number) => void;
  /** A pace round was taken at run time `atMs` (once per second of run time). */
  readonly onPaceRound?: (atMs: number) => void;
  /** The run's time is over; called before the final accounting. */
  readonly onEnd?: () => void;
}

/** Options of {@link driveScenario}. */
export interface DriveOptions<S = unknown, E = unknown> {
  /** Run seed (default: the scenario's `seed`). */
  readonly seed?: number;
  /** The app every peer runs (default: the scenario's `events.app`, which must then be `rectangle`). */
  readonly app?: App<S, E>;
  /** Wire codec of the app's event payloads. */
  readonly payloadCodec?: PayloadCodec<E>;
  /** Draw one event payload for peer `peer` (default for the rectangle: a key 0..4 uniformly). */
  readonly randomEvent?: (random: SeededRandom, peer: number) => E;
  /** Room name when the scenario has no name. */
  readonly defaultRoom: string;
  /** Called with the fraction of run time done (0..1), about every 1 %. */
  readonly onProgress?: (fraction: number) => void;
  /** Include `wallMs` in the metrics (default `true`). */
  readonly includeWall?: boolean;
  /**
   * `false`: `finalPeers` is empty, the peers let go once compared, before the realized lower
   * bound reads the frames (a large room's peers and frame index need not fit together).
   */
  readonly keepPeers?: boolean;
  /** Called with what happens during the run, in order. */
  readonly trace?: (event: TraceEvent) => void;
  /** Extra options for every peer, applied after the scenario's and the network's. */
  readonly peerOptions?: PeerOverrides<S, E>;
  /**
   * What the driver keeps of the run (default `'full'`). `'bounded'`: no per-event, per-adoption
   * or per-restart record, so a long run's memory is the peers' plus a bounded driver; the
   * figures that search every event's journeys (`lowerBoundPct`, `lowerBoundTicks`,
   * `rollbackToLowerBound`, `meanLatencyEstimatePct`, `meanLatencyEstimateTicks`) are then
   * `null`. Every other metric is the same as with `'full'`.
   */
  readonly records?: RunRecordsMode;
  readonly hooks?: DriverHooks<S, E>;
}

/** What {@link driveScenario} returns. */
export interface DriveResult<S, E> {
  readonly metrics: Metrics;
  /** The peers online at the end (compared for convergence), already stopped; none with `keepPeers: false`. */
  readonly finalPeers: readonly Peer<S, E>[];
}

/** One scenario peer; a restart gives it a new runtime. */
interface Slot<S, E> {
  peer: Peer<S, E> | undefined;
  transport: PeerTransport | undefined;
  /** `true` while online (stepped, may emit). */
  online: boolean;
  /** Runtimes created so far (the next one's incarnation). */
  incarnations: number;
  /** Cut off and still running: stepped, and its user emits (churn `emitOffline`). */
  offlineWork: boolean;
  /** The peer's store (churn `store`): it outlives each runtime. */
  store: InstantStore | undefined;
  /** Run ms at which the current runtime's clock reads 0. */
  originMs: number;
  /** Stats of the current runtime at warm-up end (zero when it started after). */
  baseline: PeerTotals;
  events: EventClock;
}

/**
 * Run `scenario` over `network` and return its metrics. Throws {@link ScenarioError} for a bad
 * scenario or seed, or for partitions and keep-state churn on a network that cannot cut links.
 */
export async function driveScenario<S = unknown, E = unknown>(
  scenario: Scenario | unknown,
  network: ScenarioNetwork<S, E>,
  options: DriveOptions<S, E>,
): Promise<DriveResult<S, E>> {
  // Always validate: parsing is idempotent, so an already-parsed scenario passes unchanged.
  const sc: Scenario = parseScenario(scenario);
  const wallStart = performance.now();
  const seed = options.seed ?? sc.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ScenarioError('OUT_OF_RANGE', 'seed', `seed must be a non-negative safe integer, got ${seed}`);
  }
  const restartOnChurn = sc.churn?.restart !== false;
  if (
    (network.cut === undefined || network.heal === undefined) &&
    (sc.partitions.length > 0 || (sc.churn !== undefined && !restartOnChurn))
  ) {
    throw new ScenarioError(
      'UNSUPPORTED',
      sc.partitions.length > 0 ? 'partitions' : 'churn.restart',
      'this network cannot cut links (partitions, churn that keeps state)',
    );
  }
  const { app, payloadCodec, randomEvent } = resolveApp(sc, options);
  const hooks = options.hooks ?? {};
  const trace = options.trace;
  const n = sc.peers;
  const fps = sc.fps;
  const edges = scenarioEdges(sc, seed);
  const adj = adjacency(n, edges);
  const plan = drawPlan(sc, seed, edges);
  const durationMs = sc.durationS * 1000;
  const warmupMs = sc.warmupS * 1000;
  const room = sc.name === '' ? options.defaultRoom : sc.name;
  const delay = 'ms' in sc.delay ? sc.delay.ms : ('auto' as const);

  const slots: Slot<S, E>[] = [];
  /** Each peer's next event time (its {@link EventClock}'s, read on every step). */
  const nextEventAt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    slots.push({
      peer: undefined,
      transport: undefined,
      online: false,
      incarnations: 0,
      offlineWork: false,
      store: undefined,
      originMs: 0,
      baseline: ZERO,
      events: new EventClock(seed, i, plan, fps, sc.events.firstAfterS, nextEventAt),
    });
  }
  const totals: PeerTotals = { ...ZERO };
  let framesSent = 0;
  let bytesSent = 0;
  let desyncs = 0;
  let tooOld = 0;
  const peerErrors = new Map<string, number>();
  const tally = new OfflineTally();
  /** User actions, re-stamps and what each runtime applied (docs/simulator.md, offline metrics). */
  const holdings = new Holdings(n, sc.churn?.store === true || sc.churn?.emitOffline === true);
  let warmedUp = false;

  /** Each peer's start (its `originMs`) and clock rate, read whenever it asks the time. */
  const originAt = new Float64Array(n);
  const rateOf = Float64Array.from(plan.driftPpm, (ppm) => 1 + ppm / 1e6);
  const localNow = (i: number, t: number): number => {
    return (t - originAt[i]!) * rateOf[i]!;
  };

  // Link cut reference counts (partitions and keep-state churn may overlap).
  const cutCount = new Map<number, number>();
  const edgeKey = (a: number, b: number): number => (a < b ? a * n + b : b * n + a);
  const isCut = (a: number, b: number): boolean => (cutCount.get(edgeKey(a, b)) ?? 0) > 0;
  const cut = (a: number, b: number): void => {
    const k = edgeKey(a, b);
    const c = cutCount.get(k) ?? 0;
    cutCount.set(k, c + 1);
    if (c === 0) network.cut?.(a, b);
  };
  const heal = (a: number, b: number): void => {
    const k = edgeKey(a, b);
    const c = cutCount.get(k) ?? 0;
    if (c <= 0) return;
    cutCount.set(k, c - 1);
    if (c === 1) network.heal?.(a, b);
  };

  const recovery = new RecoveryTracker(
    adj,
    {
      online: (i) => slots[i]!.online,
      tick: (i) => slots[i]!.peer?.tick,
      isCut,
      travelledBack: (i) => slots[i]!.peer?.stats().ticksTravelledBack ?? 0,
    },
    warmupMs,
  );
  /** Events as stamped, syncing intervals and adoptions: the bounds' input. */
  const records = new RunRecords(n, options.records ?? 'full');

  const keys = new Map<number, PeerIdentity>();
  const identities = (i: number): PeerIdentity => {
    let id = keys.get(i);
    if (id === undefined) {
      id = scenarioIdentity(seed, i);
      keys.set(i, id);
    }
    return id;
  };
  const startPeer = async (i: number, t: number, restart: boolean): Promise<void> => {
    const slot = slots[i]!;
    slot.originMs = t;
    originAt[i] = t;
    stepAt[i] = t;
    const opened = network.open(i, { neighbours: adj[i]!, originMs: t });
    if (sc.churn?.store === true && slot.store === undefined)
      slot.store = new InstantStore({ room, appId: options.peerOptions?.appId ?? '' });
    else if (slot.store !== undefined) tally.resumes++;
    const applied = holdings.runtime(i, restart ? slot.store?.newestSnapshot() : undefined);
    const peer = await openPeer<S, E>({
      app: applied?.observe(app) ?? app,
      transports: [opened.transport],
      room,
      fps,
      delay,
      ...(sc.trusted === true ? { trusted: true, peerId: peerAddress(i) } : { identity: identities(i) }),
      // Reproducible identities: the restart count, never repeated for a peer id.
      incarnation: String(slot.incarnations++),
      seed,
      ...(payloadCodec !== undefined ? { payloadCodec } : {}),
      ...(sc.history !== undefined ? { history: sc.history } : {}),
      hashEvery: fps,
      // A restarted peer is a joiner: it waits for a neighbour rather than founding an island
      // timeline at tick 0 (see README, "Churn").
      ...(restart && sc.churn?.restartWaitsForNeighbour !== false ? { aloneGraceMs: 3_600_000 } : {}),
      ...opened.options,
      ...options.peerOptions,
      ...(slot.store !== undefined ? { store: slot.store } : {}),
      offlineMerge: holdings.ledger.wrap(i, options.peerOptions?.offlineMerge),
      now: () => localNow(i, network.now()),
    } as PeerOptions<S, E>);
    // Events as stamped (the lower bound's input): a queued emit counts when it is stamped.
    holdings.named(i, peer.id);
    peer.on('emit', (e) => {
      holdings.ledger.stamped(i, e);
      records.stamped(i, e, network.now(), (peer.delayTicks * 1000) / fps);
    });
    peer.on('snapshot:adopted', (info) => {
      holdings.adopted(i, info);
      records.adopted(i, info.frontier, network.now());
    });
    records.syncingFrom(i, t, true);
    peer.on('status', (status) => {
      if (slots[i]!.peer !== peer) return;
      if (status === 'live') records.endSyncing(i, network.now());
      else records.syncingFrom(i, network.now(), false);
    });
    slot.peer = peer;
    slot.online = true;
    slot.baseline = ZERO;
    slot.transport = opened.transport;
    if (trace !== undefined) traceRuntime(trace, peer, i, () => network.now());
    hooks.onPeer?.(i, peer);
    if (network.stepsPeers) await peer.attach();
    else await peer.start();
    network.opened?.(i);
    slot.events.restart(t);
  };

  const retire = (slot: Slot<S, E>): void => {
    const peer = slot.peer;
    if (peer === undefined) return;
    const stats = peer.stats();
    tally.add(stats);
    const s = totalsOf(stats);
    if (warmedUp) {
      totals.ticksSimulated += s.ticksSimulated - slot.baseline.ticksSimulated;
      totals.ticksTravelledBack += s.ticksTravelledBack - slot.baseline.ticksTravelledBack;
      totals.ticksResimulated += s.ticksResimulated - slot.baseline.ticksResimulated;
      totals.rollbacks += s.rollbacks - slot.baseline.rollbacks;
    }
    framesSent += s.framesSent;
    bytesSent += s.bytesSent;
    desyncs += s.desyncs;
    tooOld += s.tooOld;
    for (const [code, count] of Object.entries(stats.errors)) {
      if (count !== undefined && count > 0) peerErrors.set(code, (peerErrors.get(code) ?? 0) + count);
    }
  };

  const transitions = plan.transitions;
  let nextTransition = 0;
  type CutEvent = { atMs: number; index: number; kind: 'cut' | 'heal' };
  const cutEvents: CutEvent[] = [];
  plan.cuts.forEach((c, index) => {
    cutEvents.push({ atMs: c.fromMs, index, kind: 'cut' });
    cutEvents.push({ atMs: c.toMs, index, kind: 'heal' });
  });
  cutEvents.sort((a, b) => a.atMs - b.atMs || a.index - b.index || (a.kind === 'heal' ? -1 : 1));
  let nextCut = 0;

  const frameMs = 1000 / fps;
  /** Run time of each peer's next step (a stepped network). */
  const stepAt: number[] = new Array(n).fill(0);
  /** Let peer `i` emit what its user did by `atMs`. */
  const emitDue = (i: number, slot: Slot<S, E>, atMs: number): void => {
    if (!(nextEventAt[i]! <= atMs)) return; // (most steps: nothing due)
    const ev = slot.events;
    while (ev.next <= atMs && ev.next < plan.eventsEndMs) {
      slot.peer!.emit(randomEvent(ev.payloadRandom, i));
      ev.advance();
    }
  };
  const stepping: FrameStepping = {
    peers: n,
    stepAt,
    running: (i) => (slots[i]!.online || slots[i]!.offlineWork) && slots[i]!.peer !== undefined,
    now: () => network.now(),
    advanceTo: (atMs) => network.advanceTo(atMs),
    step: (i, atMs) => {
      const slot = slots[i]!;
      const peer = slot.peer!;
      peer.step(localNow(i, atMs));
      emitDue(i, slot, atMs);
      return atMs + peer.untilNextStep() / rateOf[i]!;
    },
  };
  const pace = new PaceTracker(fps); // a report 1 s of ticks behind is a mismatch
  const frames = Math.floor((durationMs * fps) / 1000);
  let lastProgress = -1;
  const onProgress = options.onProgress;

  try {
    for (let frame = 0; frame <= frames; frame++) {
      const t = (frame * 1000) / fps;
      // 1. Run time reaches t (a virtual network delivers the frames due by then).
      const reached = network.advanceTo(t);
      if (reached !== undefined) await reached;
      // 2. Scheduled topology changes due by now.
      while (nextCut < cutEvents.length && cutEvents[nextCut]!.atMs <= t) {
        const ce = cutEvents[nextCut++]!;
        const c = plan.cuts[ce.index]!;
        trace?.({ type: ce.kind, atMs: t, edges: c.edges });
        if (ce.kind === 'cut') for (const [a, b] of c.edges) cut(a, b);
        else {
          // Every online peer whose reachable set grows at the heal starts a recovery window.
          const before = recovery.componentSizes();
          for (const [a, b] of c.edges) heal(a, b);
          const after = recovery.componentSizes();
          for (let p = 0; p < n; p++)
            if (slots[p]!.online && after[p]! > before[p]!) recovery.open(p, t, 'heal');
        }
      }
      while (nextTransition < transitions.length && transitions[nextTransition]!.atMs <= t) {
        const tr = transitions[nextTransition++]!;
        const slot = slots[tr.peer]!;
        trace?.({ type: tr.kind, atMs: t, peer: tr.peer });
        if (tr.kind === 'start') {
          await startPeer(tr.peer, t, false);
          recovery.open(tr.peer, t);
        } else if (tr.kind === 'down') {
          slot.online = false;
          if (restartOnChurn || sc.churn?.emitOffline !== true) slot.events.stop();
          recovery.drop(tr.peer);
          if (restartOnChurn) {
            records.endSyncing(tr.peer, t);
            // A crash, not a goodbye: the links drop (neighbours see them close), no bye is sent.
            retire(slot);
            const peer = slot.peer;
            const transport = slot.transport;
            slot.peer = undefined;
            slot.transport = undefined;
            await transport?.stop();
            await peer?.stop();
          } else {
            for (const j of adj[tr.peer]!) cut(tr.peer, j);
            if (sc.churn?.emitOffline === true) slot.offlineWork = true;
          }
        } else {
          if (restartOnChurn) await startPeer(tr.peer, t, true);
          else {
            slot.online = true;
            for (const j of adj[tr.peer]!) heal(tr.peer, j);
            if (slot.offlineWork) slot.offlineWork = false;
            else slot.events.restart(t);
          }
          recovery.open(tr.peer, t);
        }
      }
      // 3. Every online peer steps (unless the network runs it) and emits what its user did; a
      // peer steps mid-tick (`untilNextStep`) in time order, as a real-time one does.
      if (network.stepsPeers) {
        await stepWithinFrame(stepping, t, t + frameMs);
      } else {
        for (let i = 0; i < n; i++) {
          const slot = slots[i]!;
          if ((slot.online || slot.offlineWork) && slot.peer !== undefined) emitDue(i, slot, t);
        }
      }
      // 4. Warm-up end: sample every runtime.
      if (!warmedUp && t >= warmupMs) {
        warmedUp = true;
        for (const slot of slots) if (slot.peer !== undefined) slot.baseline = totalsOf(slot.peer.stats());
        hooks.onWarmUp?.(t);
      }
      // 5. Recovery windows.
      recovery.update(t);
      // 6. Pace reports once per second of run time.
      if (frame > 0 && frame % fps === 0) {
        const reports: { tick: number; counted: boolean }[] = [];
        for (let i = 0; i < n; i++) {
          const slot = slots[i]!;
          if (!slot.online || slot.peer === undefined) continue;
          reports.push({ tick: slot.peer.tick, counted: t > warmupMs && !recovery.isRecovering(i) });
        }
        pace.round(reports);
        hooks.onPaceRound?.(t);
      }
      if (onProgress !== undefined) {
        const pct = Math.floor((100 * frame) / frames);
        if (pct !== lastProgress) {
          lastProgress = pct;
          onProgress(frame / frames);
        }
      }
    }
    hooks.onEnd?.();

    // Final accounting and convergence.
    const finalPeers: Peer<S, E>[] = [];
    for (const slot of slots) {
      if (slot.peer === undefined) continue;
      retire(slot);
      if (slot.online) finalPeers.push(slot.peer);
    }
    const recoveryS = recovery.stats();
    const recoveryPaperS = recovery.paperStats();
    const afterRecovery = recovery.afterStats();
    let finalTick = 0;
    let distinct = 0;
    let eventsApplied = 0;
    let eventsAppliedMax = 0;
    let tickSpread = 0;
    if (finalPeers.length > 0) {
      const minTick = Math.min(...finalPeers.map((p) => p.tick));
      tickSpread = Math.max(...finalPeers.map((p) => p.tick)) - minTick;
      finalTick = Math.max(0, Math.floor((minTick - 1) / fps) * fps);
      const hashes = new Set(finalPeers.map((p) => p.stateHashAt(finalTick) ?? '(none)'));
      if (trace !== undefined) {
        for (let i = 0; i < n; i++) {
          const peer = slots[i]!.online ? slots[i]!.peer : undefined;
          if (peer === undefined) continue;
          trace({
            type: 'final',
            atMs: durationMs,
            peer: i,
            tick: peer.tick,
            hash: peer.stateHashAt(finalTick) ?? null,
            events: peer.stats().events,
          });
        }
      }
      distinct = hashes.size;
      const applied = finalPeers.map((p) => p.stats().events);
      eventsApplied = Math.min(...applied);
      eventsAppliedMax = Math.max(...applied);
    }
    await stopAll(slots);
    const peersOnline = finalPeers.length;
    if (options.keepPeers === false) finalPeers.length = 0;

    const bounds = records.bounds(
      { peers: n, edges, online: plan.online, restart: restartOnChurn, cuts: plan.cuts },
      latencyMeanMs(sc.latency),
      records.full ? network.carried?.() : undefined,
      { deltaMs: 'ms' in sc.delay ? sc.delay.ms : 0, fps, fromMs: warmupMs },
    );
    const lbTicks = bounds.lowerBound;
    const meanTicks = bounds.meanLatency;
    const denom = totals.ticksSimulated;
    const pct = (x: number): number => (denom > 0 ? round6((100 * x) / denom) : 0);
    const rollbackPct = pct(totals.ticksTravelledBack);
    const lowerBoundPct = lbTicks === null ? null : pct(lbTicks);
    const metrics: Metrics = {
      rollbackPct,
      resimPct: pct(totals.ticksResimulated),
      rollbacks: totals.rollbacks,
      lowerBoundPct,
      paceMismatchPct: round6(pace.mismatchPct),
      skewTicks: pace.skew(),
      recoveryS,
      // Same hash at the same tick, the same events, and that tick is the end of the run for
      // everyone (a peer still a second behind has not converged, whatever its old hashes say).
      converged: peersOnline > 0 && distinct === 1 && eventsApplied === eventsAppliedMax && tickSpread <= fps,
      distinctFinalHashes: distinct,
      eventsGenerated: holdings.ledger.actions,
      eventsApplied,
      messages: framesSent,
      bytes: bytesSent,
      ...(options.includeWall === false ? {} : { wallMs: Math.round(performance.now() - wallStart) }),
      rollbackToLowerBound:
        lowerBoundPct !== null && lowerBoundPct > 0 ? round6(rollbackPct / lowerBoundPct) : null,
      name: sc.name,
      seed,
      finalTick,
      finalTickSpread: tickSpread,
      peersOnline,
      eventsAppliedMax,
      ticksSimulated: totals.ticksSimulated,
      ticksTravelledBack: totals.ticksTravelledBack,
      ticksResimulated: totals.ticksResimulated,
      lowerBoundTicks: lbTicks === null ? null : round6(lbTicks),
      meanLatencyEstimatePct: meanTicks === null ? null : pct(meanTicks),
      meanLatencyEstimateTicks: meanTicks,
      paceReports: pace.reports,
      desyncs,
      tooOld,
      peerErrors: Object.fromEntries(
        [...peerErrors.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
      deltaMs: 'ms' in sc.delay ? sc.delay.ms : null,
      recoveryPaperS,
      afterRecovery,
      ...(sc.churn?.store === true || sc.churn?.emitOffline === true
        ? {
            offline: tally.metrics(
              holdings.ledger,
              eventsApplied,
              eventsAppliedMax,
              holdings.witnesses((i) => slots[i]!.online),
            ),
          }
        : {}),
    };
    return { metrics, finalPeers };
  } finally {
    await stopAll(slots);
  }
}

/** Stop every runtime still held, and let go of it. */
async function stopAll<S, E>(slots: Slot<S, E>[]): Promise<void> {
  for (const slot of slots) {
    const peer = slot.peer;
    if (peer === undefined) continue;
    slot.peer = undefined;
    await peer.stop();
  }
}
