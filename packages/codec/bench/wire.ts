/**
 * Codec benchmark: bytes on the wire per rectangle key event, and encode/decode throughput.
 * Runs against the built package: `npm run bench -w @symmetric/codec`.
 *
 * The event stream mimics the paper's evaluation: 21 peers with libp2p-style peer ids (52
 * characters), 50 FPS, 300 s, 200 events per minute network-wide (each peer draws its next event
 * uniformly within twice its mean interval), events stamped `tick = now + Δ` with Δ = 50 ticks,
 * one of the five rectangle keys each.
 */
import os from 'node:os';
import { createCodec, lengthPrefix, msgpackPayloadCodec, rectangleKeyCodec } from '../dist/index.js';

const PEERS = 21;
const FPS = 50;
const DURATION_S = 300;
const PER_MINUTE = 200;
const DELTA_TICKS = 50;

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

const random = prng(42);
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const ids = Array.from({ length: PEERS }, () => {
  let id = '12D3KooW';
  while (id.length < 52) id += B58[Math.floor(random() * B58.length)];
  return id;
});

/** The run's events in log order (tick, source, seq). */
function paperRun(): { source: string; seq: number; tick: number; payload: number }[] {
  const meanMs = (60_000 / PER_MINUTE) * PEERS; // per peer
  const events: { source: string; seq: number; tick: number; payload: number }[] = [];
  for (let p = 0; p < PEERS; p++) {
    let t = random() * 10_000; // started up to 10 s late
    let seq = 0;
    for (;;) {
      t += random() * 2 * meanMs;
      if (t > (DURATION_S - 10) * 1000) break;
      events.push({
        source: ids[p]!,
        seq: ++seq,
        tick: Math.floor((t / 1000) * FPS) + DELTA_TICKS,
        payload: Math.floor(random() * 5),
      });
    }
  }
  events.sort(
    (a, b) => a.tick - b.tick || (a.source < b.source ? -1 : a.source > b.source ? 1 : a.seq - b.seq),
  );
  return events;
}

const events = paperRun();
const codec = createCodec({ payload: rectangleKeyCodec });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function row(label: string, value: string): void {
  console.log(`${label.padEnd(62)} ${value}`);
}

console.log('# @symmetric/codec benchmark');
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores), Node ${process.version}`,
);
console.log(
  `stream: ${events.length} rectangle key events, ${PEERS} peers (52-char ids), ${FPS} FPS, ${DURATION_S} s, ${PER_MINUTE}/min`,
);
console.log('');
console.log('## bytes on the wire per event (paper C implementation: 23; goal: <= 12 amortised)');

// 1. Flooding: one event per frame over one link, in log order; includes first-use id definitions.
{
  const enc = codec.encoder();
  const sizes: number[] = [];
  for (const e of events) sizes.push(enc.encode({ type: 'events', events: [e] }).length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const steady = sizes.slice(200);
  row(
    'single-event frames, whole run incl. id definitions, no prefix',
    `${(total / sizes.length).toFixed(2)} B/event`,
  );
  row(
    'single-event frame, steady state (median, min..max)',
    `${median(steady)} B (${Math.min(...steady)}..${Math.max(...steady)})`,
  );
  row('  + 1-byte length prefix on stream transports', `${median(steady) + 1} B`);
  // One hour into a session: tick ~180,000 (3-byte varint), seq ~600 (2-byte varint).
  const late = enc.encode({ type: 'events', events: [{ ...events[0]!, tick: 180_000, seq: 600 }] }).length;
  row('single-event frame 1 h into a session (tick 180000, seq 600)', `${late} B (+1 length prefix)`);
}

// 2. Repair / join: the whole history in batches, in log order and grouped by source.
for (const batch of [16, 64, 256]) {
  for (const order of ['log order', 'by source'] as const) {
    const list =
      order === 'log order'
        ? events
        : [...events].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.seq - b.seq));
    const enc = codec.encoder();
    let bytes = 0;
    for (let i = 0; i < list.length; i += batch) {
      bytes += lengthPrefix(enc.encode({ type: 'events', events: list.slice(i, i + batch) })).length;
    }
    row(
      `batches of ${batch}, ${order}, incl. ids + length prefix`,
      `${(bytes / list.length).toFixed(2)} B/event`,
    );
  }
}

// 3. For comparison: the default msgpack payload ({ key: 'ArrowUp' }-style objects).
{
  const json = createCodec();
  const enc = json.encoder();
  const keys = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Space'];
  let bytes = 0;
  for (let i = 0; i < events.length; i += 64) {
    const batch = events.slice(i, i + 64).map((e) => ({ ...e, payload: { key: keys[e.payload]! } }));
    bytes += lengthPrefix(enc.encode({ type: 'events', events: batch })).length;
  }
  row('batches of 64, msgpack payload {key:"ArrowUp"}', `${(bytes / events.length).toFixed(2)} B/event`);
}

console.log('');
console.log('## throughput (median of 25 runs)');

function throughput(label: string, fn: () => number): void {
  // warm up
  for (let i = 0; i < 20; i++) fn();
  const rates: number[] = [];
  for (let r = 0; r < 25; r++) {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < 40e6) {
      n += fn();
      elapsed = Number(process.hrtime.bigint() - start);
    }
    rates.push(n / (elapsed / 1e9));
  }
  row(label, `${(median(rates) / 1e6).toFixed(2)} M events/s`);
}

const BATCH = 256;
const batch = events.slice(0, BATCH);
{
  const enc = codec.encoder();
  const frame = { type: 'events' as const, events: batch };
  enc.encode(frame); // ids interned
  const bytes = enc.encode(frame);
  const dec = codec.decoder();
  dec.decode(codec.encoder().encode(frame));
  throughput(`encode, batches of ${BATCH} rectangle events`, () => {
    enc.encode(frame);
    return BATCH;
  });
  throughput(`decode, batches of ${BATCH} rectangle events`, () => {
    dec.decode(bytes);
    return BATCH;
  });
}
{
  const enc = codec.encoder();
  const dec = codec.decoder();
  const one = { type: 'events' as const, events: [batch[0]!] };
  const bytes = enc.encode(one);
  dec.decode(bytes);
  const warm = enc.encode(one);
  throughput('encode, single-event frames', () => {
    enc.encode(one);
    return 1;
  });
  throughput('decode, single-event frames', () => {
    dec.decode(warm);
    return 1;
  });
}
{
  const json = createCodec({ payload: msgpackPayloadCodec });
  const enc = json.encoder();
  const frame = {
    type: 'events' as const,
    events: batch.map((e) => ({ ...e, payload: { key: 'ArrowUp', x: e.payload } })),
  };
  enc.encode(frame);
  const bytes = enc.encode(frame);
  const dec = json.decoder();
  dec.decode(json.encoder().encode(frame));
  throughput(`encode, batches of ${BATCH}, msgpack payloads`, () => {
    enc.encode(frame);
    return BATCH;
  });
  throughput(`decode, batches of ${BATCH}, msgpack payloads`, () => {
    dec.decode(bytes);
    return BATCH;
  });
}
