// Throughput and round-trip latency of one WebSocket link on 127.0.0.1, Node listener, dialled by
// the Node (`ws`) client and by the browser entry (over Node's WHATWG WebSocket).
// Run: npm run bench -w @symmetric/transport-ws   (builds first; imports the built dist).
import os from 'node:os';
import { WebSocketTransport as BrowserTransport } from '../dist/browser.js';
import { WebSocketTransport } from '../dist/index.js';

const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

interface Pair {
  send(frame: Uint8Array): boolean;
  echo: boolean;
  onReceive: (frame: Uint8Array) => void;
  stop(): Promise<void>;
}

async function makePair(dialler: 'node' | 'browser'): Promise<Pair> {
  const pair = { echo: false, onReceive: (_f: Uint8Array) => {} } as Pair;
  const noop = () => {};
  const server = new WebSocketTransport({
    listen: { port: 0 },
    maxFrameBytes: 4 << 20,
    maxBufferedBytes: 256 << 20,
  });
  await server.start({
    onLink: noop,
    onFrame: (link, frame) => {
      if (pair.echo) link.send(frame);
      else pair.onReceive(frame);
    },
    onClose: noop,
    onError: (e) => console.error('server error', e.code, e.message),
  });
  const opts = { maxFrameBytes: 4 << 20, maxBufferedBytes: 256 << 20 };
  const client = dialler === 'node' ? new WebSocketTransport(opts) : new BrowserTransport(opts);
  await client.start({
    onLink: noop,
    onFrame: (_link, frame) => pair.onReceive(frame),
    onClose: noop,
    onError: (e) => console.error('client error', e.code, e.message),
  });
  const link = await client.dial(server.addresses()[0] as string);
  pair.send = (f) => link.send(f);
  pair.stop = async () => {
    await client.stop();
    await server.stop();
  };
  return pair;
}

async function throughput(pair: Pair, size: number, count: number): Promise<number> {
  const frame = new Uint8Array(size).fill(7);
  pair.echo = false;
  let got = 0;
  const done = new Promise<void>((resolve) => {
    pair.onReceive = () => {
      if (++got === count) resolve();
    };
  });
  const t0 = performance.now();
  // Send in slices so the client's send buffer never holds more than ~8 MiB.
  const slice = Math.max(1, Math.floor((8 << 20) / size));
  for (let sent = 0; sent < count; ) {
    const n = Math.min(slice, count - sent);
    for (let i = 0; i < n; i++) pair.send(frame);
    sent += n;
    await new Promise((r) => setImmediate(r));
    while (got < sent - slice) await new Promise((r) => setImmediate(r));
  }
  await done;
  return (count / (performance.now() - t0)) * 1000;
}

async function rtt(pair: Pair, rounds: number): Promise<number[]> {
  pair.echo = true;
  const frame = new Uint8Array(64);
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      pair.onReceive = () => resolve();
      pair.send(frame);
    });
    out.push(performance.now() - t0);
  }
  return out;
}

console.log(
  `# @symmetric/transport-ws bench — ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`,
);
console.log(`# one link on 127.0.0.1, median of ${RUNS} runs\n`);
console.log('| dialler | frame | frames/s | MB/s |');
console.log('|---|---:|---:|---:|');
for (const dialler of ['node', 'browser'] as const) {
  for (const [size, count] of [
    [64, 100_000],
    [1024, 50_000],
    [16 * 1024, 10_000],
    [256 * 1024, 800],
  ] as const) {
    const rates: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const pair = await makePair(dialler);
      await throughput(pair, size, Math.min(count, 1000)); // warm-up
      rates.push(await throughput(pair, size, count));
      await pair.stop();
    }
    const fps = median(rates);
    console.log(
      `| ${dialler} | ${size} B | ${Math.round(fps).toLocaleString('en')} | ${((fps * size) / 1e6).toFixed(1)} |`,
    );
  }
}
console.log('\n| dialler | 64 B round trip p50 | p99 |');
console.log('|---|---:|---:|');
for (const dialler of ['node', 'browser'] as const) {
  const pair = await makePair(dialler);
  await rtt(pair, 500);
  const samples = await rtt(pair, 5000);
  await pair.stop();
  console.log(
    `| ${dialler} | ${(median(samples) * 1000).toFixed(0)} µs | ${(quantile(samples, 0.99) * 1000).toFixed(0)} µs |`,
  );
}
