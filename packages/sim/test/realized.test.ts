import { describe, expect, it } from 'vitest';
import { type CarriedFrame, FrameColumns } from '../src/frame-columns.js';
import { perfectClockLateTicks } from '../src/metrics.js';
import { FrameLog, realizedLateTicks } from '../src/realized.js';
import { runScenario } from '../src/runner.js';
import { lineEdges } from '../src/topology.js';

/** A frame of link `link` from `from` to `to`, FIFO due time computed from the previous one. */
function frames(from: number, to: number, link: string, sends: readonly [number, number][]): CarriedFrame[] {
  let lastDue = Number.NEGATIVE_INFINITY;
  return sends.map(([sentMs, delayMs]) => {
    const dueMs = Math.max(sentMs + delayMs, lastDue);
    lastDue = dueMs;
    return { from, to, link, sentMs, delayMs, dueMs };
  });
}

describe('FrameColumns', () => {
  it('gives back every frame as pushed, across chunks, due times off the FIFO rule included', () => {
    const cols = new FrameColumns();
    const pushed: CarriedFrame[] = [];
    const lastDue = new Map<string, number>();
    for (let i = 0; i < 70_000; i++) {
      const from = i % 3;
      const to = (i + 1) % 3;
      const link = `l${i % 2}`;
      const sentMs = i;
      const delayMs = (i * 7) % 50;
      const key = `${link}/${from}/${to}`;
      const fifo = Math.max(sentMs + delayMs, lastDue.get(key) ?? Number.NEGATIVE_INFINITY);
      // Every 1,000th frame is due later than the rule says (a real network's measured time).
      const dueMs = i % 1000 === 999 ? fifo + 3 : fifo;
      lastDue.set(key, dueMs);
      const f = { from, to, link, sentMs, delayMs, dueMs };
      pushed.push(f);
      cols.push(f);
    }
    expect(cols.size).toBe(70_000);
    expect(cols.routeFrom.length).toBe(6);
    expect([...cols]).toEqual(pushed);
  });
});

describe('FrameLog.arrival', () => {
  // 0 → 1: sent at 0 (80 ms, due 80), 10 (20 ms, FIFO: due 80), 50 (5 ms, due 80), 100 (30 ms, due 130).
  const log = new FrameLog(2);
  for (const f of frames(0, 1, 'a', [
    [0, 80],
    [10, 20],
    [50, 5],
    [100, 30],
  ]))
    log.record(f);

  it('takes the next frame’s drawn latency, behind what its link already has in flight', () => {
    expect(log.arrival(0, 1, 0)).toBe(80);
    // Next frame is the one sent at 10 (20 ms) but FIFO holds it behind the first (due 80).
    expect(log.arrival(0, 1, 5)).toBe(80);
    // After the last frame: nothing was carried then.
    expect(log.arrival(0, 1, 101)).toBe(Number.POSITIVE_INFINITY);
    // The other direction carried nothing.
    expect(log.arrival(1, 0, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('waiting for a later slot never pays: arrivals grow with the send time', () => {
    // Sent at 60: the next frame (sent at 100) drew 30 ms, and nothing is in flight after 80.
    expect(log.arrival(0, 1, 60)).toBe(90);
    let last = Number.NEGATIVE_INFINITY;
    for (let d = 0; d <= 100; d += 0.5) {
      const at = log.arrival(0, 1, d);
      expect(at).toBeGreaterThanOrEqual(last);
      last = at;
    }
  });

  it('is never later than a frame sent at or after the send time actually landed', () => {
    const all = frames(0, 1, 'a', [
      [0, 80],
      [10, 20],
      [50, 5],
      [100, 30],
    ]);
    for (let d = 0; d <= 100; d += 0.5) {
      const landed = Math.min(...all.filter((f) => f.sentMs >= d).map((f) => f.dueMs));
      expect(log.arrival(0, 1, d)).toBeLessThanOrEqual(landed);
    }
  });

  it('a new link between the same pair does not queue behind the old one', () => {
    const two = new FrameLog(2);
    for (const f of frames(0, 1, 'old', [[0, 500]])) two.record(f);
    for (const f of frames(0, 1, 'new', [[100, 10]])) two.record(f);
    expect(two.arrival(0, 1, 50)).toBe(60);
  });
});

describe('realized lower bound', () => {
  it('equals the mean-latency figure when every frame drew the mean and links are busy', () => {
    // Line 0-1-2-3, frames every 10 ms both ways, each exactly 100 ms: late 60 and 160 ms, 2 + 7
    // ticks (an arrival exactly on a tick boundary is applied before that tick).
    const log = new FrameLog(4);
    for (const [a, b] of lineEdges(4)) {
      const sends = Array.from({ length: 300 }, (_, k) => [k * 10, 100] as [number, number]);
      for (const f of frames(a, b, `${a}-${b}`, sends)) log.record(f);
      for (const f of frames(b, a, `${b}-${a}`, sends)) log.record(f);
    }
    const net = { peers: 4, edges: lineEdges(4) };
    const opts = { deltaMs: 140, fps: 50 };
    const events = [{ source: 0, atMs: 1000 }];
    expect(realizedLateTicks(net, log, events, opts)).toBe(9);
    expect(perfectClockLateTicks({ ...net, linkMs: 100 }, events, opts)).toBe(9);
  });

  it('follows the delays actually drawn, not their mean', () => {
    // Same line, but the 2→3 link drew 300 ms for every frame: peer 3 gets it at 1500.
    const log = new FrameLog(4);
    for (const [a, b] of lineEdges(4)) {
      const ms = a === 2 ? 300 : 100;
      const sends = Array.from({ length: 300 }, (_, k) => [k * 10, ms] as [number, number]);
      for (const f of frames(a, b, `${a}-${b}`, sends)) log.record(f);
    }
    // Late at 2: 60 ms (2 ticks); at 3: 500 − 140 = 360 ms (17 ticks).
    expect(
      realizedLateTicks({ peers: 4, edges: lineEdges(4) }, log, [{ source: 0, atMs: 1000 }], {
        deltaMs: 140,
        fps: 50,
      }),
    ).toBe(19);
  });

  it('no run of the simulator rolls back less than the bound beyond what its clock skew explains (normal and constant latency, several seeds)', async () => {
    const latencies = [
      { dist: 'normal', meanMs: 50, sdMs: 10 },
      // Constant latencies land exactly on tick boundaries: applied before that tick.
      { dist: 'constant', ms: 50 },
    ] as const;
    for (const [seed, latency] of [
      [1, latencies[0]],
      [2, latencies[0]],
      [3, latencies[0]],
      [1, latencies[1]],
      [2, latencies[1]],
    ] as const) {
      const m = await runScenario(
        {
          peers: 8,
          topology: { kind: 'line' },
          fps: 50,
          durationS: 40,
          warmupS: 5,
          latency,
          delay: { ms: 100 },
          events: { perMinute: 120 },
        },
        { seed, includeWall: false },
      );
      expect(m.converged).toBe(true);
      expect(m.lowerBoundTicks!).toBeGreaterThan(0);
      // The bound assumes perfect clocks; a peer whose clock trails the room's by k ticks finds
      // each late event k ticks less late. So a run may sit under the bound by at most the
      // measured skew per rollback, and never by more.
      const skewAllowance = m.skewTicks.max * m.rollbacks;
      expect(m.ticksTravelledBack).toBeGreaterThanOrEqual(m.lowerBoundTicks! - skewAllowance);
      if (m.skewTicks.max === 0) expect(m.ticksTravelledBack).toBeGreaterThanOrEqual(m.lowerBoundTicks!);
    }
  });
});

describe('lower bound and adopted snapshots', () => {
  // Line 0-1-2-3, every link 100 ms, Δ 140 ms: the event is late 2 ticks at 2 (1200) and 7 at 3 (1300).
  const net = { peers: 4, edges: lineEdges(4), linkMs: 100 };
  const opts = { deltaMs: 140, fps: 50 };
  const events = [{ source: 0, atMs: 1000, id: { source: 'p0', seq: 1 } }];
  const adopted = (atMs: number, frontier: [string, number][]) => [
    [],
    [],
    [],
    [{ atMs, frontier: new Map(frontier) }],
  ];

  it('an event a peer holds when it adopts a snapshot is carried into its new timeline: not counted', () => {
    expect(perfectClockLateTicks(net, events, opts)).toBe(9);
    expect(perfectClockLateTicks({ ...net, adoptions: adopted(1400, []) }, events, opts)).toBe(2);
  });

  it('an event the adopted snapshot folds in is part of its state: not counted, even arriving later', () => {
    expect(perfectClockLateTicks({ ...net, adoptions: adopted(1250, []) }, events, opts)).toBe(9);
    expect(perfectClockLateTicks({ ...net, adoptions: adopted(1250, [['p0', 1]]) }, events, opts)).toBe(2);
    expect(perfectClockLateTicks({ ...net, adoptions: adopted(1250, [['p1', 1]]) }, events, opts)).toBe(9);
  });

  it('an adoption in another online interval of the peer covers nothing in this one', () => {
    const online = [
      [{ from: 0, to: 5000 }],
      [{ from: 0, to: 5000 }],
      [{ from: 0, to: 5000 }],
      [
        { from: 0, to: 500 },
        { from: 600, to: 5000 },
      ],
    ];
    // Peer 3 restarts at 600 (its state from peer 2 by 700); adopted at 300, before the restart.
    const withOnline = { ...net, online, restart: true };
    expect(perfectClockLateTicks({ ...withOnline, adoptions: adopted(300, [['p0', 1]]) }, events, opts)).toBe(
      perfectClockLateTicks(withOnline, events, opts),
    );
    expect(perfectClockLateTicks(withOnline, events, opts)).toBe(9);
  });
});
