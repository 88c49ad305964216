// Peer runtime cost on the paper's setting: 21 peers (paper topology), 50 fps, links normal
// 50 ms ± 10 ms, 25 events/min network-wide, Δ = 500 ms, 300 virtual seconds, over the
// virtual-time loopback network. Prints wall time, cost per peer-step (all-in, and inside
// step() only), frames, convergence. Run: npm run bench -w @symmetric/peer
import os from 'node:os';
import { rectangleKeyCodec } from '@symmetric/codec';
import { rectangleApp } from '@symmetric/core';
import { LoopbackNetwork } from '@symmetric/transport-loopback';
import { createPeer } from '../dist/index.js';

// biome-ignore format: the paper's figure
const EDGES = [
  [0, 1], [1, 2], [2, 3], [3, 4], [4, 6], [6, 8], [3, 5], [5, 7], [7, 8], [8, 9], [9, 10], [10, 11],
  [11, 12], [12, 13], [12, 14], [12, 15], [12, 16], [12, 17], [13, 14], [13, 15], [13, 16], [13, 17],
  [14, 15], [14, 16], [14, 17], [15, 16], [15, 17], [16, 17], [17, 18], [18, 19], [19, 20],
];
const N = 21;
const FPS = 50;
const DURATION_MS = 300_000;

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

async function once(seed, delay, app, extra = {}) {
  const net = new LoopbackNetwork({
    time: 'virtual',
    seed,
    latency: { dist: 'normal', meanMs: 50, sdMs: 10 },
  });
  const peers = [];
  for (let i = 0; i < N; i++) {
    const p = createPeer({
      app,
      payloadCodec: rectangleKeyCodec,
      transports: [net.transport(`p${i}`)],
      room: 'bench',
      fps: FPS,
      delay,
      trusted: true, // the runtime's cost without signatures (the security bench measures those)
      peerId: `p${i}`,
      redial: false,
      now: () => net.now(),
      ...extra,
    });
    await p.attach();
    peers.push(p);
  }
  for (const [a, b] of EDGES) peers[a].dial(`p${b}`);
  const rnd = lcg(seed);
  const meanInterval = 60_000 / 25;
  let nextEvent = rnd() * 2 * meanInterval;
  let inStep = 0;
  let events = 0;
  const frameMs = 1000 / FPS;
  const t0 = performance.now();
  for (let frame = 1; frame * frameMs <= DURATION_MS; frame++) {
    const t = frame * frameMs;
    net.runUntil(t);
    const s0 = performance.now();
    for (let i = 0; i < N; i++) peers[i].step(t);
    inStep += performance.now() - s0;
    if (t >= nextEvent && t < DURATION_MS - 10_000) {
      nextEvent += rnd() * 2 * meanInterval;
      const p = peers[Math.floor(rnd() * N)];
      if (p.status === 'live') {
        p.emit(Math.floor(rnd() * 5));
        events++;
      }
    }
  }
  const wall = performance.now() - t0;
  const stats = peers.map((p) => p.stats());
  const minTick = Math.min(...peers.map((p) => p.tick));
  const at = Math.floor((minTick - 1) / FPS) * FPS;
  const hashes = new Set(peers.map((p) => p.stateHashAt(at)));
  const sum = (k) => stats.reduce((a, s) => a + s[k], 0);
  for (const p of peers) await p.stop();
  return {
    wall,
    inStep,
    steps: N * (DURATION_MS / frameMs),
    frames: sum('framesSent'),
    syncs: sum('syncsSent'),
    eventsSent: sum('eventsSent'),
    bytes: sum('bytesSent'),
    events,
    rollbackPct: (100 * sum('ticksTravelledBack')) / sum('ticksSimulated'),
    converged: hashes.size === 1,
    delayMs: (stats.reduce((a, s) => a + s.delayTicks, 0) / stats.length) * (1000 / FPS),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// An app with no work: what is left of a step is the runtime's own cost.
const noopApp = {
  init: () => ({ n: 0 }),
  tick() {},
  event() {},
  snapshot: (s) => ({ n: s.n }),
  restore: (s) => ({ n: s.n }),
};

console.log(`machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, Node ${process.version}`);
for (const [label, delay, app, extra] of [
  ['rectangle app, Δ 500 ms        ', 500, rectangleApp, {}],
  ['no-op app,     Δ 500 ms        ', 500, noopApp, {}],
  ['rectangle app, Δ auto          ', 'auto', rectangleApp, {}],
  ['rectangle app, Δ 500, SYNC 250', 500, rectangleApp, { syncIntervalMs: 250 }],
]) {
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push(await once(1 + r, delay, app, extra));
  const wall = median(runs.map((x) => x.wall));
  const inStep = median(runs.map((x) => x.inStep));
  const steps = runs[0].steps;
  console.log(
    `${label}: wall ${wall.toFixed(0)} ms for ${steps} peer-steps | all-in ${((wall * 1000) / steps).toFixed(2)} µs/peer-step | ` +
      `inside step() ${((inStep * 1000) / steps).toFixed(2)} µs | frames ${median(runs.map((x) => x.frames))} ` +
      `(SYNC ${median(runs.map((x) => x.syncs))}, events sent ${median(runs.map((x) => x.eventsSent))}) | ${(median(runs.map((x) => x.bytes)) / 1e6).toFixed(2)} MB | ` +
      `events ${median(runs.map((x) => x.events))} | rollback ${median(runs.map((x) => x.rollbackPct)).toFixed(3)} % | ` +
      `mean Δ ${median(runs.map((x) => x.delayMs)).toFixed(0)} ms | converged ${runs.every((x) => x.converged)}`,
  );
}
