/**
 * Codec benchmark: many sources on one link, and the per-frame hot paths.
 * Runs against the built package: `npm run bench:ids -w @symmetric/codec`.
 *
 * Part 1 (the peer-id table): N distinct 52-character sources on one link (500 .. 20,000), every
 * source defined once, then 200,000 single-event frames and 3,200 batches of 64 events, each
 * event from a source drawn uniformly at random (the worst case for any bounded table). Printed:
 * bytes per event (frame bytes, no length prefix), CPU ns per event to encode and to decode
 * (process.cpuUsage: user + system, less noisy than wall time on a shared machine; the fastest of
 * three rounds), and the sources held in the table.
 *
 * Part 2 (hot paths): CPU ns (fastest of three rounds) and heap bytes allocated per frame,
 * decoding and encoding single-event frames, 64-event batches and `sync` frames. Allocation is
 * the heap growth over a shorter run with GC held off (run with `--expose-gc
 * --min-semi-space-size=256 --max-semi-space-size=256`; the `bench:ids` script does), divided by
 * the frames.
 */
import os from 'node:os';
import {
  createCodec,
  type Frame,
  PROTOCOL_VERSION,
  rectangleKeyCodec,
  type WireEvent,
} from '../dist/index.js';

type Key = number;

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function makeIds(n: number, random: () => number): string[] {
  return Array.from({ length: n }, () => {
    let id = '12D3KooW';
    while (id.length < 52) id += B58[Math.floor(random() * B58.length)];
    return id;
  });
}

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

const gc = (globalThis as { gc?: () => void }).gc;
const codec = createCodec<Key>({ payload: rectangleKeyCodec });

/** Frames of `perFrame` events from sources drawn uniformly; encoded, then decoded, timed. */
function tableRun(n: number, perFrame: number, frames: number): string {
  const random = prng(n * 7 + perFrame);
  const ids = makeIds(n, random);
  const seqs = new Int32Array(n);
  const tx = codec.encoder();
  const rx = codec.decoder();
  let tick = 1000;
  // Define every source once (frames of 64 definitions).
  for (let i = 0; i < n; i += 64) {
    const events: WireEvent<Key>[] = [];
    for (let j = i; j < Math.min(n, i + 64); j++)
      events.push({ source: ids[j]!, seq: ++seqs[j]!, tick, payload: 1 });
    rx.decode(tx.encode({ type: 'events', events }));
  }
  const plan: Frame<Key>[] = [];
  for (let f = 0; f < frames; f++) {
    tick += 1;
    const events: WireEvent<Key>[] = [];
    for (let k = 0; k < perFrame; k++) {
      const s = Math.floor(random() * n);
      events.push({ source: ids[s]!, seq: ++seqs[s]!, tick: tick + (k & 3), payload: k % 5 });
    }
    plan.push({ type: 'events', events });
  }
  // Three rounds over the same plan (the seqs repeat; the codec does not care): the fastest.
  const encoded: Uint8Array[] = new Array(frames);
  let bytes = 0;
  let enc = Number.POSITIVE_INFINITY;
  let dec = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    bytes = 0;
    const e0 = cpuNs();
    for (let f = 0; f < frames; f++) {
      const b = tx.encode(plan[f]!);
      encoded[f] = b;
      bytes += b.length;
    }
    const e1 = cpuNs();
    for (let f = 0; f < frames; f++) rx.decode(encoded[f]!);
    const e2 = cpuNs();
    enc = Math.min(enc, e1 - e0);
    dec = Math.min(dec, e2 - e1);
  }
  const events = frames * perFrame;
  return [
    String(n).padStart(6),
    String(perFrame).padStart(5),
    (bytes / events).toFixed(2).padStart(8),
    (enc / events).toFixed(0).padStart(10),
    (dec / events).toFixed(0).padStart(10),
    String(tx.sourceCount).padStart(8),
  ].join('  ');
}

/** CPU ns and heap bytes per call of `run(i)` (i in 0..count-1), after a warm-up. */
function perCall(count: number, run: (i: number) => void): { ns: number; bytes: number } {
  for (let r = 0; r < 2; r++) for (let i = 0; i < count; i++) run(i);
  let ns = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const t0 = cpuNs();
    for (let r = 0; r < 20; r++) for (let i = 0; i < count; i++) run(i);
    ns = Math.min(ns, (cpuNs() - t0) / (20 * count));
  }
  gc?.();
  const h0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) run(i);
  const bytes = (process.memoryUsage().heapUsed - h0) / count;
  return { ns, bytes };
}

function hotPath(label: string, frames: Frame<Key>[]): void {
  // Reference frames only (every source defined by a first frame that is not measured), so the
  // same frames can be encoded and decoded again and again with one table.
  const tx = codec.encoder();
  const rx = codec.decoder();
  const bytes = frames.map((f) => tx.encode(f));
  for (const b of bytes) rx.decode(b);
  const steady = bytes.slice(1);
  const steadyFrames = frames.slice(1);
  const d = perCall(steady.length, (i) => rx.decode(steady[i]!));
  const e = perCall(steadyFrames.length, (i) => tx.encode(steadyFrames[i]!));
  const fmt = (x: { ns: number; bytes: number }) =>
    `${x.ns.toFixed(0).padStart(6)} ns ${x.bytes.toFixed(0).padStart(6)} B`;
  console.log(`${label.padEnd(34)} decode ${fmt(d)}   encode ${fmt(e)}`);
}

console.log('# @symmetric/codec: many sources on one link, hot paths');
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores), Node ${process.version}, protocol version ${PROTOCOL_VERSION}`,
);
console.log('CPU time from process.cpuUsage (user + system); the machine is shared, so take ±15 %.');
console.log('');
console.log('## Sources on one link (uniformly random source per event, after every source is defined)');
// Warm the JIT on every path first (not printed).
tableRun(3000, 1, 50_000);
tableRun(3000, 64, 800);
console.log('     N  batch  B/event  enc ns/ev  dec ns/ev     table');
for (const n of [500, 1024, 2000, 5000, 20000]) {
  console.log(tableRun(n, 1, 200_000));
  console.log(tableRun(n, 64, 3_200));
}

console.log('');
console.log(
  `## Hot paths, per frame (${gc === undefined ? 'run with --expose-gc for allocation figures' : 'allocation: heap growth with GC held off'})`,
);
{
  const ids = makeIds(21, prng(3));
  const define: Frame<Key> = {
    type: 'events',
    events: ids.map((source) => ({ source, seq: 1, tick: 500, payload: 0 })),
  };
  const single: Frame<Key>[] = [define];
  for (let f = 0; f < 2000; f++) {
    single.push({
      type: 'events',
      events: [{ source: ids[f % 21]!, seq: 2 + f, tick: 501 + f, payload: f % 5 }],
    });
  }
  const batches: Frame<Key>[] = [define];
  for (let f = 0; f < 200; f++) {
    const events: WireEvent<Key>[] = [];
    for (let k = 0; k < 64; k++)
      events.push({
        source: ids[(f + k) % 21]!,
        seq: 1 + f * 64 + k,
        tick: 600 + f + (k >> 3),
        payload: k % 5,
      });
    batches.push({ type: 'events', events });
  }
  const syncs: Frame<Key>[] = [{ type: 'snapshot-request' }];
  for (let f = 0; f < 2000; f++) {
    syncs.push({
      type: 'sync',
      time: 1_700_000_000_000 + f * 20,
      tick: f * 1.5,
      echo: { time: f * 20 + 3.25, holdMs: 0.5 },
    });
  }
  hotPath('events, 1 rectangle event', single);
  hotPath('events, 64 rectangle events', batches);
  hotPath('sync with echo', syncs);
}
