import { Clock } from '@symmetric/clock-sync';
import { describe, expect, it } from 'vitest';
import { PAPER21_EDGES, type SimOptions, type SimResult, simulate } from './netsim.js';

// The package is DOM- and Node-free (tsconfig `types: []`); vitest provides the console.
declare const console: { log(...args: unknown[]): void };

/** The paper's setting: its 21-peer topology, 50 ± 10 ms links, starts within 10 s, ±200 ppm. */
function paper21(seed: number, extra: Partial<SimOptions> = {}): SimOptions {
  return {
    seed,
    peers: 21,
    edges: PAPER21_EDGES,
    fps: 50,
    durationMs: 60_000,
    warmupMs: 20_000,
    latency: { meanMs: 50, sdMs: 10 },
    startJitterMs: 10_000,
    driftPpm: 200,
    syncIntervalMs: 250,
    frameMs: 1000 / 60,
    sampleEveryMs: 100,
    makeClock: (fps) => new Clock({ fps }),
    ...extra,
  };
}

function show(label: string, r: SimResult): void {
  console.log(
    `${label}: skew ticks p50=${r.skew.p50} p99=${r.skew.p99} max=${r.skew.max} (histogram ${r.skew.histogram.join('/')} over ${r.skew.count} pairs); ` +
      `clock skew ms p50=${r.clockSkewMs.p50.toFixed(1)} p99=${r.clockSkewMs.p99.toFixed(1)} max=${r.clockSkewMs.max.toFixed(1)}; ` +
      `pace mismatch ${r.paceMismatches}/${r.paceReports}; rate ${r.rateErrorPpm.toFixed(0)} ppm; ` +
      `catch-up mean ${(r.catchUpMs.mean / 1000).toFixed(2)} s max ${(r.catchUpMs.max / 1000).toFixed(2)} s; ${r.messages} SYNCs`,
  );
}

function expectAgreement(r: SimResult): void {
  expect(r.skew.count).toBeGreaterThan(50_000);
  expect(r.skew.p99).toBeLessThan(2);
  expect(r.violations).toBe(0);
  expect(r.syncErrors).toBe(0);
  expect(r.paceReports).toBeGreaterThan(0);
  expect(r.paceMismatches).toBe(0);
}

describe('21 peers on the paper topology (virtual time)', () => {
  it.each([1, 2, 3])(
    'seed %i: after 20 s the skew stays under 2 ticks at p99, ticks never decrease, no pace mismatch',
    (seed) => {
      const r = simulate(paper21(seed));
      show(`paper-21 seed ${seed}`, r);
      expectAgreement(r);
      expect(r.skew.max).toBeLessThanOrEqual(2);
    },
  );

  it('holds with the worst drift split: one half of the network +200 ppm, the other −200 ppm', () => {
    const drifts = Array.from({ length: 21 }, (_, i) => (i <= 10 ? 200 : -200));
    const r = simulate(paper21(4, { drifts }));
    show('paper-21 ±200 ppm split', r);
    expectAgreement(r);
  });

  it('tracks real time: over 5 virtual minutes the network runs at a real oscillator rate (no ratchet)', () => {
    for (const seed of [1, 2]) {
      const r = simulate(paper21(seed, { durationMs: 300_000, warmupMs: 60_000, sampleEveryMs: 500 }));
      show(`paper-21 seed ${seed}, 300 s`, r);
      expectAgreement(r);
      // Every oscillator is within ±200 ppm of real time; a max-of-noisy-estimates ratchet
      // would show up here as thousands of ppm.
      expect(Math.abs(r.rateErrorPpm)).toBeLessThan(250);
    }
  });

  it('is deterministic: the same seed gives the same run, bit for bit', () => {
    const a = simulate(paper21(7, { durationMs: 30_000 }));
    const b = simulate(paper21(7, { durationMs: 30_000 }));
    expect(b).toEqual(a);
    const c = simulate(paper21(8, { durationMs: 30_000 }));
    expect(c).not.toEqual(a);
  });
});
