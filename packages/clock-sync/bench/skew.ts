/**
 * Skew figures for @symmetric/clock-sync on the paper's 21-peer topology, in virtual time.
 *
 *   npm run bench -w @symmetric/clock-sync        (builds, then runs this file with node)
 *   node bench/skew.ts [--quick]
 *
 * For each mean link latency L (normal, s.d. L/5, FIFO per direction), peers starting within
 * 10 s and oscillators within ±200 ppm, it prints the pairwise skew distribution of the peers'
 * ticks (sampled every 100 ms after the warm-up), the paper's pace-mismatch metric, the network's
 * rate against real time, and the same figures for the paper's rule (take the maximum tick seen,
 * ignoring transit time) as a baseline. Runs against the built package (../dist).
 */
import os from 'node:os';
import { Clock } from '../dist/index.js';
import {
  PAPER21_EDGES,
  type SimClock,
  type SimOptions,
  type SimResult,
  type SimSync,
  simulate,
} from '../test/netsim.ts';

const quick = process.argv.includes('--quick');
/** SYNC interval per link, ms: `--sync-interval <ms>`, default 1000 (the peer runtime's default). */
const syncIntervalMs = (() => {
  const at = process.argv.indexOf('--sync-interval');
  const value = at < 0 ? 1000 : Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error('--sync-interval needs a positive number of ms');
  return value;
})();
const FPS = 50;

/** The paper's rule: run at the local rate, jump to the largest tick heard from a neighbour. */
class MaxSeenClock implements SimClock {
  #fps: number;
  #origin: number | undefined;
  #base = 0;
  #tick = 0;
  #adoptions = 0;
  constructor(fps: number) {
    this.#fps = fps;
  }
  get tick(): number {
    return this.#tick;
  }
  get stats(): { adoptions: number } {
    return { adoptions: this.#adoptions };
  }
  clockTick(now: number): number {
    return this.#origin === undefined ? this.#base : this.#base + ((now - this.#origin) * this.#fps) / 1000;
  }
  advance(now: number): number {
    this.#origin ??= now;
    const target = Math.floor(this.clockTick(now) + 1e-9);
    const n = Math.max(0, target - this.#tick);
    this.#tick += n;
    return n;
  }
  syncFor(_link: string, now: number): SimSync {
    return { time: now, tick: this.clockTick(now) };
  }
  onSync(_link: string, msg: SimSync, now: number): void {
    const mine = this.clockTick(now);
    if (msg.tick > mine) {
      this.#base += msg.tick - mine;
      this.#adoptions++;
    }
  }
  dropLink(): void {}
}

/**
 * The naive fix of the paper's rule: the largest RTT-compensated estimate (NTP four timestamps,
 * smoothed per link like clock-sync's), jumping up to it, never down. Shows the ratchet.
 */
class MaxCompensatedClock extends MaxSeenClock {
  #fps: number;
  #links = new Map<string, { rx?: { time: number; at: number }; sentFirst?: number; u?: number }>();
  constructor(fps: number) {
    super(fps);
    this.#fps = fps;
  }
  override syncFor(link: string, now: number): SimSync {
    const l = this.#links.get(link) ?? {};
    this.#links.set(link, l);
    const m: SimSync = { time: now, tick: this.clockTick(now) };
    if (l.rx) m.echo = { time: l.rx.time, holdMs: now - l.rx.at };
    return m;
  }
  override onSync(link: string, msg: SimSync, now: number): void {
    const l = this.#links.get(link) ?? {};
    this.#links.set(link, l);
    l.rx = { time: msg.time, at: now };
    if (!msg.echo) return;
    const rtt = now - msg.echo.time - msg.echo.holdMs;
    const sample = msg.tick + (rtt * this.#fps) / 2000 - (now * this.#fps) / 1000;
    l.u = l.u === undefined ? sample : l.u + 0.25 * (sample - l.u);
    const estimate = l.u + (now * this.#fps) / 1000;
    const mine = this.clockTick(now);
    if (estimate > mine) super.onSync(link, { time: msg.time, tick: estimate }, now);
  }
}

function setting(latencyMs: number, seed: number, extra: Partial<SimOptions> = {}): SimOptions {
  return {
    seed,
    peers: 21,
    edges: PAPER21_EDGES,
    fps: FPS,
    durationMs: quick ? 120_000 : 300_000,
    warmupMs: 30_000,
    latency: { meanMs: latencyMs, sdMs: latencyMs / 5 },
    startJitterMs: 10_000,
    driftPpm: 200,
    syncIntervalMs,
    frameMs: 1000 / 60,
    sampleEveryMs: 100,
    makeClock: (fps) => new Clock({ fps }),
    ...extra,
  };
}

interface Pooled {
  hist: number[];
  count: number;
  clockP99: number[];
  clockMax: number;
  pace: number;
  reports: number;
  rate: number[];
  catchUp: number[];
  wallMs: number;
  violations: number;
}

function pool(runs: { r: SimResult; wallMs: number }[]): Pooled {
  const p: Pooled = {
    hist: [],
    count: 0,
    clockP99: [],
    clockMax: 0,
    pace: 0,
    reports: 0,
    rate: [],
    catchUp: [],
    wallMs: 0,
    violations: 0,
  };
  for (const { r, wallMs } of runs) {
    r.skew.histogram.forEach((c, k) => {
      p.hist[k] = (p.hist[k] ?? 0) + c;
    });
    p.count += r.skew.count;
    p.clockP99.push(r.clockSkewMs.p99);
    p.clockMax = Math.max(p.clockMax, r.clockSkewMs.max);
    p.pace += r.paceMismatches;
    p.reports += r.paceReports;
    p.rate.push(r.rateErrorPpm);
    p.catchUp.push(r.catchUpMs.mean);
    p.wallMs += wallMs;
    p.violations += r.violations + r.syncErrors;
  }
  return p;
}

function quantile(hist: readonly number[], count: number, q: number): number {
  const rank = Math.ceil(q * count);
  let acc = 0;
  for (let k = 0; k < hist.length; k++) {
    acc += hist[k] ?? 0;
    if (acc >= rank) return k;
  }
  return hist.length - 1;
}

function runAll(make: (seed: number) => SimOptions, seeds: readonly number[]): Pooled {
  return pool(
    seeds.map((seed) => {
      const t0 = performance.now();
      const r = simulate(make(seed));
      return { r, wallMs: performance.now() - t0 };
    }),
  );
}

const seeds = quick ? [1] : [1, 2, 3];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

console.log(`@symmetric/clock-sync skew benchmark (virtual time, deterministic)`);
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores), Node ${process.version}`,
);
console.log(
  `setting: paper-21 topology, ${FPS} fps, latency normal(L, L/5) FIFO, starts within 10 s, ±200 ppm, SYNC every ${syncIntervalMs} ms per link, ` +
    `${(setting(50, 1).durationMs / 1000).toFixed(0)} s per run after which metrics use t ≥ 30 s, seeds ${seeds.join(',')}`,
);
console.log('');
console.log(
  '| L (ms) | algorithm | skew p50 | skew p99 | skew max | clock skew p99 (ms) | clock skew max (ms) | pace mismatch | rate vs real time (ppm) | catch-up (s) | wall (ms/run) |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const L of [5, 50, 250]) {
  for (const [name, make] of [
    ['clock-sync', (seed: number) => setting(L, seed)],
    ['max seen (paper)', (seed: number) => setting(L, seed, { makeClock: (fps) => new MaxSeenClock(fps) })],
    [
      'max compensated',
      (seed: number) => setting(L, seed, { makeClock: (fps) => new MaxCompensatedClock(fps) }),
    ],
  ] as const) {
    const p = runAll(make, seeds);
    const worstRate = p.rate.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
    console.log(
      `| ${L} | ${name} | ${quantile(p.hist, p.count, 0.5)} | ${quantile(p.hist, p.count, 0.99)} | ${quantile(p.hist, p.count, 1)} | ` +
        `${median(p.clockP99).toFixed(1)} | ${p.clockMax.toFixed(1)} | ${p.pace}/${p.reports} | ${worstRate.toFixed(0)} | ` +
        `${(median(p.catchUp) / 1000).toFixed(2)} | ${(p.wallMs / seeds.length).toFixed(0)} |` +
        (p.violations > 0 ? ` VIOLATIONS ${p.violations}` : ''),
    );
  }
}

console.log('');
console.log('The test setting (L = 50 ms, 60 s, metrics from t = 20 s), seeds 1-3:');
{
  const p = runAll((seed) => setting(50, seed, { durationMs: 60_000, warmupMs: 20_000 }), [1, 2, 3]);
  console.log(
    `  skew ticks p50=${quantile(p.hist, p.count, 0.5)} p99=${quantile(p.hist, p.count, 0.99)} max=${quantile(p.hist, p.count, 1)} ` +
      `histogram ${p.hist.map((x) => x ?? 0).join('/')} (${p.count} pair samples); pace mismatch ${p.pace}/${p.reports}`,
  );
}

console.log('');
console.log('Churn (paper variant: online ~40 s, offline ~20 s, restart from nothing at tick 0), L = 50 ms.');
console.log(
  'A restarted peer re-simulates from tick 0 (catchUpRate 100, as fast as the trivial app allows);',
);
console.log(
  'skew among peers online for ≥ 10 s and in the same connected component (churn partitions the lines):',
);
{
  const p = runAll(
    (seed) =>
      setting(50, seed, {
        churn: { onlineMeanMs: 40_000, offlineMeanMs: 20_000 },
        settleMs: 10_000,
        makeClock: (fps) => new Clock({ fps, catchUpRate: 100, maxTicksPerAdvance: 100_000 }),
      }),
    seeds,
  );
  console.log(
    `  skew ticks p50=${quantile(p.hist, p.count, 0.5)} p99=${quantile(p.hist, p.count, 0.99)} ` +
      `clock skew p99 ${median(p.clockP99).toFixed(1)} ms; pace mismatch ${p.pace}/${p.reports} ` +
      `(counts peers cut off from the rest); catch-up after a (re)start ${(median(p.catchUp) / 1000).toFixed(2)} s mean; ` +
      `rate ${p.rate.map((r) => r.toFixed(0)).join(', ')} ppm`,
  );
}
