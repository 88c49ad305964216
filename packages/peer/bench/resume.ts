// Resume time through the peer: a peer with a node:sqlite store holds N events (its own and
// seven other sources' events received over loopback, 100-byte payloads, within the history
// horizon), stops; then `openSqliteStore` + `openPeer` (load, decode, rebuild the timeline and
// simulate through the last stored tick) + `attach` are timed, for N = 10 000 and 100 000.
// Run: npm run bench:resume -w @symmetric/peer
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { msgpackPayloadCodec } from '@symmetric/codec';
import { openSqliteStore } from '@symmetric/storage-sqlite';
import { LoopbackNetwork } from '@symmetric/transport-loopback';
import { createPeer, openPeer } from '../dist/index.js';

const FPS = 50;
const SOURCES = 8;
const PER_TICK = 50;
const app = {
  init: () => ({ n: 0, sum: 0 }),
  tick: () => {},
  event: (s, p) => {
    s.n++;
    s.sum = (s.sum + p.length) % 1_000_003;
  },
};
const payload = (i) => `${String(i).padStart(8, '0')}${'x'.repeat(92)}`;
const settle = () => new Promise((r) => setTimeout(r, 0));

async function fill(path, n) {
  const net = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 5 } });
  const store = await openSqliteStore({ path, room: 'bench', appId: 'resume', synchronous: 'normal' });
  const common = {
    app,
    payloadCodec: msgpackPayloadCodec,
    room: 'bench',
    appId: 'resume',
    trusted: true,
    fps: FPS,
    delay: 40,
    now: () => net.now(),
    history: { horizonTicks: 60 * 60 * FPS },
  };
  const me = await openPeer({ ...common, peerId: 'me', transports: [net.transport('me')], store });
  const others = [];
  for (let i = 1; i < SOURCES; i++)
    others.push(createPeer({ ...common, peerId: `p${i}`, transports: [net.transport(`p${i}`)] }));
  await me.attach();
  for (const o of others) {
    await o.attach();
    o.dial('me');
  }
  const all = [me, ...others];
  let t = 0;
  const frame = () => {
    t += 1000 / FPS;
    net.runUntil(t);
    for (const p of all) p.step(t);
  };
  while (t < 2000) frame();
  let emitted = 0;
  while (emitted < n) {
    for (let k = 0; k < PER_TICK && emitted < n; k++, emitted++)
      all[emitted % SOURCES].emit(payload(emitted));
    frame();
    if (emitted % 5000 < PER_TICK) await settle();
  }
  for (let i = 0; i < 100; i++) frame();
  await settle();
  const held = me.stats().events;
  const tick = me.tick;
  for (const p of all) await p.stop();
  await store.close();
  return { held, tick };
}

async function resume(path) {
  const net = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 5 } });
  const t0 = performance.now();
  const store = await openSqliteStore({ path, room: 'bench', appId: 'resume' });
  const t1 = performance.now();
  const peer = await openPeer({
    app,
    payloadCodec: msgpackPayloadCodec,
    room: 'bench',
    appId: 'resume',
    trusted: true,
    peerId: 'me',
    fps: FPS,
    delay: 40,
    now: () => net.now(),
    history: { horizonTicks: 60 * 60 * FPS },
    transports: [net.transport('me')],
    store,
  });
  const t2 = performance.now();
  await peer.attach();
  const t3 = performance.now();
  const out = {
    open: t1 - t0,
    openPeer: t2 - t1,
    attach: t3 - t2,
    total: t3 - t0,
    events: peer.stats().events,
    tick: peer.tick,
    state: peer.state.n,
  };
  await peer.stop();
  await store.close();
  return out;
}

console.log(
  `peer resume benchmark · node ${process.version} · ${os.cpus().length} cores · load ${os.loadavg()[0].toFixed(1)}`,
);
console.log(
  '| held events | fill (s) | tick | store open (ms) | openPeer (ms) | attach (ms) | total (ms) | µs/event | file (MB) |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const n of [10_000, 100_000]) {
  const dir = mkdtempSync(join(os.tmpdir(), 'symmetric-peer-resume-'));
  const path = join(dir, 'peer.db');
  const f0 = performance.now();
  const filled = await fill(path, n);
  const fillS = (performance.now() - f0) / 1000;
  const r = await resume(path);
  if (r.events !== filled.held) throw new Error(`resumed ${r.events} events, held ${filled.held}`);
  const mb = statSync(path).size / 1e6;
  const f = (x) => x.toFixed(1);
  console.log(
    `| ${filled.held.toLocaleString('en')} | ${f(fillS)} | ${r.tick} | ${f(r.open)} | ${f(r.openPeer)} | ${f(r.attach)} | ${f(r.total)} | ${f((1000 * r.total) / filled.held)} | ${mb.toFixed(1)} |`,
  );
  rmSync(dir, { recursive: true, force: true });
}
