/**
 * The virtual-time runner: builds a loopback network and one peer runtime per scenario peer,
 * and drives them frame by frame, applying starts, churn, partitions and the event load, while
 * measuring the metrics.
 */
import { performance } from 'node:perf_hooks';
import { type PayloadCodec, rectangleKeyCodec } from '@symmetric/codec';
import { type App, deriveSeed, rectangleApp, type SeededRandom } from '@symmetric/core';
import { createPeer, type Peer, type PeerOptions, type PeerStats } from '@symmetric/peer';
import { LoopbackNetwork, type LoopbackTransport } from '@symmetric/transport-loopback';
import { ScenarioError } from './errors.js';
import {
  type EmittedEvent,
  type Metrics,
  PaceTracker,
  perfectClockLateTicks,
  recoveryStats,
  round6,
} from './metrics.js';
import { drawPlan, EventClock, latencyMeanMs } from './plan.js';

import { parseScenario, type Scenario } from './scenario.js';
import { adjacency, type Edge, scenarioEdges } from './topology.js';

/** Options of {@link runScenario}. */
export interface RunOptions<S = unknown, E = unknown> {
  /** Run seed (default: the scenario's `seed`). */
  readonly seed?: number;
  /**
   * The app every peer runs (default: the scenario's `events.app`, which must then be
   * `rectangle`). With a custom app, give `randomEvent` too.
   */
  readonly app?: App<S, E>;
  /** Wire codec of the app's event payloads (default: the rectangle's one-byte codec, or the peer's default for a custom app). */
  readonly payloadCodec?: PayloadCodec<E>;
  /**
   * Draw one event payload for peer `peer` from `random` (seeded per peer). Default for the
   * rectangle app: a key 0..4 uniformly. Required with a custom `app`.
   */
  readonly randomEvent?: (random: SeededRandom, peer: number) => E;
  /** Called with the fraction of virtual time done (0..1), about every 1 %. */
  readonly onProgress?: (fraction: number) => void;
  /** Include `wallMs` in the metrics (default `true`); everything else is reproducible. */
  readonly includeWall?: boolean;
  /**
   * Called with what happens during the run, in order: starts, crashes and comebacks, cuts
   * and heals, status changes, rollbacks and desync reports of every peer. For finding out
   * why a run did not converge; costs nothing when absent.
   */
  readonly trace?: (event: TraceEvent) => void;
  /** Extra options for every peer (e.g. `snapshotEvery`, `clock`), applied after the scenario's. */
  readonly peerOptions?: Partial<Omit<PeerOptions<S, E>, 'app' | 'transports' | 'now'>>;
}

/** One entry of {@link RunOptions.trace}. `atMs` is virtual time; `peer` a scenario peer index. */
export type TraceEvent =
  | { readonly type: 'start' | 'down' | 'up'; readonly atMs: number; readonly peer: number }
  | { readonly type: 'cut' | 'heal'; readonly atMs: number; readonly edges: readonly Edge[] }
  | {
      readonly type: 'status';
      readonly atMs: number;
      readonly peer: number;
      readonly status: string;
      readonly tick: number;
      readonly events: number;
    }
  | {
      readonly type: 'rollback';
      readonly atMs: number;
      readonly peer: number;
      readonly fromTick: number;
      readonly toTick: number;
    }
  | {
      readonly type: 'desync';
      readonly atMs: number;
      readonly peer: number;
      readonly tick: number;
      readonly peers: readonly string[];
    }
  | {
      readonly type: 'error';
      readonly atMs: number;
      readonly peer: number;
      readonly code: string;
      readonly message: string;
    }
  | {
      /** A neighbour completed the handshake (`join`) or its link closed (`leave`). */
      readonly type: 'join' | 'leave';
      readonly atMs: number;
      readonly peer: number;
      readonly neighbour: string;
    }
  | {
      /** An own event was stamped (for emits queued while syncing, when it is stamped). */
      readonly type: 'emit';
      readonly atMs: number;
      readonly peer: number;
      readonly tick: number;
      readonly seq: number;
    }
  | {
      /** At the end of the run, one per online peer. */
      readonly type: 'final';
      readonly atMs: number;
      readonly peer: number;
      readonly tick: number;
      /** State hash at the common final tick (`null` when the peer has none for it). */
      readonly hash: string | null;
      readonly events: number;
    };

/**
 * A recovering peer within this many ticks of the largest tick it is compared with is back:
 * one tick of frame phase plus one of normal skew (up-to-date clocks differ by a tick or two,
 * more at the far end of a line of peers each following the previous one).
 */
const RECOVERY_SLACK_TICKS = 2;

/** Loopback address of peer `i`. */
export function peerAddress(i: number): string {
  return `p${i}`;
}

interface PeerTotals {
  ticksSimulated: number;
  ticksTravelledBack: number;
  ticksResimulated: number;
  rollbacks: number;
  framesSent: number;
  bytesSent: number;
  desyncs: number;
  tooOld: number;
}

const ZERO: PeerTotals = {
  ticksSimulated: 0,
  ticksTravelledBack: 0,
  ticksResimulated: 0,
  rollbacks: 0,
  framesSent: 0,
  bytesSent: 0,
  desyncs: 0,
  tooOld: 0,
};

function totalsOf(s: PeerStats): PeerTotals {
  return {
    ticksSimulated: s.ticksSimulated,
    ticksTravelledBack: s.ticksTravelledBack,
    ticksResimulated: s.ticksResimulated,
    rollbacks: s.rollbacks,
    framesSent: s.framesSent,
    bytesSent: s.bytesSent,
    desyncs: s.desyncs,
    tooOld: s.tooOld,
  };
}

/** One incarnation of a scenario peer (a restart makes a new one). */
interface Slot<S, E> {
  peer: Peer<S, E> | undefined;
  transport: LoopbackTransport | undefined;
  /** `true` while online (stepped, may emit). */
  online: boolean;
  /** Runtime objects created so far (the next one's incarnation). */
  incarnations: number;
  /** Virtual ms at which the current incarnation's clock reads 0. */
  originMs: number;
  /** Stats of the current incarnation at warm-up end (zero when it started after). */
  baseline: PeerTotals;
  /** Open recovery window: when the peer came (back) online (virtual ms), if it is recovering. */
  recoveringSince: number | undefined;
  /** Since when, in the open window, it can reach an up-to-date peer (virtual ms), if it can. */
  reachableSince: number | undefined;
  /** Time in the open window spent within reach of an up-to-date peer before `reachableSince`. */
  reachedMs: number;
  events: EventClock;
}

/**
 * Run a scenario in virtual time and return its metrics. Same scenario and seed give the same
 * metrics, byte for byte, except `wallMs`. Throws {@link ScenarioError} for a bad scenario.
 *
 * ```ts
 * const metrics = await runScenario(parseScenario(json), { seed: 7 });
 * ```
 */
export async function runScenario<S = unknown, E = unknown>(
  scenario: Scenario | unknown,
  options: RunOptions<S, E> = {},
): Promise<Metrics> {
  // Always validate: parsing is idempotent, so an already-parsed scenario passes unchanged.
  const sc: Scenario = parseScenario(scenario);
  const wallStart = performance.now();
  const seed = options.seed ?? sc.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ScenarioError('OUT_OF_RANGE', 'seed', `seed must be a non-negative safe integer, got ${seed}`);
  }
  const { app, payloadCodec, randomEvent } = resolveApp(sc, options);
  const n = sc.peers;
  const fps = sc.fps;
  const edges = scenarioEdges(sc, seed);
  const adj = adjacency(n, edges);
  const plan = drawPlan(sc, seed, edges);
  const durationMs = sc.durationS * 1000;
  const warmupMs = sc.warmupS * 1000;

  const net = new LoopbackNetwork({ time: 'virtual', seed: deriveSeed(seed, 'net'), latency: sc.latency });
  const room = sc.name === '' ? 'symmetric-sim' : sc.name;
  const delay = 'ms' in sc.delay ? sc.delay.ms : ('auto' as const);

  const slots: Slot<S, E>[] = [];
  for (let i = 0; i < n; i++) {
    slots.push({
      peer: undefined,
      transport: undefined,
      online: false,
      incarnations: 0,
      originMs: 0,
      baseline: ZERO,
      recoveringSince: undefined,
      reachableSince: undefined,
      reachedMs: 0,
      events: new EventClock(seed, i, plan, fps, sc.events.firstAfterS),
    });
  }
  const totals: PeerTotals = { ...ZERO };
  const addTotals = (from: PeerTotals, to: PeerTotals): void => {
    totals.ticksSimulated += to.ticksSimulated - from.ticksSimulated;
    totals.ticksTravelledBack += to.ticksTravelledBack - from.ticksTravelledBack;
    totals.ticksResimulated += to.ticksResimulated - from.ticksResimulated;
    totals.rollbacks += to.rollbacks - from.rollbacks;
  };
  let framesSent = 0;
  let bytesSent = 0;
  let desyncs = 0;
  let tooOld = 0;
  const peerErrors = new Map<string, number>();
  let warmedUp = false;

  const localNow = (i: number, t: number): number => {
    const slot = slots[i]!;
    return (t - slot.originMs) * (1 + plan.driftPpm[i]! / 1e6);
  };

  // Link cut reference counts (partitions and keep-state churn may overlap). The loopback
  // network closes cut links at once and re-dials (`connectTo`) when a pair heals.
  const cutCount = new Map<number, number>();
  const edgeKey = (a: number, b: number): number => (a < b ? a * n + b : b * n + a);
  const isCut = (a: number, b: number): boolean => (cutCount.get(edgeKey(a, b)) ?? 0) > 0;
  const cut = (a: number, b: number): void => {
    const k = edgeKey(a, b);
    const c = cutCount.get(k) ?? 0;
    cutCount.set(k, c + 1);
    if (c === 0) net.cut(peerAddress(a), peerAddress(b));
  };
  const heal = (a: number, b: number): void => {
    const k = edgeKey(a, b);
    const c = cutCount.get(k) ?? 0;
    if (c <= 0) return;
    cutCount.set(k, c - 1);
    if (c === 1) net.heal(peerAddress(a), peerAddress(b));
  };
  // Each edge is kept up by its lower-index end (one link per edge, re-dialled on start and heal).
  const connectTo = adj.map((list, i) => list.filter((j) => j > i).map(peerAddress));

  const emitted: EmittedEvent[] = [];
  const threshold = fps; // 1 s of ticks

  const startPeer = async (i: number, t: number, restart: boolean): Promise<void> => {
    const slot = slots[i]!;
    slot.originMs = t;
    const transport = net.transport(peerAddress(i), { connectTo: connectTo[i]! });
    const peer = createPeer<S, E>({
      app,
      transports: [transport],
      room,
      fps,
      delay,
      peerId: peerAddress(i),
      // Reproducible identities: the restart count, never repeated for a peer id.
      incarnation: String(slot.incarnations++),
      // Virtual time: catch-up costs no time here, so it is bounded by ticks only (a cheap app
      // does minutes of ticks within one real frame; see README "How a run goes").
      catchUp: { budgetMs: Number.POSITIVE_INFINITY },
      seed,
      ...(payloadCodec !== undefined ? { payloadCodec } : {}),
      ...(sc.history !== undefined ? { history: sc.history } : {}),
      hashEvery: fps,
      // A restarted peer is a joiner: it waits for a neighbour rather than founding an island
      // timeline at tick 0 (see README, "Churn").
      ...(restart && sc.churn?.restartWaitsForNeighbour !== false ? { aloneGraceMs: 3_600_000 } : {}),
      ...options.peerOptions,
      now: () => localNow(i, net.now()),
    } as PeerOptions<S, E>);
    // Events as stamped (the lower bound's input): an emit the runtime queued while it was not
    // part of the room's timeline yet is stamped, and sent, when it is.
    peer.on('emit', () =>
      emitted.push({ source: i, atMs: net.now(), deltaMs: (peer.delayTicks * 1000) / fps }),
    );
    slot.peer = peer;
    slot.online = true;
    slot.baseline = ZERO;
    slot.transport = transport;
    const trace = options.trace;
    if (trace !== undefined) {
      peer.on('status', (status) =>
        trace({
          type: 'status',
          atMs: net.now(),
          peer: i,
          status,
          tick: peer.tick,
          events: peer.stats().events,
        }),
      );
      peer.on('rollback', (r) =>
        trace({ type: 'rollback', atMs: net.now(), peer: i, fromTick: r.fromTick, toTick: r.toTick }),
      );
      peer.on('peer:join', (j) => trace({ type: 'join', atMs: net.now(), peer: i, neighbour: j.peerId }));
      peer.on('peer:leave', (l) => trace({ type: 'leave', atMs: net.now(), peer: i, neighbour: l.peerId }));
      peer.on('emit', (e) => trace({ type: 'emit', atMs: net.now(), peer: i, tick: e.tick, seq: e.seq }));
      peer.on('desync', (d) =>
        trace({ type: 'desync', atMs: net.now(), peer: i, tick: d.tick, peers: d.peers }),
      );
      peer.on('error', (e) =>
        trace({ type: 'error', atMs: net.now(), peer: i, code: e.code, message: e.message }),
      );
    }
    await peer.attach();
    slot.events.restart(t);
  };

  const retire = (slot: Slot<S, E>): void => {
    const peer = slot.peer;
    if (peer === undefined) return;
    const stats = peer.stats();
    const s = totalsOf(stats);
    if (warmedUp) addTotals(slot.baseline, s);
    framesSent += s.framesSent;
    bytesSent += s.bytesSent;
    desyncs += s.desyncs;
    tooOld += s.tooOld;
    for (const [code, count] of Object.entries(stats.errors)) {
      if (count !== undefined && count > 0) peerErrors.set(code, (peerErrors.get(code) ?? 0) + count);
    }
  };

  const recoveries: number[] = [];
  const waits: number[] = [];
  // Windows open at every (re)start, also during the warm-up (a peer that came back then and is
  // still catching up after it is recovering, not out of pace); only those opened after the
  // warm-up are measured.
  const openRecovery = (i: number, t: number): void => {
    slots[i]!.recoveringSince = t;
    slots[i]!.reachableSince = undefined;
    slots[i]!.reachedMs = 0;
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

  const pace = new PaceTracker(threshold);
  const frames = Math.floor((durationMs * fps) / 1000);
  let lastProgress = -1;
  const onProgress = options.onProgress;

  for (let frame = 0; frame <= frames; frame++) {
    const t = (frame * 1000) / fps;
    // 1. Deliver frames due by now (the network clock then reads t).
    net.runUntil(t);
    // 2. Scheduled topology changes due by now.
    while (nextCut < cutEvents.length && cutEvents[nextCut]!.atMs <= t) {
      const ce = cutEvents[nextCut++]!;
      const c = plan.cuts[ce.index]!;
      options.trace?.({ type: ce.kind, atMs: t, edges: c.edges });
      if (ce.kind === 'cut') for (const [a, b] of c.edges) cut(a, b);
      else {
        // Every online peer whose reachable set grows at the heal starts a recovery window.
        const before = componentSizes();
        for (const [a, b] of c.edges) heal(a, b);
        const after = componentSizes();
        for (let p = 0; p < n; p++) if (slots[p]!.online && after[p]! > before[p]!) openRecovery(p, t);
      }
    }
    while (nextTransition < transitions.length && transitions[nextTransition]!.atMs <= t) {
      const tr = transitions[nextTransition++]!;
      const slot = slots[tr.peer]!;
      options.trace?.({ type: tr.kind, atMs: t, peer: tr.peer });
      if (tr.kind === 'start') {
        await startPeer(tr.peer, t, false);
        openRecovery(tr.peer, t);
      } else if (tr.kind === 'down') {
        slot.online = false;
        slot.events.stop();
        slot.recoveringSince = undefined;
        if (sc.churn?.restart !== false) {
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
        }
      } else {
        if (sc.churn?.restart !== false) await startPeer(tr.peer, t, true);
        else {
          slot.online = true;
          for (const j of adj[tr.peer]!) heal(tr.peer, j);
          slot.events.restart(t);
        }
        openRecovery(tr.peer, t);
      }
    }
    // 3. Step every online peer, then let it emit what its user did this frame.
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!;
      if (!slot.online || slot.peer === undefined) continue;
      const peer = slot.peer;
      peer.step(localNow(i, t));
      const ev = slot.events;
      while (ev.next <= t && ev.next < plan.eventsEndMs) {
        peer.emit(randomEvent(ev.payloadRandom, i));
        ev.advance();
      }
    }
    // 4. Warm-up end: sample every incarnation.
    if (!warmedUp && t >= warmupMs) {
      warmedUp = true;
      for (const slot of slots) if (slot.peer !== undefined) slot.baseline = totalsOf(slot.peer.stats());
    }
    // 5. Recovery windows.
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!;
      if (slot.recoveringSince === undefined || slot.peer === undefined) continue;
      // Recovery time is the time the network is within reach; time without (every neighbour
      // offline, or only fresh restarts around, also when that happens again mid-way) is
      // reported apart as waiting.
      const target = recoveryTarget(i);
      if (target === undefined) {
        if (slot.reachableSince !== undefined) slot.reachedMs += t - slot.reachableSince;
        slot.reachableSince = undefined;
        continue;
      }
      slot.reachableSince ??= t;
      if (slot.peer.tick >= target) {
        if (slot.recoveringSince >= warmupMs) {
          const recovery = slot.reachedMs + (t - slot.reachableSince);
          recoveries.push(recovery);
          waits.push(t - slot.recoveringSince - recovery);
        }
        slot.recoveringSince = undefined;
        slot.reachableSince = undefined;
      }
    }
    // 6. Pace reports once per virtual second.
    if (frame > 0 && frame % fps === 0) {
      const reports: { tick: number; counted: boolean }[] = [];
      for (const slot of slots) {
        if (!slot.online || slot.peer === undefined) continue;
        reports.push({ tick: slot.peer.tick, counted: t > warmupMs && slot.recoveringSince === undefined });
      }
      pace.round(reports);
    }
    if (onProgress !== undefined) {
      const pct = Math.floor((100 * frame) / frames);
      if (pct !== lastProgress) {
        lastProgress = pct;
        onProgress(frame / frames);
      }
    }
  }

  /** Size of each online peer's connected component over uncut links (0 when offline). */
  function componentSizes(): Int32Array {
    const size = new Int32Array(n);
    const seen = new Uint8Array(n);
    for (let s0 = 0; s0 < n; s0++) {
      if (seen[s0] === 1 || !slots[s0]!.online) continue;
      const members = [s0];
      seen[s0] = 1;
      for (let k = 0; k < members.length; k++) {
        const v = members[k]!;
        for (const w of adj[v]!) {
          if (seen[w] === 1 || !slots[w]!.online || isCut(v, w)) continue;
          seen[w] = 1;
          members.push(w);
        }
      }
      for (const v of members) size[v] = members.length;
    }
    return size;
  }

  /**
   * The tick peer `i` has recovered at: the largest tick among the online peers it can reach
   * that are not recovering themselves (they hold the room's time; a peer that came back with
   * nothing, or is still catching up, does not), less {@link RECOVERY_SLACK_TICKS}, or the
   * smallest of those ticks if that is lower (being within their spread is being back). `undefined` while `i` reaches no such peer although one
   * is online somewhere: it has not really come back yet (its neighbours are offline, or only
   * fresh restarts are around). When no online peer anywhere is up to date (everyone
   * restarted), the largest tick it reaches counts, itself included.
   */
  function recoveryTarget(i: number): number | undefined {
    const seen = new Uint8Array(n);
    const stack = [i];
    seen[i] = 1;
    let maxAll = slots[i]!.peer?.tick ?? 0;
    let maxUpToDate = Number.NEGATIVE_INFINITY;
    let minUpToDate = Number.POSITIVE_INFINITY;
    let reached = 0;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const w of adj[v]!) {
        if (seen[w] === 1 || isCut(v, w)) continue;
        const sw = slots[w]!;
        if (!sw.online || sw.peer === undefined) continue;
        seen[w] = 1;
        reached++;
        const tick = sw.peer.tick;
        if (tick > maxAll) maxAll = tick;
        if (sw.recoveringSince === undefined) {
          if (tick > maxUpToDate) maxUpToDate = tick;
          if (tick < minUpToDate) minUpToDate = tick;
        }
        stack.push(w);
      }
    }
    if (maxUpToDate > Number.NEGATIVE_INFINITY)
      return Math.min(maxUpToDate - RECOVERY_SLACK_TICKS, minUpToDate);
    const upToDateElsewhere = slots.some((x, j) => j !== i && x.online && x.recoveringSince === undefined);
    if (upToDateElsewhere) return undefined;
    if (reached === 0 && slots.some((x, j) => j !== i && x.online)) return undefined;
    return maxAll - RECOVERY_SLACK_TICKS;
  }

  // Final accounting and convergence.
  const onlinePeers: Peer<S, E>[] = [];
  for (const slot of slots) {
    if (slot.peer === undefined) continue;
    retire(slot);
    if (slot.online) onlinePeers.push(slot.peer);
  }
  const unrecovered = slots.filter(
    (s) => s.recoveringSince !== undefined && s.recoveringSince >= warmupMs,
  ).length;
  let finalTick = 0;
  let distinct = 0;
  let eventsApplied = 0;
  let eventsAppliedMax = 0;
  let tickSpread = 0;
  if (onlinePeers.length > 0) {
    const minTick = Math.min(...onlinePeers.map((p) => p.tick));
    tickSpread = Math.max(...onlinePeers.map((p) => p.tick)) - minTick;
    finalTick = Math.max(0, Math.floor((minTick - 1) / fps) * fps);
    const hashes = new Set(onlinePeers.map((p) => p.stateHashAt(finalTick) ?? '(none)'));
    if (options.trace !== undefined) {
      for (let i = 0; i < n; i++) {
        const peer = slots[i]!.online ? slots[i]!.peer : undefined;
        if (peer === undefined) continue;
        options.trace({
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
    const applied = onlinePeers.map((p) => eventCount(p.stats()));
    eventsApplied = Math.min(...applied);
    eventsAppliedMax = Math.max(...applied);
  }
  for (const slot of slots) if (slot.peer !== undefined) await slot.peer.stop();

  const linkMs = latencyMeanMs(sc.latency);
  const lbTicks = perfectClockLateTicks(
    { peers: n, edges, linkMs, online: plan.online, restart: sc.churn?.restart !== false, cuts: plan.cuts },
    emitted,
    { deltaMs: 'ms' in sc.delay ? sc.delay.ms : 0, fps, fromMs: warmupMs },
  );
  const denom = totals.ticksSimulated;
  const pct = (x: number): number => (denom > 0 ? round6((100 * x) / denom) : 0);
  const rollbackPct = pct(totals.ticksTravelledBack);
  const lowerBoundPct = pct(lbTicks);
  const metrics: Metrics = {
    rollbackPct,
    resimPct: pct(totals.ticksResimulated),
    rollbacks: totals.rollbacks,
    lowerBoundPct,
    paceMismatchPct: round6(pace.mismatchPct),
    skewTicks: pace.skew(),
    recoveryS: recoveryStats(recoveries, unrecovered, waits),
    // Same hash at the same tick, the same events, and that tick is the end of the run for
    // everyone (a peer still a second behind has not converged, whatever its old hashes say).
    converged:
      onlinePeers.length > 0 && distinct === 1 && eventsApplied === eventsAppliedMax && tickSpread <= fps,
    distinctFinalHashes: distinct,
    eventsGenerated: emitted.length,
    eventsApplied,
    messages: framesSent,
    bytes: bytesSent,
    ...(options.includeWall === false ? {} : { wallMs: Math.round(performance.now() - wallStart) }),
    rollbackToLowerBound: lowerBoundPct > 0 ? round6(rollbackPct / lowerBoundPct) : null,
    name: sc.name,
    seed,
    finalTick,
    finalTickSpread: tickSpread,
    peersOnline: onlinePeers.length,
    eventsAppliedMax,
    ticksSimulated: totals.ticksSimulated,
    ticksTravelledBack: totals.ticksTravelledBack,
    ticksResimulated: totals.ticksResimulated,
    lowerBoundTicks: round6(lbTicks),
    paceReports: pace.reports,
    desyncs,
    tooOld,
    peerErrors: Object.fromEntries(
      [...peerErrors.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
    deltaMs: 'ms' in sc.delay ? sc.delay.ms : null,
  };
  return metrics;
}

function eventCount(s: PeerStats): number {
  return s.events;
}

function resolveApp<S, E>(
  sc: Scenario,
  options: RunOptions<S, E>,
): {
  app: App<S, E>;
  payloadCodec: PayloadCodec<E> | undefined;
  randomEvent: (r: SeededRandom, peer: number) => E;
} {
  if (options.app !== undefined) {
    if (options.randomEvent === undefined) {
      throw new ScenarioError(
        'UNSUPPORTED',
        'events.app',
        'a custom app needs options.randomEvent to draw events',
      );
    }
    return { app: options.app, payloadCodec: options.payloadCodec, randomEvent: options.randomEvent };
  }
  if (sc.events.app !== 'rectangle') {
    throw new ScenarioError(
      'UNSUPPORTED',
      'events.app',
      `unknown app "${sc.events.app}": only "rectangle" is built in; pass options.app to run your own`,
    );
  }
  return {
    app: rectangleApp as unknown as App<S, E>,
    payloadCodec: (options.payloadCodec ?? rectangleKeyCodec) as PayloadCodec<E>,
    randomEvent: (options.randomEvent ?? ((r: SeededRandom) => r.int(5) as E)) as (
      r: SeededRandom,
      peer: number,
    ) => E,
  };
}
