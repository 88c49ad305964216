import { describe, expect, it } from 'vitest';
import { PaceTracker, percentile, perfectClockLateTicks, recoveryStats } from '../src/metrics.js';
import { lineEdges } from '../src/topology.js';

describe('perfect-clock lower bound', () => {
  // Line 0-1-2-3, every link exactly 100 ms, Δ = 150 ms, 50 fps (1 tick = 20 ms).
  const net = { peers: 4, edges: lineEdges(4), linkMs: 100 };
  const opts = { deltaMs: 150, fps: 50 };

  it('matches the hand-computed value on a known topology', () => {
    // From 0: D = 100, 200, 300 → late 0, 50, 150 ms → 0 + 2.5 + 7.5 = 10 ticks.
    expect(perfectClockLateTicks(net, [{ source: 0, atMs: 1000 }], opts)).toBe(10);
    // From 1: D = 100, 100, 200 → late only at 3: 50 ms = 2.5 ticks.
    expect(perfectClockLateTicks(net, [{ source: 1, atMs: 1000 }], opts)).toBe(2.5);
    // Both, plus an event whose own Δ (400 ms) hides every path: 12.5 ticks.
    expect(
      perfectClockLateTicks(
        net,
        [
          { source: 0, atMs: 1000 },
          { source: 1, atMs: 3000 },
          { source: 3, atMs: 5000, deltaMs: 400 },
        ],
        opts,
      ),
    ).toBe(12.5);
    // Δ ≥ the farthest path: no rollback is necessary at all.
    expect(perfectClockLateTicks(net, [{ source: 0, atMs: 1000 }], { deltaMs: 300, fps: 50 })).toBe(0);
  });

  it('counts only deliveries after the warm-up', () => {
    // Event at 900 from 0: arrives at 1 at 1000, at 2 at 1100, at 3 at 1200; fromMs 1150 keeps only peer 3.
    expect(perfectClockLateTicks(net, [{ source: 0, atMs: 900 }], { ...opts, fromMs: 1150 })).toBe(7.5);
  });

  it('waits for a cut link to heal', () => {
    const cut = { ...net, cuts: [{ fromMs: 0, toMs: 2000, edges: [[1, 2]] as const }] };
    // From 0 at 1000: peer 1 at 1100 (on time), peer 2 at 2000 + 100 = 2100 (late 950 ms = 47.5 ticks),
    // peer 3 at 2200 (late 1050 ms = 52.5 ticks).
    expect(perfectClockLateTicks(cut, [{ source: 0, atMs: 1000 }], opts)).toBe(100);
  });

  it('skips offline peers: they neither receive nor relay', () => {
    const inf = Number.POSITIVE_INFINITY;
    const online = [
      [{ from: 0, to: inf }],
      [{ from: 5000, to: inf }],
      [{ from: 0, to: inf }],
      [{ from: 0, to: inf }],
    ];
    expect(perfectClockLateTicks({ ...net, online }, [{ source: 0, atMs: 1000 }], opts)).toBe(0);
    // A receiver going offline before the event arrives does not count either.
    const leaving = [
      [{ from: 0, to: inf }],
      [{ from: 0, to: inf }],
      [{ from: 0, to: inf }],
      [{ from: 0, to: 1250 }],
    ];
    expect(perfectClockLateTicks({ ...net, online: leaving }, [{ source: 0, atMs: 1000 }], opts)).toBe(2.5);
  });
});

describe('pace and percentiles', () => {
  it('nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile(xs, 0.99)).toBe(99);
    expect(percentile(xs, 1)).toBe(100);
    expect(percentile([], 0.5)).toBe(0);
    expect(percentile([7], 0.01)).toBe(7);
  });

  it('a report more than the threshold behind the largest tick so far is a mismatch', () => {
    const pace = new PaceTracker(50);
    pace.round([
      { tick: 100, counted: true },
      { tick: 60, counted: true },
      { tick: 10, counted: false },
    ]);
    expect(pace.reports).toBe(2);
    expect(pace.mismatches).toBe(0);
    pace.round([
      { tick: 200, counted: true },
      { tick: 149, counted: true },
    ]);
    expect(pace.mismatches).toBe(1);
    expect(pace.mismatchPct).toBe(25);
    // Skews 0, 40, 0, 51: nearest-rank p50 of four is the 2nd smallest.
    expect(pace.skew()).toEqual({ p50: 0, p99: 51, max: 51 });
    // The maximum is "so far": a later round reporting lower ticks is judged against it.
    pace.round([{ tick: 140, counted: true }]);
    expect(pace.mismatches).toBe(2);
  });

  it('recovery stats in seconds', () => {
    expect(recoveryStats([1000, 500, 2000, 1500], 1)).toEqual({
      count: 4,
      mean: 1.25,
      p95: 2,
      unrecovered: 1,
    });
    expect(recoveryStats([], 0)).toEqual({ count: 0, mean: 0, p95: 0, unrecovered: 0 });
  });
});
