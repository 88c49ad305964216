import { describe, expect, it } from 'vitest';
import {
  cellScenario,
  deltaMs,
  fullGrid,
  paperReference,
  paperRollback,
  paperSetting,
  quickGrid,
} from '../src/grid.js';
import {
  evaluateGoals,
  geoMeans,
  geometricMeanRatio,
  pctFigure,
  type RunMetrics,
  runsUnderBound,
  summariseCell,
  toMarkdown,
  toSvg,
  worseThanPaper,
} from '../src/report.js';

const setting = paperSetting();
const ref = paperReference();

function run(rollbackPct: number, lowerBoundPct: number, extra: Partial<RunMetrics> = {}): RunMetrics {
  return {
    rollbackPct,
    resimPct: rollbackPct,
    lowerBoundPct,
    paceMismatchPct: 0,
    skewTicks: { p50: 0, p99: 1, max: 2 },
    converged: true,
    distinctFinalHashes: 1,
    eventsGenerated: 100,
    messages: 1000,
    bytes: 10000,
    wallMs: 1,
    ...extra,
  };
}

describe('paper grid', () => {
  it('has the 108 cells of the paper and Δ = L × 5 × multiplier', () => {
    const grid = fullGrid(setting);
    expect(grid).toHaveLength(108);
    expect(new Set(grid.map((c) => `${c.latencyMs}/${c.perMinute}/${c.multiplier}`)).size).toBe(108);
    expect(deltaMs(setting, { latencyMs: 50, perMinute: 25, multiplier: 2 })).toBe(500);
    expect(quickGrid().length).toBeLessThan(20);
  });

  it('builds scenarios in the shared format', () => {
    const s = cellScenario(setting, { latencyMs: 100, perMinute: 50, multiplier: 1 }, 2);
    expect(s).toMatchObject({
      peers: 21,
      topology: { kind: 'paper-21' },
      fps: 50,
      durationS: 300,
      warmupS: 30,
      quietTailS: 10,
      startJitterS: 10,
      latency: { dist: 'normal', meanMs: 100, sdMs: 20 },
      delay: { ms: 500 },
      events: { perMinute: 50, app: 'rectangle' },
      seed: 3,
    });
  });

  it('looks up the published numbers', () => {
    expect(paperRollback(ref, { latencyMs: 50, perMinute: 25, multiplier: 2 })).toBe(3.1);
    expect(paperRollback(ref, { latencyMs: 500, perMinute: 200, multiplier: 1 })).toBe(601.7);
    expect(paperRollback(ref, { latencyMs: 7, perMinute: 25, multiplier: 2 })).toBeUndefined();
  });
});

describe('goals', () => {
  it('computes the geometric mean of ratios over cells whose bound is at least 0.1 %', () => {
    const a = summariseCell({ latencyMs: 50, perMinute: 25, multiplier: 2 }, [run(2, 1), run(2, 1)], ref);
    const b = summariseCell({ latencyMs: 100, perMinute: 25, multiplier: 2 }, [run(1, 1)], ref);
    const tiny = summariseCell({ latencyMs: 5, perMinute: 25, multiplier: 2 }, [run(1, 0.01)], ref);
    expect(geometricMeanRatio([a, b, tiny], 2)).toBeCloseTo(Math.SQRT2, 10);
    expect(geometricMeanRatio([a, b, tiny], 1)).toBeUndefined();
  });

  it('flags cells worse than the paper after rounding as the paper does', () => {
    const equal = summariseCell({ latencyMs: 50, perMinute: 25, multiplier: 2 }, [run(3.14, 1)], ref);
    const worse = summariseCell({ latencyMs: 50, perMinute: 25, multiplier: 2 }, [run(3.2, 1)], ref);
    expect(worseThanPaper(equal)).toBe(false);
    expect(worseThanPaper(worse)).toBe(true);
  });

  it('says plainly which goals are missed', () => {
    const good = summariseCell({ latencyMs: 50, perMinute: 25, multiplier: 2 }, [run(0.5, 0.45)], ref);
    const churn = summariseCell(
      { latencyMs: 50, perMinute: 25, multiplier: 2 },
      [run(0.5, 0.45, { recoveryS: { count: 4, mean: 0.2, p95: 0.3 } })],
      ref,
    );
    expect(evaluateGoals([good], [churn]).allMet).toBe(true);
    // A churn run's restarted peers are behind until recovered: that is the recovery goal, not pace.
    const churnBehind = summariseCell(
      { latencyMs: 50, perMinute: 25, multiplier: 2 },
      [run(0.5, 0.45, { paceMismatchPct: 3, recoveryS: { count: 4, mean: 0.2, p95: 0.3 } })],
      ref,
    );
    expect(evaluateGoals([good], [churnBehind]).allMet).toBe(true);
    const gridBehind = summariseCell(
      { latencyMs: 50, perMinute: 25, multiplier: 2 },
      [run(0.5, 0.45, { paceMismatchPct: 0.2 })],
      ref,
    );
    expect(
      evaluateGoals([gridBehind], [churn]).list.find((g) => g.name.startsWith('pace mismatch'))?.met,
    ).toBe(false);
    const slow = summariseCell(
      { latencyMs: 50, perMinute: 25, multiplier: 2 },
      [run(0.5, 0.45, { recoveryS: { count: 4, mean: 0.9, p95: 1 } })],
      ref,
    );
    const unconverged = summariseCell(
      { latencyMs: 50, perMinute: 25, multiplier: 1 },
      [run(0.5, 0.45, { converged: false })],
      ref,
    );
    const goals = evaluateGoals([good, unconverged], [slow]);
    expect(goals.allMet).toBe(false);
    expect(goals.list.find((g) => g.name === 'mean churn recovery')?.met).toBe(false);
    expect(goals.list.find((g) => g.name === 'runs converged')?.value).toBe('2 / 3');
  });

  it('renders markdown and svg with every cell', () => {
    const cells = [
      summariseCell({ latencyMs: 50, perMinute: 25, multiplier: 2 }, [run(0.5, 0.45)], ref),
      summariseCell({ latencyMs: 250, perMinute: 200, multiplier: 1 }, [run(90, 80)], ref),
    ];
    const report = {
      machine: { cpu: 'test cpu', cores: 2, node: 'v24', platform: 'linux' },
      startedAt: '2026-01-01T00:00:00.000Z',
      wallS: 12.5,
      mode: 'quick' as const,
      repetitions: 1,
      durationS: 300,
      cells,
      churn: [],
      goals: evaluateGoals(cells, []),
    };
    const md = toMarkdown(report, ref);
    expect(md).toContain('test cpu');
    expect(md).toContain('**0.50** / 3.1 / 0.45 / ×1.11');
    expect(md).toContain('**90.00** / 649.8 / 80.00 / ×1.13');
    expect(md).toContain(
      "| mean churn recovery | < 0.5 s, simulator's definition (paper: 1.3 s, its own; see the churn table) | no recoveries measured | **NO** |",
    );
    const svg = toSvg(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>0.50<');
    expect(svg).toContain('>649.8<');
  });
});

describe('honest figures', () => {
  it('geometric means with the 0.1 % filter and without it', () => {
    const cells = [
      summariseCell({ latencyMs: 50, perMinute: 25, multiplier: 2 }, [run(0.4, 0.2)], ref),
      summariseCell({ latencyMs: 5, perMinute: 25, multiplier: 2 }, [run(0.04, 0.01)], ref),
    ];
    const g = geoMeans(cells).filter((x) => x.multiplier === 2);
    expect(g.map((x) => [x.minBound, x.cells])).toEqual([
      [0.1, 1],
      [0, 2],
    ]);
    expect(g[0]!.value).toBeCloseTo(2, 9);
    expect(g[1]!.value).toBeCloseTo(Math.sqrt(2 * 4), 9);
  });

  it('lists runs under their bound and says whether clock skew accounts for it', () => {
    const cell = { latencyMs: 50, perMinute: 25, multiplier: 2 };
    const within = run(0.1, 0.11, { name: 'a', ticksTravelledBack: 90, lowerBoundTicks: 100, rollbacks: 10 });
    const beyond = run(0.1, 0.2, {
      name: 'b',
      ticksTravelledBack: 50,
      lowerBoundTicks: 100,
      rollbacks: 10,
      skewTicks: { p50: 0, p99: 1, max: 2 },
    });
    const above = run(0.3, 0.2, { name: 'c', ticksTravelledBack: 150, lowerBoundTicks: 100, rollbacks: 10 });
    const under = runsUnderBound([summariseCell(cell, [within, beyond, above], ref)]);
    expect(under.map((u) => [u.name, u.withinSkew])).toEqual([
      ['b', false],
      ['a', true],
    ]);
    const goal = evaluateGoals([summariseCell(cell, [beyond], ref)], []).list.find((x) =>
      x.name.startsWith('runs under the realized lower bound'),
    );
    expect(goal?.met).toBe(false);
  });

  it('a small non-zero percentage is never printed as zero', () => {
    expect(pctFigure(0)).toBe('0');
    expect(pctFigure(0.00049)).toBe('0.00049');
    expect(pctFigure(0.053)).toBe('0.053');
  });
});
