import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PaceTracker, percentile, perfectClockLateTicks, recoveryStats } from '../src/metrics.js';
import { lineEdges } from '../src/topology.js';

describe('mean-latency estimate (journeys with every link at its mean latency)', () => {
  // Line 0-1-2-3, every link exactly 100 ms, Δ = 140 ms (7 ticks at 50 fps: 1 tick = 20 ms).
  // Late ticks are ⌈late ÷ 20 ms⌉ − 1: an arrival exactly on a tick boundary is applied before
  // that tick is simulated, so 60 ms late is 2 ticks, 50 ms late 2 ticks too.
  const net = { peers: 4, edges: lineEdges(4), linkMs: 100 };
  const opts = { deltaMs: 140, fps: 50 };

  it('matches the hand-computed value on a known topology', () => {
    // From 0: D = 100, 200, 300 → late 0, 60, 160 ms → 0 + 2 + 7 = 9 ticks.
    expect(perfectClockLateTicks(net, [{ source: 0, atMs: 1000 }], opts)).toBe(9);
    // From 1: D = 100, 100, 200 → late only at 3: 60 ms = 2 ticks.
    expect(perfectClockLateTicks(net, [{ source: 1, atMs: 1000 }], opts)).toBe(2);
    // Both, plus an event whose own Δ (400 ms) hides every path: 11 ticks.
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
    ).toBe(11);
    // Δ ≥ the farthest path: no rollback is necessary at all.
    expect(perfectClockLateTicks(net, [{ source: 0, atMs: 1000 }], { deltaMs: 300, fps: 50 })).toBe(0);
    // Whole ticks: with Δ = 150 ms the 50 ms and 150 ms delays are 2.5 and 7.5 ticks → 2 + 7.
    expect(perfectClockLateTicks(net, [{ source: 0, atMs: 1000 }], { deltaMs: 150, fps: 50 })).toBe(9);
  });

  it('counts only deliveries after the warm-up', () => {
    // Event at 900 from 0: arrives at 1 at 1000, at 2 at 1100, at 3 at 1200; fromMs 1150 keeps only peer 3
    // (late 160 ms = 7 ticks).
    expect(perfectClockLateTicks(net, [{ source: 0, atMs: 900 }], { ...opts, fromMs: 1150 })).toBe(7);
  });

  it('waits for a cut link to heal', () => {
    const cut = { ...net, cuts: [{ fromMs: 0, toMs: 2000, edges: [[1, 2]] as const }] };
    // From 0 at 1000: peer 1 at 1100 (on time), peer 2 at 2000 + 100 = 2100 (late 960 ms = 47
    // ticks), peer 3 at 2200 (late 1060 ms = 52 ticks).
    expect(perfectClockLateTicks(cut, [{ source: 0, atMs: 1000 }], opts)).toBe(99);
  });

  it('an offline peer neither receives nor relays until it is back', () => {
    const inf = Number.POSITIVE_INFINITY;
    // Peer 1 comes online at 5000 only: it fetches the event from 0 then and passes it on
    // (2 at 5200: late 4060 ms = 202 ticks; 3 at 5300: 207 ticks); 1 itself is not counted.
    const online = [
      [{ from: 0, to: inf }],
      [{ from: 5000, to: inf }],
      [{ from: 0, to: inf }],
      [{ from: 0, to: inf }],
    ];
    expect(perfectClockLateTicks({ ...net, online }, [{ source: 0, atMs: 1000 }], opts)).toBe(409);
    // A receiver going offline before the event arrives does not count either.
    const leaving = [
      [{ from: 0, to: inf }],
      [{ from: 0, to: inf }],
      [{ from: 0, to: inf }],
      [{ from: 0, to: 1250 }],
    ];
    expect(perfectClockLateTicks({ ...net, online: leaving }, [{ source: 0, atMs: 1000 }], opts)).toBe(2);
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

  it('its skew distribution is the nearest-rank percentiles of every judged skew', () => {
    const report = fc.record({ tick: fc.integer({ min: 0, max: 300 }), counted: fc.boolean() });
    // Up to 80 rounds: past 100 judged reports the 99th percentile is no longer the maximum.
    fc.assert(
      fc.property(fc.array(fc.array(report, { maxLength: 6 }), { maxLength: 80, size: 'max' }), (rounds) => {
        const pace = new PaceTracker(50);
        const skews: number[] = [];
        let max = Number.NEGATIVE_INFINITY;
        for (const r of rounds) {
          pace.round(r);
          for (const x of r) max = Math.max(max, x.tick);
          for (const x of r) if (x.counted) skews.push(max - x.tick);
        }
        const sorted = skews.sort((a, b) => a - b);
        expect(pace.reports).toBe(sorted.length);
        expect(pace.skew()).toEqual({
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          max: sorted.at(-1) ?? 0,
        });
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('recovery stats in seconds', () => {
    expect(recoveryStats([1000, 500, 2000, 1500], 1, [0, 3000, 0, 1000])).toEqual({
      count: 4,
      mean: 1.25,
      p95: 2,
      unrecovered: 1,
      waited: 2,
      waitMean: 2,
      waitP95: 3,
    });
    expect(recoveryStats([], 0)).toEqual({
      count: 0,
      mean: 0,
      p95: 0,
      unrecovered: 0,
      waited: 0,
      waitMean: 0,
      waitP95: 0,
    });
  });
});

describe('lower bound over a changing graph', () => {
  const inf = Number.POSITIVE_INFINITY;
  const always = { from: 0, to: inf };
  const net = { peers: 4, edges: lineEdges(4), linkMs: 100 };
  const opts = { deltaMs: 140, fps: 50 };

  it('a restarted cut vertex carries the backlog across once it is back', () => {
    // Peer 1 (the only way from 0 to 2 and 3) is offline over [500, 3000) and restarts at 3000.
    const online = [
      [always],
      [
        { from: 0, to: 500 },
        { from: 3000, to: inf },
      ],
      [always],
      [always],
    ];
    // Event from 0 at 1000: 1 comes back at 3000 and fetches it (arrives 3100), passes it on:
    // peer 2 at 3200 (late 2060 ms = 102 ticks), peer 3 at 3300 (late 2160 ms = 107 ticks).
    // Peer 1 itself restarted after the emission: it gets the event with its catch-up (not counted).
    expect(perfectClockLateTicks({ ...net, online }, [{ source: 0, atMs: 1000 }], opts)).toBe(209);
  });

  it('without restart a peer keeps what it held while offline', () => {
    // Link 2-3 is cut until 2000. Peer 2 receives at 1200 (late 60 ms = 2 ticks), is offline
    // over [1500, 5000) and, keeping the event, hands it to 3 when back: 5100, late 3960 ms (197 ticks).
    const online = [
      [always],
      [always],
      [
        { from: 0, to: 1500 },
        { from: 5000, to: inf },
      ],
      [always],
    ];
    const cuts = [{ fromMs: 0, toMs: 2000, edges: [[2, 3]] as const }];
    const ev = [{ source: 0, atMs: 1000 }];
    expect(perfectClockLateTicks({ ...net, online, cuts, restart: false }, ev, opts)).toBe(2 + 197);
    // With restart it has lost the event, gets it again from 1 when it rejoins at 5000 (lands
    // 5100, part of its join: not counted) and passes it on: 3 gets it at 5200, late 4060 ms (202 ticks).
    expect(perfectClockLateTicks({ ...net, online, cuts, restart: true }, ev, opts)).toBe(2 + 202);
  });

  it('a peer that restarted after the emission counts when its neighbours did not hold the event yet', () => {
    // Link 1-2 is cut until 4000; peer 3 is offline over [1500, 2500) (restarts, rejoins from 2,
    // which does not have the event). Event from 0 at 1000: peer 2 gets it at 4100 (late 2960 ms
    // = 147 ticks) and peer 3 at 4200, after it rejoined: it has simulated past the event's
    // tick like everyone else (late 3060 ms = 152 ticks).
    const online = [
      [always],
      [always],
      [always],
      [
        { from: 0, to: 1500 },
        { from: 2500, to: inf },
      ],
    ];
    const cuts = [{ fromMs: 0, toMs: 4000, edges: [[1, 2]] as const }];
    const ev = [{ source: 0, atMs: 1000 }];
    expect(perfectClockLateTicks({ ...net, online, cuts }, ev, opts)).toBe(147 + 152);
    // Coming back after 2 received it, 3 gets it with its join instead: not counted.
    const later = online.with(3, [
      { from: 0, to: 1500 },
      { from: 4500, to: inf },
    ]);
    expect(perfectClockLateTicks({ ...net, online: later, cuts }, ev, opts)).toBe(147);
  });

  it('a holder that lost the event in a crash can get it again and carry it on', () => {
    // Line 0-1-2-3. 1 gets the event at 1100 and crashes at 1500; 2 is offline until 3000;
    // 1 comes back at 2000 and gets it again from 0 with its join (2100), then hands it to 2
    // (joining at 3000: not counted) and 2 to 3, online all along: 3 gets it at 3200.
    const online = [
      [always],
      [
        { from: 0, to: 1500 },
        { from: 2000, to: inf },
      ],
      [{ from: 3000, to: inf }],
      [always],
    ];
    const ev = [{ source: 0, atMs: 1000 }];
    // 1 is not late (60 ms under Δ: 0 ticks); 3 is late by 3200 − 1000 − 140 = 2060 ms = 102 ticks.
    expect(perfectClockLateTicks({ ...net, online }, ev, opts)).toBe(102);
  });

  it('a receiver that comes online later is not counted', () => {
    const online = [[always], [always], [always], [{ from: 2000, to: inf }]];
    // Only peer 2 counts: 60 ms late = 2 ticks.
    expect(perfectClockLateTicks({ ...net, online }, [{ source: 0, atMs: 1000 }], opts)).toBe(2);
  });
});
