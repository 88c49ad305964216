import type { Metrics } from '@symmetric/sim';
import { describe, expect, it } from 'vitest';
import { cellScenario, paperSetting } from '../src/grid.js';
import {
  CompareError,
  type Comparison,
  compareRealVsSim,
  comparisonMarkdown,
  explain,
  REAL_CELL,
} from '../src/real/compare.js';
import type { RealMetrics } from '../src/real/run.js';

const scenario = cellScenario(paperSetting(), REAL_CELL, 0, 120);

function simMetrics(over: Partial<Metrics> = {}): Metrics {
  return {
    rollbackPct: 0.16,
    resimPct: 0.34,
    rollbacks: 48,
    lowerBoundPct: 0.2,
    paceMismatchPct: 0,
    skewTicks: { p50: 0, p99: 1, max: 1 },
    recoveryS: { count: 0, mean: 0, p95: 0, unrecovered: 0, waited: 0, waitMean: 0, waitP95: 0 },
    recoveryPaperS: { count: 0, mean: 0, p50: 0, p95: 0, unrecovered: 0 },
    afterRecovery: { windowS: 5, count: 0, withRollback: 0, meanTicks: 0, p95Ticks: 0, maxTicks: 0 },
    meanLatencyEstimatePct: 0.21,
    meanLatencyEstimateTicks: 198,
    converged: true,
    distinctFinalHashes: 1,
    eventsGenerated: 39,
    eventsApplied: 39,
    messages: 10_000,
    bytes: 320_000,
    wallMs: 400,
    rollbackToLowerBound: 0.8,
    name: 'x',
    seed: 1,
    finalTick: 5950,
    finalTickSpread: 1,
    peersOnline: 21,
    eventsAppliedMax: 39,
    ticksSimulated: 94_500,
    ticksTravelledBack: 154,
    ticksResimulated: 321,
    lowerBoundTicks: 189,
    paceReports: 1890,
    desyncs: 0,
    tooOld: 0,
    peerErrors: {},
    deltaMs: 500,
    ...over,
  } as Metrics;
}

function realMetrics(over: Partial<RealMetrics> = {}): RealMetrics {
  return {
    name: 'x',
    seed: 1,
    rollbackPct: 0.33,
    resimPct: 0.75,
    rollbacks: 70,
    lowerBoundPct: 0.2,
    meanLatencyEstimatePct: 0.21,
    recoveryS: { count: 0, mean: 0, p95: 0, unrecovered: 0, waited: 0, waitMean: 0, waitP95: 0 },
    recoveryPaperS: { count: 0, mean: 0, p50: 0, p95: 0, unrecovered: 0 },
    afterRecovery: { windowS: 5, count: 0, withRollback: 0, meanTicks: 0, p95Ticks: 0, maxTicks: 0 },
    rollbackToLowerBound: 1.65,
    paceMismatchPct: 0,
    skewTicks: { p50: 1, p99: 1, max: 2 },
    paceReports: 1890,
    converged: true,
    distinctFinalHashes: 1,
    finalTick: 5950,
    finalTickSpread: 1,
    peersOnline: 21,
    eventsGenerated: 39,
    eventsApplied: 39,
    eventsAppliedMax: 39,
    messages: 10_100,
    bytes: 324_000,
    desyncs: 0,
    tooOld: 0,
    ticksSimulated: 94_505,
    ticksTravelledBack: 311,
    ticksResimulated: 709,
    lowerBoundTicks: 189,
    deltaMs: 500,
    wallMs: 120_000,
    runtime: {
      mode: 'single-process',
      peers: 21,
      eventLoopDelayMs: { mean: 1, p50: 0.1, p99: 23, max: 170 },
      cpuPct: 4.5,
      cpuUsPerPeerFrame: 42.857,
      ticksPerSecond: { min: 49.99, mean: 50 },
      latency: {
        framesIn: 10_100,
        framesDelivered: 10_100,
        framesDropped: 0,
        sampledMeanMs: 50,
        actualMeanMs: 52.1,
        actualSdMs: 12,
        latenessMeanMs: 2,
        latenessMaxMs: 174,
      },
      clockSpreadMs: { p50: 28, p99: 40, max: 40 },
      lateness: {
        deliveries: 760,
        late: 60,
        lateMeanMs: 30,
        lateTravelMs: 505,
        lateStampLagMs: 10,
        lateClockOffsetMs: 15,
        offsetMeanMs: 0.5,
        offsetAbsMeanMs: 8,
        stampLagMeanMs: 10,
        deltaMs: 500,
      },
      peerErrors: {},
      loadAverage1m: 8,
    },
    ...over,
  };
}

function comparison(real: RealMetrics, sim: Metrics, simLat: Metrics): Comparison {
  const partial = {
    machine: { cpu: 'Test CPU', cores: 2, node: 'v24.0.0', platform: 'linux-x64' },
    date: '2026-01-01T00:00:00.000Z',
    cell: { ...REAL_CELL, deltaMs: 500 },
    durationS: 120,
    scenario,
    real,
    sim,
    simMeasuredLatency: simLat,
  };
  return { ...partial, explanation: explain(partial) };
}

describe('real-vs-sim report', () => {
  it('the markdown puts the three runs side by side with machine, Node and the explanation', () => {
    const c = comparison(realMetrics(), simMetrics(), simMetrics({ rollbackPct: 0.21 }));
    const md = comparisonMarkdown(c);
    expect(md).toContain('Machine: Test CPU × 2, linux-x64, Node v24.0.0');
    expect(md).toContain('| rollback % | 0.3300 | 0.1600 | 0.2100 |');
    expect(md).toContain('| converged (distinct final hashes) | yes (1 at tick 5950) |');
    expect(md).toContain('| ticks travelled back per rollback | 4.44 | 3.21 | 3.21 |');
    expect(md).toContain('latency as measured (52.10 ± 12.00 ms)');
    expect(md).toContain('| wall time | 120.0 s | 0.4 s | 0.4 s |');
    expect(md).toContain(
      '| clock spread between peers, p50 / p99 / max (ms; 1 tick = 20 ms) | 28.00 / 40.00 / 40.0 |',
    );
    expect(md).toContain(
      '| late arrivals: lateness = travel + stamp lag + clock offset − Δ (ms, means) | 30.0 = 505.0 + 10.0 + 15.0 − 500 |',
    );
    expect(md).toContain('## Why the figures differ');
    expect(md).toContain(c.explanation);
  });

  it('the explanation is built from the figures', () => {
    const text = explain(comparison(realMetrics(), simMetrics(), simMetrics({ rollbackPct: 0.21 })));
    expect(text).toContain('Real rollback is 0.3300 % against 0.1600 % simulated (× 2.06)');
    expect(text).toContain('the simulator reports 0.2100 % instead of 0.1600 %');
    expect(text).toContain('52.10 ms (s.d. 12.00)');
    expect(text).toContain('2.10 ms more per hop');
    expect(text).toContain('both runs converged');
    expect(text).toContain('60 of 760 arrivals after warm-up came after their tick');
    expect(text).toContain('30.0 ms late on average = 505.0 ms of travel + 10.0 ms');
    expect(text).toContain('the late arrivals are mostly those whose receiver ran ahead');
    expect(text).toContain('one process is enough');
    expect(text).toContain('42.9 µs of CPU per peer per frame');
    expect(text).toContain('Δ ÷ L = 10 hops');
    expect(text).toContain('0.2000 % real, 0.2000 % simulated');
    // (0.21 − 0.16) ÷ (0.33 − 0.16) of the gap is latency.
    expect(text).toContain(': 29 % of the gap is the network as the peers saw it');
  });

  it('no sentence contradicts the figures beside it', () => {
    // Latency-matched simulation equal to the plain one: the text says so, not "X instead of X".
    const same = explain(comparison(realMetrics(), simMetrics(), simMetrics()));
    expect(same).toContain(
      'the simulator reports the same 0.1600 %: the measured latency explains none of the gap',
    );
    expect(same).not.toMatch(/reports (\d+\.\d+) % instead of \1 %/);
    // Real run below the latency-matched one: no claim that stamp lag explains a residual.
    const below = explain(
      comparison(realMetrics({ rollbackPct: 0.15 }), simMetrics(), simMetrics({ rollbackPct: 0.21 })),
    );
    expect(below).toContain('stamp lag and clock offsets add nothing measurable here');
    expect(below).not.toContain('of the gap is the network');
    // Latency-matched simulation beyond the real run: no share above 100 % of the gap.
    const beyond = explain(comparison(realMetrics(), simMetrics(), simMetrics({ rollbackPct: 0.57 })));
    expect(beyond).toContain('more than the whole gap');
    expect(beyond).not.toMatch(/\d{3,} % of the gap/);
    // Stamp lag no longer than the simulator's half frame: not called extra Δ lost.
    const lag = realMetrics();
    const noLag = explain(
      comparison(
        { ...lag, runtime: { ...lag.runtime, lateness: { ...lag.runtime.lateness, stampLagMeanMs: 10.4 } } },
        simMetrics(),
        simMetrics({ rollbackPct: 0.21 }),
      ),
    );
    expect(noLag).toContain('no more than that (0.4 ms difference)');
    // A peer that lost pace: the text does not claim one process is enough.
    const slow = explain(
      comparison(
        { ...lag, runtime: { ...lag.runtime, ticksPerSecond: { min: 40, mean: 48 } } },
        simMetrics(),
        simMetrics(),
      ),
    );
    expect(slow).toContain('the slowest peer lost pace');
    expect(slow).not.toContain('one process is enough');
  });

  it('says plainly when a run did not converge', () => {
    const text = explain(
      comparison(realMetrics({ converged: false, distinctFinalHashes: 3 }), simMetrics(), simMetrics()),
    );
    expect(text).toContain('the real run did NOT converge');
    expect(text).toContain('3 distinct hash(es)');
    const md = comparisonMarkdown(
      comparison(realMetrics(), simMetrics({ converged: false, distinctFinalHashes: 2 }), simMetrics()),
    );
    expect(md).toContain('| NO (2 at tick 5950) |');
  });

  it('names the peers that were not live at the end, with their connection and how long they ran', () => {
    const base = realMetrics({ converged: false });
    const stuck = {
      ...base,
      runtime: {
        ...base.runtime,
        notLiveAtEnd: [{ peer: 7, status: 'syncing', connection: 'catching-up (2)', tick: 0, upS: 9.5 }],
      },
    };
    const md = comparisonMarkdown(comparison(stuck, simMetrics(), simMetrics()));
    expect(md).toContain(
      '| not live at the end: peer, status, connection, tick, up for (s) | p7 syncing, catching-up (2), tick 0, 9.5 |',
    );
    expect(comparisonMarkdown(comparison(realMetrics(), simMetrics(), simMetrics()))).not.toContain(
      'not live at the end',
    );
  });

  it('refuses a duration that leaves nothing to measure', async () => {
    await expect(compareRealVsSim({ durationS: 35 })).rejects.toBeInstanceOf(CompareError);
    await expect(compareRealVsSim({ durationS: 35 })).rejects.toMatchObject({ code: 'BAD_DURATION' });
  });
});
