// Re-simulation throughput and rollback cost of @symmetric/core, on the paper's rectangle app
// and on a 10,000-entity app. Runs against the BUILT package: `npm run bench -w @symmetric/core`.
// Prints a table (and `--json` prints the rows as JSON). Goals: a 50-tick
// rollback under 20 µs for the rectangle app and under 8 ms for the 10,000-entity app.
import os from 'node:os';
import { rectangleApp, Timeline } from '../dist/index.js';

const LOAD_AT_START = os.loadavg()[0];
const ENTITIES = 10_000;
const W = 1000;

/** 10,000 bouncing entities in struct-of-arrays form; events give one entity an impulse. */
function entityApp(fastSnapshots) {
  const app = {
    init(seed) {
      const s = {
        x: new Float64Array(ENTITIES),
        y: new Float64Array(ENTITIES),
        vx: new Float64Array(ENTITIES),
        vy: new Float64Array(ENTITIES),
      };
      let r = seed | 0;
      for (let i = 0; i < ENTITIES; i++) {
        r = (Math.imul(r, 1664525) + 1013904223) | 0;
        s.x[i] = (r >>> 0) % W;
        s.y[i] = ((r >>> 10) >>> 0) % W;
        s.vx[i] = ((r & 7) - 3.5) / 2;
        s.vy[i] = (((r >>> 3) & 7) - 3.5) / 2;
      }
      return s;
    },
    tick(s) {
      const { x, y, vx, vy } = s;
      for (let i = 0; i < ENTITIES; i++) {
        let nx = x[i] + vx[i];
        let ny = y[i] + vy[i];
        if (nx < 0 || nx > W) {
          vx[i] = -vx[i];
          nx = x[i] + vx[i];
        }
        if (ny < 0 || ny > W) {
          vy[i] = -vy[i];
          ny = y[i] + vy[i];
        }
        x[i] = nx;
        y[i] = ny;
      }
    },
    event(s, e, ctx) {
      const i = e % ENTITIES;
      s.vx[i] += ctx.random.next() - 0.5;
      s.vy[i] += ctx.random.next() - 0.5;
    },
  };
  if (!fastSnapshots) return app;
  const copy = (src, dst) => {
    if (dst === undefined) {
      return {
        x: new Float64Array(src.x),
        y: new Float64Array(src.y),
        vx: new Float64Array(src.vx),
        vy: new Float64Array(src.vy),
      };
    }
    dst.x.set(src.x);
    dst.y.set(src.y);
    dst.vx.set(src.vx);
    dst.vy.set(src.vy);
    return dst;
  };
  return { ...app, snapshot: copy, restore: copy };
}

function now() {
  return process.hrtime.bigint();
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Throughput: force re-simulation of `span` ticks (restore + replay), repeated. */
function throughput(app, span, reps, snapshotEvery) {
  const tl = new Timeline(app, { snapshotEvery, maxSnapshots: Math.ceil(span / snapshotEvery) + 8 });
  let seq = 0;
  for (let t = 0; t < span + 10; t += 7) tl.insert({ tick: t, source: 'p', seq: ++seq, payload: t % 5 });
  tl.advance(span + 10);
  // warm-up
  for (let i = 0; i < 3; i++) tl.resimulateFrom(10);
  const t0 = now();
  for (let i = 0; i < reps; i++) tl.resimulateFrom(10);
  const ns = Number(now() - t0);
  return (span * reps) / (ns / 1e9);
}

/** 50-tick rollbacks: each iteration advances one tick and inserts an event 50 ticks late. */
function rollbackCost(app, depth, reps, snapshotEvery) {
  const tl = new Timeline(app, { snapshotEvery, maxSnapshots: Math.ceil((depth + 20) / snapshotEvery) + 4 });
  tl.advance(depth + 20);
  let seq = 0;
  const samples = new Float64Array(reps);
  const warm = Math.min(200, reps);
  for (let i = -warm; i < reps; i++) {
    tl.advance(1);
    const e = { tick: tl.tick - depth, source: 'late', seq: ++seq, payload: i & 3 };
    const t0 = now();
    tl.insert(e);
    const dt = Number(now() - t0);
    if (i >= 0) samples[i] = dt / 1000;
    if ((i & 63) === 0) tl.compact(tl.tick - depth - 10);
  }
  samples.sort();
  return {
    median: percentile(samples, 0.5),
    p95: percentile(samples, 0.95),
    resim: tl.stats().ticksResimulated,
  };
}

function hashCost(app, reps) {
  const tl = new Timeline(app);
  tl.advance(5);
  tl.hash();
  const t0 = now();
  for (let i = 0; i < reps; i++) tl.hash();
  return Number(now() - t0) / reps / 1000;
}

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const rows = [];
const fmt = (n, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const cases = [
  {
    name: 'rectangle',
    app: rectangleApp,
    span: 10_000,
    reps: quick ? 20 : 200,
    rb: quick ? 2000 : 20_000,
    goalUs: 20,
  },
  {
    name: 'entities-10k (typed-array snapshots)',
    app: entityApp(true),
    span: 200,
    reps: quick ? 2 : 10,
    rb: quick ? 30 : 300,
    goalUs: 8000,
  },
  {
    name: 'entities-10k (structuredClone)',
    app: entityApp(false),
    span: 200,
    reps: quick ? 2 : 5,
    rb: quick ? 20 : 150,
    goalUs: 8000,
  },
];

for (const c of cases) {
  for (const k of [1, 10]) {
    const tps = throughput(c.app, c.span, c.reps, k);
    const rb = rollbackCost(c.app, 50, c.rb, k);
    rows.push({
      app: c.name,
      snapshotEvery: k,
      resimTicksPerSec: Math.round(tps),
      rollback50MedianUs: Number(rb.median.toFixed(2)),
      rollback50P95Us: Number(rb.p95.toFixed(2)),
      goalUs: c.goalUs,
      meetsGoal: rb.median < c.goalUs,
    });
  }
}
const hashRows = [
  { app: 'rectangle', hashUs: Number(hashCost(rectangleApp, 20_000).toFixed(3)) },
  { app: 'entities-10k', hashUs: Number(hashCost(entityApp(true), 50).toFixed(1)) },
];

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  loadAverage1m: Number(LOAD_AT_START.toFixed(2)),
};
if (json) {
  console.log(JSON.stringify({ machine, rows, hash: hashRows }, null, 2));
} else {
  console.log(
    `@symmetric/core re-simulation benchmark — ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, ${machine.platform}, load average at start ${machine.loadAverage1m}`,
  );
  console.log('');
  console.log('| app | K | re-sim ticks/s | 50-tick rollback median | p95 | goal |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const r of rows) {
    console.log(
      `| ${r.app} | ${r.snapshotEvery} | ${fmt(r.resimTicksPerSec, 0)} | ${fmt(r.rollback50MedianUs, 2)} µs | ${fmt(r.rollback50P95Us, 2)} µs | < ${fmt(r.goalUs, 0)} µs ${r.meetsGoal ? 'met' : 'MISSED'} |`,
    );
  }
  console.log('');
  for (const h of hashRows) console.log(`state hash (${h.app}): ${fmt(h.hashUs, 3)} µs`);
}
