import { createCodec, PROTOCOL_VERSION } from '@symmetric/codec';
import { type RectangleKey, type RectangleState, rectangleApp } from '@symmetric/core';
import { createPeer, generateIdentity, type Peer, type PeerError, type PeerIdentity } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode, WebSocketTransport } from '../src/index.js';
import { guard, sleep, until } from './helpers.js';

// Integration with the real runtime: Symmetric peers over real WebSockets on 127.0.0.1.

guard();

const FPS = 50;
const DELAY_MS = 100;
const ROOM = 'ws-integration';

type RectPeer = Peer<RectangleState, RectangleKey>;

interface Node {
  peer: RectPeer;
  transport: WebSocketTransport;
  errors: PeerError[];
  address: string;
}

/** A seeded PRNG for the test's own choices (which peer emits which key). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One key per node name: a restarted node keeps its peer id. */
const identities = new Map<string, PeerIdentity>();

async function startNode(id: string, port: number, dial: string[]): Promise<Node> {
  let identity = identities.get(id);
  if (identity === undefined) {
    identity = generateIdentity();
    identities.set(id, identity);
  }
  const transport = new WebSocketTransport({ listen: { port }, heartbeatMs: 1_000 });
  const peer = createPeer<RectangleState, RectangleKey>({
    app: rectangleApp,
    transports: [transport],
    room: ROOM,
    fps: FPS,
    delay: DELAY_MS,
    identity,
    dial,
    redial: { minMs: 100, maxMs: 500 },
    aloneGraceMs: 300,
  });
  const errors: PeerError[] = [];
  peer.on('error', (e) => errors.push(e));
  await peer.start();
  return { peer, transport, errors, address: transport.addresses()[0]! };
}

/**
 * Waits until every peer holds `events` events and reports the same state hash at one common
 * recorded tick after `afterTick`; returns that tick and hash.
 */
async function converged(peers: RectPeer[], events: number, afterTick: number, timeoutMs = 15_000) {
  let last = '';
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ticks = peers.map((p) => p.tick);
    const counts = peers.map((p) => p.stats().events);
    // Newest tick (multiple of 10) every peer has passed, well after the last event.
    const common = Math.floor((Math.min(...ticks) - 5) / 10) * 10;
    if (counts.every((c) => c === events) && common > afterTick) {
      for (let t = common; t > afterTick; t -= 10) {
        const hashes = peers.map((p) => p.stateHashAt(t));
        if (hashes.every((h) => h !== undefined)) {
          if (new Set(hashes).size === 1) return { tick: t, hash: hashes[0]! };
          last = `tick ${t}: ${hashes.join(' ')}`;
          break;
        }
      }
    } else {
      last = `events ${counts.join(',')} (want ${events}), ticks ${ticks.join(',')}, need > ${afterTick}`;
    }
    if (performance.now() > deadline) throw new Error(`no convergence: ${last}`);
    await sleep(100);
  }
}

/** Drops every socket of `node` without a close handshake, as a crash would, then discards it. */
async function kill(node: Node): Promise<void> {
  for (const link of node.transport.links()) (link as unknown as { terminate(): void }).terminate();
  await node.peer.stop();
}

/** Emits `count` random keys from random peers of `from`, `gapMs` apart; returns the largest stamped tick. */
async function traffic(
  from: RectPeer[],
  count: number,
  gapMs: number,
  random: () => number,
): Promise<number> {
  let maxTick = 0;
  const offs = from.map((p) =>
    p.on('emit', (e) => {
      maxTick = Math.max(maxTick, e.tick);
    }),
  );
  for (let i = 0; i < count; i++) {
    const p = from[Math.floor(random() * from.length)]!;
    p.emit(Math.floor(random() * 5) as RectangleKey);
    await sleep(gapMs);
  }
  for (const off of offs) off();
  return maxTick;
}

describe('Symmetric peers over WebSockets', () => {
  it('5 peers in a line converge; the middle one is killed, restarts from nothing, and all converge again', async () => {
    const random = mulberry32(7);
    // Line p0 - p1 - p2 - p3 - p4. p0, p2 and p4 listen; p1 and p3 dial both their neighbours,
    // so after p2 restarts on its old port, p1 and p3 find it again by redialling.
    const p0 = await startNode('p0', 0, []);
    let p2 = await startNode('p2', 0, []);
    const p4 = await startNode('p4', 0, []);
    const p1 = await startNode('p1', 0, [p0.address, p2.address]);
    const p3 = await startNode('p3', 0, [p2.address, p4.address]);
    const p2Port = Number(new URL(p2.address).port);
    const all = () => [p0, p1, p2, p3, p4];
    try {
      await until(() => all().every((n) => n.peer.status === 'live'), 'all live', 10_000);
      // (Counts from stats(): the line's shape follows from who dials whom.)
      await until(
        () =>
          all()
            .map((n) => n.peer.stats().neighbours)
            .join() === '1,2,2,2,1',
        'the line p0-p1-p2-p3-p4',
      );

      let emitted = 30;
      let lastTick = await traffic(
        all().map((n) => n.peer),
        emitted,
        40,
        random,
      );
      const first = await converged(
        all().map((n) => n.peer),
        emitted,
        lastTick,
      );

      // Kill the middle peer: the line splits into {p0, p1} and {p3, p4}, which keep going.
      await kill(p2);
      const sides = [p0, p1, p3, p4].map((n) => n.peer);
      await until(() => p1.peer.stats().neighbours === 1 && p3.peer.stats().neighbours === 1, 'p2 gone');
      lastTick = Math.max(lastTick, await traffic(sides, 20, 40, random));
      emitted += 20;
      await sleep(300);

      // Restart it from nothing (same id and port, no state) and let it rejoin.
      p2 = await startNode('p2', p2Port, []);
      await until(
        () => p2.peer.status === 'live' && p2.peer.stats().neighbours === 2,
        'p2 back with both neighbours',
        10_000,
      );
      lastTick = Math.max(
        lastTick,
        await traffic(
          all().map((n) => n.peer),
          15,
          40,
          random,
        ),
      );
      emitted += 15;
      const second = await converged(
        all().map((n) => n.peer),
        emitted,
        lastTick,
      );
      expect(second.tick).toBeGreaterThan(first.tick);
      for (const n of all()) {
        expect(n.errors.filter((e) => e.code !== 'DIAL_FAILED' && e.code !== 'TRANSPORT')).toEqual([]);
        expect(n.peer.stats().desyncs).toBe(0);
      }
    } finally {
      await Promise.all(all().map((n) => n.peer.stop()));
    }
  }, 45_000);

  it('a hostile ws client (garbage, truncated frames, text, wrong room, 100 MB) is refused while the peers converge', async () => {
    const random = mulberry32(11);
    const a = await startNode('a', 0, []);
    const b = await startNode('b', 0, [a.address]);
    const c = await startNode('c', 0, [b.address]);
    const nodes = [a, b, c];
    try {
      await until(() => nodes.every((n) => n.peer.status === 'live'), 'all live', 10_000);
      const transportErrors: string[] = [];
      b.peer.on('error', (e) => {
        if (e.code === 'TRANSPORT')
          transportErrors.push((e.cause as { code?: string } | undefined)?.code ?? '?');
      });

      /** One attack: connect to b, send `messages`, return the close code b's side sends. */
      const attack = async (messages: (Uint8Array | string)[]): Promise<number> => {
        const ws = new WebSocket(b.address, ['symmetric']);
        ws.on('error', () => {});
        await new Promise((r) => ws.once('open', r));
        const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
        for (const m of messages) ws.send(m);
        const code = await Promise.race([closed, sleep(5_000).then(() => -1)]);
        ws.terminate();
        return code;
      };

      // Traffic between the real peers runs during the whole attack.
      const trafficDone = traffic(
        nodes.map((n) => n.peer),
        40,
        50,
        random,
      );

      const garbage = Uint8Array.from({ length: 64 }, () => Math.floor(random() * 256));
      const hello = createCodec().encoder().encode({
        type: 'hello',
        version: PROTOCOL_VERSION,
        room: ROOM,
        fps: FPS,
        peerId: 'mallory',
        capabilities: 0,
        appId: '',
      });
      const wrongRoom = createCodec().encoder().encode({
        type: 'hello',
        version: PROTOCOL_VERSION,
        room: 'another room',
        fps: FPS,
        peerId: 'mallory',
        capabilities: 0,
        appId: '',
      });
      const codes = {
        garbage: await attack([garbage, garbage]),
        truncated: await attack([hello.subarray(0, hello.length - 3)]),
        wrongRoom: await attack([wrongRoom]),
        text: await attack(['{"type":"hello"}']),
        huge: await attack([new Uint8Array(100 * 1024 * 1024)]),
      };
      // Every hostile connection was closed by b (none left hanging until our 5 s cut-off).
      expect(Object.values(codes).every((code) => code > 0)).toBe(true);
      expect(codes.huge).toBe(CloseCode.MessageTooBig);
      expect(codes.text).toBe(CloseCode.UnsupportedData);

      const lastTick = await trafficDone;
      await converged(
        nodes.map((n) => n.peer),
        40,
        lastTick,
      );
      // b logged each attack as a typed error and counted it.
      const byCode = b.peer.stats().errors;
      expect(byCode.CODEC ?? 0).toBeGreaterThanOrEqual(2);
      expect(byCode.ROOM_MISMATCH ?? 0).toBe(1);
      expect(transportErrors).toEqual(expect.arrayContaining(['PROTOCOL', 'FRAME_TOO_LARGE']));
      expect(a.errors).toEqual([]);
      expect(c.errors).toEqual([]);
      expect(nodes.map((n) => n.peer.stats().neighbours)).toEqual([1, 2, 1]);
    } finally {
      await Promise.all(nodes.map((n) => n.peer.stop()));
    }
  }, 45_000);
});
