// The Symmetric peer runtime on real libp2p sockets (127.0.0.1), flooding vs broadcast dissemination.
//
//   npm run bench:peer -w @symmetric/transport-libp2p        (builds what it needs, then runs)
//   node bench/peer-dissemination.ts [--peers 16] [--events 100] [--rate 10] [--degrees 4,8,14]
//
// For each average degree and each mode, N `@symmetric/peer` peers (one libp2p transport each, in
// this one process) are linked into the same random connected graph (a seeded spanning tree plus
// random extra edges), then emit the same events (one every 1/rate s, from seeded random peers):
//   flood:     `dissemination: 'flood'`, no gossipsub: events flooded over the Symmetric links;
//   broadcast: `gossip: { room }` on the transport and `dissemination: 'broadcast'`: each event
//              published once on the room's gossipsub topic; links announce frontiers and repair.
// Reported per row:
//   event msgs/event   copies of events sent: over links (Σ stats().eventsSent, flooding and
//                      repairs) + gossipsub data messages (publishes and forwards, duplicates included)
//   link frames/event  every frame on the Symmetric links (events, SYNC, hashes, presence,
//                      frontier announcements, requests) over the measured window
//   announce/event     of those, frontier announcements and pull requests of the broadcast mode
//   gossip ctrl/event  gossipsub IHAVE/IWANT/GRAFT/PRUNE/IDONTWANT entries
//   dup/event          copies received that the peer already had
//   delivered          (event, receiver) pairs that arrived within the window
//   p50/p99/max        delay from `emit` at the origin to the first decode at each receiver (ms;
//                      one process, one clock)
import os from 'node:os';
import { createPeer } from '@symmetric/peer';
import { createLibp2pTransport } from '../dist/index.js';
import { arg, quantile, sfc32, sleep, until } from './util.ts';

const PEERS = Number(arg('peers', '16'));
const EVENTS = Number(arg('events', '100'));
const RATE = Number(arg('rate', '10'));
const DEGREES = arg('degrees', '4,8,14').split(',').map(Number);
const SEED = Number(arg('seed', '7'));
const MODES = arg('modes', 'flood,broadcast').split(',');
const RUNS = Number(arg('runs', '1'));

/** A tiny deterministic app: the state sums the event payloads (event ids). */
const sumApp = {
  init: () => ({ n: 0, sum: 0 }),
  tick: () => {},
  event: (state, id) => {
    state.n++;
    state.sum = (state.sum + id * 2654435761) % 4294967296;
  },
};

/** Random connected graph on `n` nodes with about `n * degree / 2` edges (seeded). */
function graph(n, degree, rand) {
  const edges = new Set();
  const key = (a, b) => (a < b ? `${a}-${b}` : `${b}-${a}`);
  const order = Array.from({ length: n }, (_, i) => i).sort(() => rand() - 0.5);
  for (let k = 1; k < order.length; k++) edges.add(key(order[k], order[Math.floor(rand() * k)]));
  const target = Math.min(Math.round((n * degree) / 2), (n * (n - 1)) / 2);
  while (edges.size < target) {
    const a = Math.floor(rand() * n);
    const b = Math.floor(rand() * n);
    if (a !== b) edges.add(key(a, b));
  }
  return [...edges].map((e) => e.split('-').map(Number));
}

async function run(degree, mode, runIndex) {
  const rand = sfc32(SEED + runIndex, degree, PEERS, 0x9e3779b9);
  const pairs = graph(PEERS, degree, rand);
  const emitAt = new Map(); // id -> ms
  const arrivals = []; // per peer: Map id -> ms (first decode)
  const nodes = [];
  for (let i = 0; i < PEERS; i++) {
    const seen = new Map();
    arrivals.push(seen);
    const transport = await createLibp2pTransport({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      maxConnections: 1000,
      ...(mode === 'broadcast' ? { gossip: { room: 'bench' } } : {}),
    });
    // Payload: the event id as a u32; decoding it is the moment a receiver gets the event.
    const payloadCodec = {
      encode: (id) => {
        const bytes = new Uint8Array(4);
        new DataView(bytes.buffer).setUint32(0, id);
        return bytes;
      },
      decode: (bytes) => {
        if (bytes.length !== 4) throw new Error('bad payload');
        const id = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
        if (!seen.has(id)) seen.set(id, performance.now());
        return id;
      },
    };
    const peer = createPeer({
      app: sumApp,
      payloadCodec,
      transports: [transport],
      room: 'bench',
      identity: transport.identity,
      delay: 250,
      history: 'full',
      dissemination: mode,
    });
    peer.on('error', (e) => {
      if (e.code !== 'DIAL_FAILED') console.error(`# peer ${i}: ${e.code} ${e.message}`);
    });
    await peer.start();
    nodes.push({ transport, peer });
  }
  for (let k = 0; k < pairs.length; k += 16) {
    await Promise.all(
      pairs.slice(k, k + 16).map(([a, b]) => nodes[a].transport.dial(nodes[b].transport.addresses()[0])),
    );
  }
  const degreeOf = (i) => pairs.filter(([a, b]) => a === i || b === i).length;
  await until(
    () =>
      nodes.every(
        (n, i) =>
          n.peer.status === 'live' &&
          n.peer.neighbours().length === degreeOf(i) &&
          (mode !== 'broadcast' || n.transport.room.meshPeers().length > 0),
      ),
    `${mode} degree ${degree}: peers live with their neighbours`,
    60_000,
  );
  await sleep(1500); // a few gossipsub heartbeats, SYNC bursts over

  const snap = () => nodes.map((n) => ({ s: n.peer.stats(), g: n.transport.room?.stats() }));
  const before = snap();
  const gap = 1000 / RATE;
  const t0 = performance.now();
  for (let id = 0; id < EVENTS; id++) {
    const origin = Math.floor(rand() * PEERS);
    emitAt.set(id, performance.now());
    arrivals[origin].set(id, emitAt.get(id));
    nodes[origin].peer.emit(id);
    const wait = t0 + (id + 1) * gap - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const complete = () => arrivals.every((m) => m.size >= EVENTS);
  await until(complete, 'deliveries', 15_000).catch(() => {});
  await sleep(2000); // announcements and repairs of the last events are counted too
  const after = snap();
  const total = (f) => nodes.reduce((acc, _, i) => acc + f(after[i]) - f(before[i]), 0);
  const latencies = [];
  let delivered = 0;
  for (let p = 0; p < PEERS; p++) {
    for (const [id, at] of arrivals[p]) {
      const t = emitAt.get(id);
      if (t === undefined || at === t) continue; // origin
      delivered++;
      latencies.push(at - t);
    }
  }
  latencies.sort((a, b) => a - b);
  const counts = new Set(nodes.map((n) => n.peer.stats().events));
  const gossipMsgs = total((x) => x.g?.rpcMessagesSent ?? 0);
  const row = {
    degree: (2 * pairs.length) / PEERS,
    eventMsgs: total((x) => x.s.eventsSent) + gossipMsgs,
    linkFrames: total((x) => x.s.framesSent),
    announce: total((x) => x.s.broadcast.announcements + x.s.broadcast.pulls),
    gossipControl: total((x) => x.g?.rpcControlSent ?? 0),
    dup: total((x) => x.s.duplicatesDropped),
    delivered,
    latencies,
    agree: counts.size === 1,
  };
  await Promise.all(nodes.map((n) => n.peer.stop()));
  return row;
}

/** `RUNS` runs (seeds SEED, SEED+1, ...): counts summed, latencies pooled. */
async function cell(degree, mode) {
  const rows = [];
  for (let r = 0; r < RUNS; r++) rows.push(await run(degree, mode, r));
  const sum = (f) => rows.reduce((a, x) => a + f(x), 0);
  const events = EVENTS * RUNS;
  const latencies = rows.flatMap((x) => x.latencies).sort((a, b) => a - b);
  return {
    degree: sum((x) => x.degree) / RUNS,
    mode,
    eventMsgs: sum((x) => x.eventMsgs) / events,
    linkFrames: sum((x) => x.linkFrames) / events,
    announce: sum((x) => x.announce) / events,
    gossipControl: sum((x) => x.gossipControl) / events,
    dup: sum((x) => x.dup) / events,
    delivered: sum((x) => x.delivered) / (events * (PEERS - 1)),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? NaN,
    agree: rows.every((x) => x.agree),
  };
}

console.log(
  `# Symmetric peers on libp2p: flood vs broadcast — ${PEERS} peers, ${EVENTS} events at ${RATE}/s, ${RUNS} run(s) per row, 127.0.0.1`,
);
console.log(
  `# machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores), Node ${process.version}, load average ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log(
  '| avg degree | mode | event msgs/event | link frames/event | announce/event | gossip ctrl/event | dup/event | delivered | p50 ms | p99 ms | max ms |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const degree of DEGREES) {
  for (const mode of MODES) {
    const r = await cell(degree, mode);
    console.log(
      `| ${r.degree.toFixed(1)} | ${r.mode} | ${r.eventMsgs.toFixed(1)} | ${r.linkFrames.toFixed(1)} | ${r.announce.toFixed(1)} | ${r.gossipControl.toFixed(1)} | ${r.dup.toFixed(1)} | ${(100 * r.delivered).toFixed(1)} %${r.agree ? '' : ' (event counts differ!)'} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} |`,
    );
  }
}
console.log(
  `# load average after: ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
process.exit(0);
