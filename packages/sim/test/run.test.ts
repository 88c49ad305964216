import type { App } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { metricsJson, parseScenario, runScenario, ScenarioError, type TraceEvent } from '../src/index.js';

/** A short version of the paper cell: its topology, latency and Δ, 120 virtual seconds. */
const paperShort = {
  name: 'paper-short',
  seed: 1,
  peers: 21,
  topology: { kind: 'paper-21' },
  fps: 50,
  durationS: 120,
  warmupS: 15,
  quietTailS: 10,
  startJitterS: 5,
  latency: { dist: 'normal', meanMs: 50, sdMs: 10 },
  delay: { ms: 500 },
  events: { perMinute: 60, app: 'rectangle' },
};

describe('runScenario', () => {
  it('the paper cell (shortened) converges and its counters add up', async () => {
    const progress: number[] = [];
    const m = await runScenario(paperShort, { includeWall: false, onProgress: (f) => progress.push(f) });
    expect(progress.length).toBeGreaterThanOrEqual(100);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => i === 0 || f > progress[i - 1]!)).toBe(true);
    expect(m.converged).toBe(true);
    expect(m.distinctFinalHashes).toBe(1);
    expect(m.peersOnline).toBe(21);
    expect(m.eventsGenerated).toBeGreaterThan(50);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
    expect(m.rollbackPct).toBeCloseTo((100 * m.ticksTravelledBack) / m.ticksSimulated, 5);
    expect(m.resimPct).toBeCloseTo((100 * m.ticksResimulated) / m.ticksSimulated, 5);
    // 21 peers × (120 − 15) s × 50 ticks, give or take the frame in progress.
    expect(m.ticksSimulated).toBeGreaterThan(21 * 105 * 50 * 0.99);
    expect(m.ticksSimulated).toBeLessThan(21 * 105 * 50 * 1.01);
    // Δ = 500 ms against a 14-hop diameter of 50 ms links: far pairs are late even with perfect clocks.
    expect(m.lowerBoundPct).not.toBeNull();
    expect(m.lowerBoundPct!).toBeGreaterThan(0);
    expect(m.rollbackPct).toBeGreaterThan(0);
    expect(m.paceReports).toBe(21 * (120 - 15));
    expect(m.paceMismatchPct).toBe(0);
    expect(m.skewTicks.max).toBeLessThanOrEqual(50);
    expect(m.recoveryS.count).toBe(0); // no comeback after the warm-up
    expect(m.messages).toBeGreaterThan(0);
    expect(m.bytes).toBeGreaterThan(m.messages);
    expect(m.desyncs).toBe(0);
    expect(m.wallMs).toBeUndefined();
  });

  it("converges on the paper topology with the paper's churn, over seeds", async () => {
    // The paper's churn variant: every peer online ~40 s and offline ~20 s (exponential),
    // restarting from nothing (new runtime, same id) when it comes back. The graph splits
    // often (lines and cut vertices), peers restart next to other fresh restarts, partitions
    // carry different histories: everyone must still end on one state.
    for (const seed of [1, 2, 3, 4]) {
      const m = await runScenario(
        { ...paperShort, durationS: 150, churn: { onlineMeanS: 40, offlineMeanS: 20, restart: true } },
        { seed, includeWall: false },
      );
      expect(m.recoveryS.count).toBeGreaterThan(20);
      expect(m.recoveryS.unrecovered).toBe(0);
      expect(m.converged).toBe(true);
      expect(m.distinctFinalHashes).toBe(1);
      expect(m.peersOnline).toBe(21);
      expect(m.eventsApplied).toBe(m.eventsAppliedMax);
      expect(m.desyncs).toBe(0);
      // Only recovering peers are ever behind: nobody else falls out of pace.
      expect(m.paceMismatchPct).toBe(0);
      // The bound accounts for partitions carrying different histories: the runtime stays near it.
      expect(m.rollbackToLowerBound!).toBeLessThan(1.5);
    }
  });

  it('converges with churn that keeps state (a peer only loses its links for a while)', async () => {
    const m = await runScenario({
      ...paperShort,
      durationS: 100,
      churn: { onlineMeanS: 15, offlineMeanS: 8, restart: false, peers: [0, 4, 14, 20] },
    });
    expect(m.recoveryS.count).toBeGreaterThan(3);
    expect(m.converged).toBe(true);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
    // A returning peer waits for its neighbours' frontiers and repairs before it catches its
    // clock up: what it missed is not rolled back to.
    expect(m.rollbackToLowerBound!).toBeLessThan(1.5);
    expect(m.recoveryS.mean).toBeLessThan(0.5);
  });

  it('converges after a partition heals, with the backlog counted by the lower bound', async () => {
    const m = await runScenario({
      ...paperShort,
      partitions: [{ atS: 40, healAtS: 60, groups: [[0, 1, 2, 3, 4, 5, 6, 7]] }],
    });
    expect(m.converged).toBe(true);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
    // Events of one side reach the other up to 20 s late: a large bound, and rollbacks near it.
    expect(m.lowerBoundPct!).toBeGreaterThan(5);
    expect(m.rollbackPct).toBeGreaterThan(m.lowerBoundPct! / 3);
    expect(m.recoveryS.count).toBe(21); // every peer's reachable set grew at the heal
  });

  it('a late joiner catches up and converges', async () => {
    const trace: TraceEvent[] = [];
    const m = await runScenario(
      { ...paperShort, joins: [{ peer: 20, atS: 70 }] },
      { trace: (e) => trace.push(e) },
    );
    expect(trace.find((e) => e.type === 'start' && e.peer === 20)?.atMs).toBe(70_000);
    expect(m.recoveryS.count).toBe(1);
    expect(m.recoveryS.unrecovered).toBe(0);
    expect(m.converged).toBe(true);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
  });

  it('a peer that starts isolated joins when the partition heals and converges', async () => {
    const trace: TraceEvent[] = [];
    const m = await runScenario(
      {
        ...paperShort,
        events: { perMinute: 200 },
        partitions: [{ atS: 0, healAtS: 30, groups: [[20]] }],
      },
      { trace: (e) => trace.push(e) },
    );
    // It ran alone (and its user emitted) before the heal.
    const emits20 = trace.filter((e) => e.type === 'emit' && e.peer === 20 && e.atMs < 30_000);
    expect(trace.some((e) => e.type === 'heal' && e.atMs === 30_000)).toBe(true);
    expect(m.converged).toBe(true);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
    expect(emits20.length).toBeGreaterThan(0);
  });

  it('peers with drifting clocks (±0.5 %) still agree on time and converge', async () => {
    const m = await runScenario({
      peers: 5,
      topology: { kind: 'ring' },
      fps: 50,
      durationS: 60,
      warmupS: 10,
      quietTailS: 5,
      latency: { dist: 'normal', meanMs: 30, sdMs: 6 },
      delay: { ms: 200 },
      events: { perMinute: 120 },
      driftPpm: [-5000, 0, 5000, 2000, -2000],
    });
    expect(m.converged).toBe(true);
    expect(m.paceMismatchPct).toBe(0);
    expect(m.skewTicks.max).toBeLessThan(10);
  });

  it('200 peers on a random 4-regular graph converge', async () => {
    const m = await runScenario({
      name: 'rr200',
      peers: 200,
      topology: { kind: 'random-regular', degree: 4 },
      fps: 50,
      durationS: 20,
      warmupS: 4,
      quietTailS: 6,
      startJitterS: 2,
      latency: { dist: 'uniform', minMs: 20, maxMs: 60 },
      delay: { ms: 400 },
      events: { perMinute: 600 },
    });
    expect(m.peersOnline).toBe(200);
    expect(m.eventsGenerated).toBeGreaterThan(50);
    expect(m.converged).toBe(true);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
  });

  it('is deterministic: same scenario and seed give byte-identical metrics, another seed does not', async () => {
    const sc = {
      ...paperShort,
      durationS: 60,
      events: { perMinute: 120 },
      churn: { onlineMeanS: 15, offlineMeanS: 5, peers: [0, 4, 14, 20] },
      partitions: [{ atS: 20, healAtS: 30, groups: [[8, 9, 10]] }],
      driftPpm: 100,
    };
    const a = metricsJson(await runScenario(sc, { seed: 7 }), { wall: false });
    const b = metricsJson(await runScenario(parseScenario(JSON.stringify(sc)), { seed: 7 }), { wall: false });
    const c = metricsJson(await runScenario(sc, { seed: 8 }), { wall: false });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(a).not.toContain('wallMs');
  });

  it('runs a user app through a scenario (library use)', async () => {
    interface Counter {
      sum: number;
      ticks: number;
    }
    const counter: App<Counter, number> = {
      init: () => ({ sum: 0, ticks: 0 }),
      tick: (s) => {
        s.ticks++;
      },
      event: (s, e, ctx) => {
        s.sum = (s.sum * 31 + e * (ctx.tick + 1)) % 1_000_003;
      },
    };
    const m = await runScenario(
      {
        peers: 6,
        topology: { kind: 'ring' },
        fps: 30,
        durationS: 30,
        warmupS: 5,
        quietTailS: 5,
        latency: { dist: 'constant', ms: 40 },
        delay: { auto: true },
        events: { perMinute: 120, app: 'counter' },
      },
      { app: counter, randomEvent: (r) => r.int(100) },
    );
    expect(m.converged).toBe(true);
    expect(m.eventsGenerated).toBeGreaterThan(20);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
    expect(m.deltaMs).toBeNull();
    expect(m.lowerBoundPct).not.toBeNull();
  });

  it('refuses what it cannot run with a ScenarioError naming the field', async () => {
    const unknownApp = runScenario({ ...paperShort, events: { perMinute: 5, app: 'chess' } });
    await expect(unknownApp).rejects.toBeInstanceOf(ScenarioError);
    await expect(unknownApp).rejects.toMatchObject({ code: 'UNSUPPORTED', field: 'events.app' });
    const split = runScenario({
      ...paperShort,
      topology: undefined,
      peers: 4,
      edges: [
        [0, 1],
        [2, 3],
      ],
    });
    await expect(split).rejects.toMatchObject({ code: 'INCONSISTENT', field: 'edges' });
    await expect(runScenario({ ...paperShort, fps: 'fast' })).rejects.toMatchObject({
      code: 'WRONG_TYPE',
      field: 'fps',
    });
  });
});

describe('lower bound in a run', () => {
  it('matches the hand-computed value on a constant-latency line', async () => {
    // Line 0-1-2-3, every link exactly 100 ms, Δ = 140 ms (7 ticks at 50 fps): an event from an
    // end is late by 60 ms at 2 hops and 160 ms at 3 hops (2 + 7 ticks: an arrival exactly on a
    // tick boundary is applied before that tick); from a middle peer by 60 ms at its one 2-hop
    // receiver (2 ticks).
    const trace: TraceEvent[] = [];
    const m = await runScenario(
      {
        peers: 4,
        topology: { kind: 'line' },
        fps: 50,
        durationS: 60,
        latency: { dist: 'constant', ms: 100 },
        delay: { ms: 140 },
        events: { perMinute: 60 },
      },
      { trace: (e) => trace.push(e) },
    );
    const emits = trace.filter((e) => e.type === 'emit');
    expect(emits.length).toBe(m.eventsGenerated);
    const ends = emits.filter((e) => e.peer === 0 || e.peer === 3).length;
    const middles = emits.length - ends;
    expect(m.lowerBoundTicks).toBe(9 * ends + 2 * middles);
    expect(m.lowerBoundPct).toBeCloseTo((100 * m.lowerBoundTicks!) / m.ticksSimulated, 5);
    // The runtime's clocks are not perfect, but on a quiet line it stays close to the bound.
    expect(m.converged).toBe(true);
    expect(m.rollbackToLowerBound!).toBeGreaterThan(0.5);
    expect(m.rollbackToLowerBound!).toBeLessThan(2);
  });
});
