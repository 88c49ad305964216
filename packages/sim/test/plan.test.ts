import { describe, expect, it } from 'vitest';
import { drawPlan, EventClock, inIntervals, latencyMeanMs } from '../src/plan.js';
import { parseScenario } from '../src/scenario.js';
import { PAPER_21_EDGES } from '../src/topology.js';

const paper = parseScenario({
  name: 'paper',
  peers: 21,
  topology: { kind: 'paper-21' },
  fps: 50,
  durationS: 300,
  warmupS: 30,
  quietTailS: 10,
  startJitterS: 10,
  latency: { dist: 'normal', meanMs: 50, sdMs: 10 },
  delay: { ms: 500 },
  events: { perMinute: 25, app: 'rectangle' },
  churn: { onlineMeanS: 40, offlineMeanS: 20, restart: true },
  partitions: [{ atS: 60, healAtS: 90, groups: [[0, 1, 2, 3]] }],
  joins: [{ peer: 20, atS: 50 }],
});

describe('drawPlan', () => {
  it('draws starts within the jitter, honours joins, and is seeded', () => {
    const p = drawPlan(paper, 1, PAPER_21_EDGES);
    for (let i = 0; i < 20; i++) expect(p.startMs[i]! >= 0 && p.startMs[i]! < 10_000).toBe(true);
    expect(p.startMs[20]).toBe(50_000);
    expect(drawPlan(paper, 1, PAPER_21_EDGES)).toEqual(p);
    expect(drawPlan(paper, 2, PAPER_21_EDGES).startMs).not.toEqual(p.startMs);
  });

  it('churn alternates online/offline, never changes in the quiet tail, with the right means', () => {
    const p = drawPlan(paper, 1, PAPER_21_EDGES);
    let online = 0;
    let offline = 0;
    let count = 0;
    for (let i = 0; i < 21; i++) {
      const ivs = p.online[i]!;
      expect(ivs[0]!.from).toBe(p.startMs[i]);
      for (let k = 0; k < ivs.length; k++) {
        const iv = ivs[k]!;
        expect(iv.to).toBeGreaterThan(iv.from);
        if (k > 0) expect(iv.from).toBeGreaterThan(ivs[k - 1]!.to);
        if (Number.isFinite(iv.to)) expect(iv.to).toBeLessThan(290_000);
        expect(iv.from).toBeLessThanOrEqual(290_000);
      }
      // Everyone is back for the quiet tail and stays.
      expect(ivs.at(-1)!.to).toBe(Number.POSITIVE_INFINITY);
    }
    for (const t of p.transitions) expect(t.atMs).toBeLessThanOrEqual(290_000);
    expect(p.transitions.some((t) => t.atMs === 290_000 && t.kind === 'up')).toBe(true);
    const stay = drawPlan(
      parseScenario({ ...paper, churn: { ...paper.churn!, backForTail: false } }),
      1,
      PAPER_21_EDGES,
    );
    expect(stay.transitions.every((t) => t.atMs < 290_000)).toBe(true);
    expect(stay.online.some((ivs) => Number.isFinite(ivs.at(-1)!.to))).toBe(true);
    // Means over many seeds (long run): online ≈ 40 s, offline ≈ 20 s.
    const long = parseScenario({ ...paper, durationS: 100_000, partitions: [], joins: [] });
    for (let seed = 0; seed < 3; seed++) {
      const q = drawPlan(long, seed, PAPER_21_EDGES);
      for (const ivs of q.online) {
        for (let k = 0; k < ivs.length; k++) {
          const iv = ivs[k]!;
          if (Number.isFinite(iv.to)) {
            online += iv.to - iv.from;
            count++;
            const nextIv = ivs[k + 1];
            if (nextIv !== undefined) offline += nextIv.from - iv.to;
          }
        }
      }
    }
    expect(online / count / 1000).toBeGreaterThan(38);
    expect(online / count / 1000).toBeLessThan(42);
    expect(offline / count / 1000).toBeGreaterThan(19);
    expect(offline / count / 1000).toBeLessThan(21);
  });

  it('cuts exactly the links between groups (unlisted peers form one group)', () => {
    const p = drawPlan(paper, 1, PAPER_21_EDGES);
    expect(p.cuts).toHaveLength(1);
    expect(p.cuts[0]!.edges).toEqual([
      [3, 4],
      [3, 5],
    ]);
    expect(p.cuts[0]!.fromMs).toBe(60_000);
    expect(p.cuts[0]!.toMs).toBe(90_000);
  });

  it('inIntervals is half-open', () => {
    const ivs = [
      { from: 0, to: 10 },
      { from: 20, to: Number.POSITIVE_INFINITY },
    ];
    expect([0, 9.9, 10, 15, 20, 1e9].map((t) => inIntervals(ivs, t))).toEqual([
      true,
      true,
      false,
      false,
      true,
      true,
    ]);
  });

  it('latency means', () => {
    expect(latencyMeanMs({ dist: 'constant', ms: 7 })).toBe(7);
    expect(latencyMeanMs({ dist: 'uniform', minMs: 20, maxMs: 80 })).toBe(50);
    expect(latencyMeanMs({ dist: 'normal', meanMs: 50, sdMs: 10 })).toBe(50);
  });
});

describe('EventClock', () => {
  it("follows the paper's per-peer draw: first after 1 s, then uniform in [0, 2 × mean)", () => {
    const p = drawPlan(paper, 1, PAPER_21_EDGES);
    // 21 peers, 25/min network-wide: one peer's mean interval = 50 × 60 × 21 / 25 = 2520 ticks = 50.4 s.
    expect(p.meanEventIntervalTicks).toBe(2520);
    const clock = new EventClock(1, 0, p, 50, 1);
    clock.restart(5000);
    expect(clock.next).toBeGreaterThanOrEqual(6000);
    expect(clock.next).toBeLessThan(6000 + 2 * 50_400);
    let prev = clock.next;
    let sum = 0;
    const k = 5000;
    for (let i = 0; i < k; i++) {
      clock.advance();
      const gap = clock.next - prev;
      expect(gap >= 0 && gap < 100_800).toBe(true);
      sum += gap;
      prev = clock.next;
    }
    expect(sum / k / 1000).toBeGreaterThan(48);
    expect(sum / k / 1000).toBeLessThan(53);
    clock.stop();
    expect(clock.next).toBe(Number.POSITIVE_INFINITY);
  });
});
