/**
 * Cost of reading a clock's network time, per call: `estimate(now)` (the full estimate, a map of
 * per-link figures) and `networkTick(now)` (the number alone). CPU ns per call from
 * process.cpuUsage (user + system; the machine may be shared, so take ±15 %) and heap bytes
 * allocated per call (heap growth over a run with GC held off: run with `--expose-gc
 * --min-semi-space-size=256 --max-semi-space-size=256`, as `npm run bench:estimate` does).
 * Runs against the built package (../dist).
 */
import os from 'node:os';
import { Clock } from '../dist/index.js';

const FPS = 50;
const LINKS = 4;
const CALLS = 1_000_000;
const ALLOC_CALLS = 50_000;
const gc = (globalThis as { gc?: () => void }).gc;

/** A clock with `LINKS` neighbours that have exchanged SYNCs for 10 s (20 ms each way). */
function connected(): Clock {
  const me = new Clock({ fps: FPS });
  const others = Array.from({ length: LINKS }, () => new Clock({ fps: FPS }));
  for (let t = 0; t <= 10_000; t += 50) {
    me.advance(t);
    for (const [i, o] of others.entries()) {
      o.advance(t);
      me.onSync(`n${i}`, o.syncFor('me', t), t + 20);
      o.onSync('me', me.syncFor(`n${i}`, t + 20), t + 40);
    }
  }
  return me;
}

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/** Where results go, so the optimiser cannot drop the calls (and no heap number is made). */
const out = new Float64Array(1);
/** The last estimate, kept (as a caller that reads several fields keeps it). */
let kept: ReturnType<Clock['estimate']> | undefined;

function measure(label: string, read: (c: Clock, now: number) => number): void {
  const c = connected();
  for (let i = 0; i < 100_000; i++) out[0] = read(c, 10_040 + i * 0.001); // warm the JIT
  const runs: { ns: number; bytes: number }[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = cpuNs();
    for (let i = 0; i < CALLS; i++) out[0] = read(c, 10_200 + r + i * 1e-6);
    const t1 = cpuNs();
    // Allocation over fewer calls, so that no scavenge runs in between.
    gc?.();
    const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < ALLOC_CALLS; i++) out[0] = read(c, 10_205 + r + i * 1e-6);
    const h1 = process.memoryUsage().heapUsed;
    runs.push({ ns: (t1 - t0) / CALLS, bytes: (h1 - h0) / ALLOC_CALLS });
  }
  runs.sort((a, b) => a.ns - b.ns);
  const mid = runs[1]!;
  console.log(
    `${label.padEnd(36)} ${mid.ns.toFixed(0).padStart(6)} ns/call  ${mid.bytes.toFixed(0).padStart(5)} B/call`,
  );
}

console.log(`# @symmetric/clock-sync: reading the network's time (${LINKS} links)`);
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores), Node ${process.version}`,
);
if (gc === undefined) console.log('(run with --expose-gc for allocation figures)');
measure('estimate(now), kept', (c, now) => {
  kept = c.estimate(now);
  return kept.links.size;
});
measure('estimate(now).networkTick', (c, now) => c.estimate(now).networkTick);
if (typeof (Clock.prototype as { networkTick?: unknown }).networkTick === 'function') {
  measure('networkTick(now)', (c, now) => c.networkTick(now));
} else {
  console.log(`${'networkTick(now)'.padEnd(36)} (not in this build)`);
}
