// Loopback network throughput in virtual time (what @symmetric/sim does): frames through
// send -> heap -> runUntil -> onFrame. Prints medians of 5 runs. Run: npm run bench
import os from 'node:os';
import { LoopbackNetwork } from '../dist/index.js';

const noop = () => {};

/** `peers` transports in a ring (each linked to the next), `perStep` frames per virtual ms over all links. */
async function run(peers, latency, totalFrames, frameBytes, perStep) {
  const network = new LoopbackNetwork({ time: 'virtual', seed: 1, latency });
  let delivered = 0;
  const handler = {
    onLink: noop,
    onClose: noop,
    onError: noop,
    onFrame: () => {
      delivered++;
    },
  };
  const ts = [];
  for (let i = 0; i < peers; i++) {
    const t = network.transport(`p${i}`);
    await t.start(handler);
    ts.push(t);
  }
  const links = [];
  for (let i = 0; i < peers; i++) {
    const out = await ts[i].dial(`p${(i + 1) % peers}`);
    links.push(out);
  }
  const frame = new Uint8Array(frameBytes);
  const start = process.hrtime.bigint();
  let sent = 0;
  let now = 0;
  let maxQueue = 0;
  while (sent < totalFrames) {
    for (let k = 0; k < perStep; k++) links[(sent + k) % links.length].send(frame);
    sent += perStep;
    now += 1;
    network.runUntil(now);
    if (now % 64 === 0) {
      const s = network.stats();
      maxQueue = Math.max(maxQueue, s.framesSent - s.framesDelivered - s.framesDropped);
    }
  }
  network.runUntil(now + 1e6);
  const ns = Number(process.hrtime.bigint() - start);
  if (delivered !== sent) throw new Error(`delivered ${delivered} of ${sent}`);
  return { ns, frames: sent, maxQueue };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const normal = { dist: 'normal', meanMs: 50, sdMs: 10 };
const constant0 = { dist: 'constant', ms: 0 };
const uniform = { dist: 'uniform', minMs: 20, maxMs: 80 };
const constant50 = { dist: 'constant', ms: 50 };
const cases = [
  // A large simulated room: many links, one constant latency (every frame in the fast lane).
  {
    name: '2000-ring, constant 50 ms, 64 B, 80/ms',
    peers: 2000,
    latency: constant50,
    bytes: 64,
    perStep: 80,
  },
  { name: '2 peers, constant 0 ms, 64 B, 1000/ms', peers: 2, latency: constant0, bytes: 64, perStep: 1000 },
  { name: '2 peers, normal 50±10 ms, 64 B, 1000/ms', peers: 2, latency: normal, bytes: 64, perStep: 1000 },
  { name: '21-ring, normal 50±10 ms, 64 B, 1000/ms', peers: 21, latency: normal, bytes: 64, perStep: 1000 },
  { name: '21-ring, normal 50±10 ms, 64 B, 20/ms', peers: 21, latency: normal, bytes: 64, perStep: 20 },
  {
    name: '21-ring, uniform 20-80 ms, 512 B, 1000/ms',
    peers: 21,
    latency: uniform,
    bytes: 512,
    perStep: 1000,
  },
];
const frames = 1_000_000;

console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cpus; node ${process.version}`,
);
console.log('case | frames | median ns/frame | median Mframes/s | frames in flight (max)');
for (const c of cases) {
  await run(c.peers, c.latency, 100_000, c.bytes, c.perStep); // warm-up
  const results = [];
  for (let r = 0; r < 5; r++) results.push(await run(c.peers, c.latency, frames, c.bytes, c.perStep));
  const nsPerFrame = median(results.map((x) => x.ns / x.frames));
  console.log(
    `${c.name} | ${frames} | ${nsPerFrame.toFixed(0)} | ${(1000 / nsPerFrame).toFixed(2)} | ${results[0].maxQueue}`,
  );
}
