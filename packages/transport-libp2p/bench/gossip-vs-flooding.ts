// Gossipsub dissemination vs plain flooding, on real libp2p connections on 127.0.0.1.
//
//   npm run bench -w @symmetric/transport-libp2p            (builds, then runs)
//   node bench/gossip-vs-flooding.ts [--peers 16] [--events 100] [--rate 10] [--degrees 4,12]
//
// For each degree: N transports (gossip mode on), linked into a random connected graph where
// every peer dials `degree / 2` others (so the average degree is about `degree`). Then the same
// events are disseminated twice over the same connections:
//   flooding:  the origin sends the event on every link; each peer forwards a new event to every
//              link but the one it came from (dedup by event id) — what @symmetric/peer does;
//   gossipsub: the origin publishes on the room topic (mesh degree D = 6, flood publish).
// Reported per mode: messages per event (data messages sent by all peers / events), control
// entries per event (gossipsub IHAVE/IWANT/GRAFT/PRUNE/IDONTWANT), delivery ratio, and the
// delivery latency from emit to each receiver (p50/p99/max, ms; one process, one clock).
import os from 'node:os';
import { createLibp2pTransport } from '../dist/index.js';
import { arg, quantile, sfc32, sleep, until } from './util.ts';

const PEERS = Number(arg('peers', '16'));
const EVENTS = Number(arg('events', '100'));
const RATE = Number(arg('rate', '10')); // events per second, network-wide
const DEGREES = arg('degrees', '4,12').split(',').map(Number);
const SEED = Number(arg('seed', '7'));

/** Event frame: [kind u8 (1 = flood)][origin u16][seq u32][padding to 64 bytes]. */
function eventFrame(kind, origin, seq) {
  const f = new Uint8Array(64);
  const v = new DataView(f.buffer);
  v.setUint8(0, kind);
  v.setUint16(1, origin);
  v.setUint32(3, seq);
  return f;
}

async function runDegree(degree) {
  const rand = sfc32(SEED, degree, PEERS, 0x9e3779b9);
  const nodes = [];
  for (let i = 0; i < PEERS; i++) {
    const node = { index: i, transport: undefined, seen: new Set(), floodSends: 0 };
    node.transport = await createLibp2pTransport({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      gossip: { room: 'bench', heartbeatMs: 500 },
      maxConnections: 1000,
    });
    nodes.push(node);
  }
  const emitAt = new Map(); // `${mode}:${origin}:${seq}` -> ms
  const latencies = { flooding: [], gossipsub: [] };
  const deliveries = { flooding: 0, gossipsub: 0 };
  for (const node of nodes) {
    await node.transport.start({
      onLink() {},
      onFrame(link, frame) {
        const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
        const id = `${v.getUint16(1)}:${v.getUint32(3)}`;
        if (node.seen.has(id)) return;
        node.seen.add(id);
        deliveries.flooding++;
        latencies.flooding.push(performance.now() - emitAt.get(`flooding:${id}`));
        for (const other of node.transport.links()) {
          if (other === link) continue;
          if (other.send(frame)) node.floodSends++;
        }
      },
      onClose() {},
      onError() {},
    });
    node.transport.room.onMessage((frame) => {
      const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
      const id = `${v.getUint16(1)}:${v.getUint32(3)}`;
      deliveries.gossipsub++;
      latencies.gossipsub.push(performance.now() - emitAt.get(`gossipsub:${id}`));
    });
  }
  // Random connected graph: a random spanning tree, then random extra edges up to the degree.
  const edges = new Set();
  const key = (a, b) => (a < b ? `${a}-${b}` : `${b}-${a}`);
  const order = nodes.map((_, i) => i).sort(() => rand() - 0.5);
  for (let k = 1; k < order.length; k++) edges.add(key(order[k], order[Math.floor(rand() * k)]));
  const target = Math.round((PEERS * degree) / 2);
  while (edges.size < Math.min(target, (PEERS * (PEERS - 1)) / 2)) {
    const a = Math.floor(rand() * PEERS);
    const b = Math.floor(rand() * PEERS);
    if (a !== b) edges.add(key(a, b));
  }
  const pairs = [...edges].map((e) => e.split('-').map(Number));
  for (let k = 0; k < pairs.length; k += 16) {
    await Promise.all(
      pairs.slice(k, k + 16).map(([a, b]) => nodes[a].transport.dial(nodes[b].transport.addresses()[0])),
    );
  }
  await until(
    () => nodes.every((n) => n.transport.room.meshPeers().length > 0),
    'gossipsub meshes',
    60_000,
  ).catch((error) => {
    const mesh = nodes.map(
      (n) =>
        `${n.transport.room.meshPeers().length}/${n.transport.room.subscribers().length}/${n.transport.links().length}`,
    );
    throw new Error(`${error.message}; mesh/subscribers/links per peer: ${mesh.join(' ')}`);
  });
  await sleep(1500); // a few heartbeats so the meshes settle

  const gap = 1000 / RATE;
  const startStats = nodes.map((n) => n.transport.room.stats());
  for (const mode of ['flooding', 'gossipsub']) {
    const t0 = performance.now();
    for (let seq = 0; seq < EVENTS; seq++) {
      const origin = Math.floor(rand() * PEERS);
      const node = nodes[origin];
      const frame = eventFrame(1, origin, seq);
      const id = `${origin}:${seq}`;
      emitAt.set(`${mode}:${id}`, performance.now());
      if (mode === 'flooding') {
        node.seen.add(id);
        for (const link of node.transport.links()) if (link.send(frame)) node.floodSends++;
      } else {
        await node.transport.room.publish(frame);
      }
      const next = t0 + (seq + 1) * gap;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const expected = EVENTS * (PEERS - 1);
    await until(() => deliveries[mode] >= expected, `${mode} deliveries`, 10_000).catch(() => {});
    await sleep(500);
  }
  const endStats = nodes.map((n) => n.transport.room.stats());
  const sum = (f) => nodes.reduce((acc, _, i) => acc + f(endStats[i]) - f(startStats[i]), 0);
  const floodMsgs = nodes.reduce((a, n) => a + n.floodSends, 0);
  const rows = [];
  for (const mode of ['flooding', 'gossipsub']) {
    const lat = latencies[mode].slice().sort((a, b) => a - b);
    const messages = mode === 'flooding' ? floodMsgs : sum((s) => s.rpcMessagesSent);
    rows.push({
      degree: (2 * pairs.length) / PEERS,
      mode,
      msgsPerEvent: messages / EVENTS,
      controlPerEvent: mode === 'flooding' ? 0 : sum((s) => s.rpcControlSent) / EVENTS,
      delivered: deliveries[mode] / (EVENTS * (PEERS - 1)),
      p50: quantile(lat, 0.5),
      p99: quantile(lat, 0.99),
      max: lat[lat.length - 1] ?? NaN,
    });
  }
  await Promise.all(nodes.map((n) => n.transport.stop()));
  return rows;
}

console.log(
  `# gossip vs flooding — ${PEERS} peers, ${EVENTS} events at ${RATE}/s, 64-byte frames, 127.0.0.1`,
);
console.log(
  `# machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores), Node ${process.version}`,
);
console.log('| avg degree | mode | msgs/event | control/event | delivered | p50 ms | p99 ms | max ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const degree of DEGREES) {
  for (const r of await runDegree(degree)) {
    console.log(
      `| ${r.degree.toFixed(1)} | ${r.mode} | ${r.msgsPerEvent.toFixed(1)} | ${r.controlPerEvent.toFixed(1)} | ${(100 * r.delivered).toFixed(1)} % | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} |`,
    );
  }
}
process.exit(0);
