import { createServer } from 'node:net';
import type { PrivateKey } from '@libp2p/interface';
import { type RectangleKey, RectangleKeys, type RectangleState, rectangleApp } from '@symmetric/core';
import { createPeer, type Peer } from '@symmetric/peer';
import { afterAll, describe, expect, it } from 'vitest';
import { createLibp2pTransport, generateIdentity, type Libp2pTransport, peerIdOf } from '../src/index.js';
import { until } from './helpers.js';

const FPS = 50;
const N = 5;
/** Partial mesh: a ring 0-1-2-3-4-0 plus the chord 0-2; each pair dialled from the lower index. */
const EDGES: readonly [number, number][] = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [0, 4],
  [0, 2],
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Node {
  readonly key: PrivateKey;
  readonly port: number;
  readonly address: string;
  transport: Libp2pTransport;
  peer: Peer<RectangleState, RectangleKey>;
  readonly errors: string[];
  joined: Set<string>;
}

const nodes: Node[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.peer.stop().catch(() => {})));
});

async function boot(
  node: Omit<Node, 'transport' | 'peer' | 'joined'> & Partial<Node>,
  index: number,
): Promise<Node> {
  const transport = await createLibp2pTransport({
    privateKey: node.key,
    listen: [`/ip4/127.0.0.1/tcp/${node.port}`],
    dialTimeoutMs: 3_000,
  });
  const dial = EDGES.filter(([a]) => a === index).map(([, b]) => nodes[b]?.address ?? addresses[b]!);
  const peer = createPeer({
    app: rectangleApp,
    transports: [transport],
    room: 'libp2p-integration',
    fps: FPS,
    delay: 150,
    identity: transport.identity,
    dial,
    redial: { minMs: 100, maxMs: 500 },
    history: 'full',
  });
  peer.on('error', (e) => node.errors.push(`${e.code}: ${e.message}`));
  const joined = new Set<string>();
  peer.on('peer:join', (info) => joined.add(info.peerId));
  peer.on('peer:leave', (info) => joined.delete(info.peerId));
  await peer.start();
  return Object.assign(node, { transport, peer, joined }) as Node;
}

let addresses: string[] = [];

/** Hashes of every peer at the newest tick that is a multiple of FPS and that all peers passed. */
function settledHashes(): { at: number; hashes: (string | undefined)[] } {
  const minTick = Math.min(...nodes.map((n) => n.peer.tick));
  const at = Math.floor((minTick - 1) / FPS) * FPS;
  return { at, hashes: nodes.map((n) => n.peer.stateHashAt(at)) };
}

async function converged(afterTick: number, what: string): Promise<void> {
  await until(
    () => {
      const { at, hashes } = settledHashes();
      return at > afterTick && hashes.every((h) => h !== undefined && h === hashes[0]);
    },
    what,
    20_000,
  );
}

describe('5 libp2p peers, partial mesh, real sockets on 127.0.0.1', () => {
  it('converge; a peer stopped and restarted with the same key catches up', async () => {
    const keys = await Promise.all(Array.from({ length: N }, () => generateIdentity()));
    const ports = await Promise.all(keys.map(() => freePort()));
    addresses = keys.map((k, i) => `/ip4/127.0.0.1/tcp/${ports[i]}/p2p/${peerIdOf(k)}`);
    for (let i = 0; i < N; i++) {
      nodes.push(await boot({ key: keys[i]!, port: ports[i]!, address: addresses[i]!, errors: [] }, i));
    }
    const degree = (i: number) => EDGES.filter(([a, b]) => a === i || b === i).length;
    await until(
      () =>
        nodes.every(
          (n, i) =>
            n.transport.links().length === degree(i) &&
            n.peer.neighbours().length === degree(i) &&
            n.peer.status === 'live',
        ),
      'every peer live with all its neighbours',
      20_000,
    );
    // The Symmetric peer id is the libp2p peer id.
    for (const n of nodes) expect(n.peer.id).toBe(n.transport.peerId);
    // Neighbours announced by the peer runtime carry the libp2p peer ids of the links.
    for (const n of nodes) {
      const fromLinks = n.transport
        .links()
        .map((l) => l.remotePeerId)
        .sort();
      expect([...n.joined].sort()).toEqual(fromLinks);
    }

    const keysCycle = [
      RectangleKeys.right,
      RectangleKeys.down,
      RectangleKeys.left,
      RectangleKeys.up,
      RectangleKeys.stop,
    ];
    let lastTick = 0;
    for (let k = 0; k < 10; k++) {
      const e = nodes[k % N]!.peer.emit(keysCycle[k % keysCycle.length]!);
      lastTick = Math.max(lastTick, e.tick);
      await new Promise((r) => setTimeout(r, 60));
    }
    await converged(lastTick + 10, 'all five hashes agree after the first burst');
    const firstEvents = nodes.map((n) => n.peer.stats().events);
    expect(new Set(firstEvents)).toEqual(new Set([10]));

    // Peer 3 goes away; the others keep emitting.
    const victim = nodes[3]!;
    await victim.peer.stop();
    await until(() => nodes[2]!.transport.links().length === degree(2) - 1, 'peer 2 notices peer 3 left');
    for (let k = 0; k < 6; k++) {
      const e = nodes[[0, 1, 2, 4][k % 4]!]!.peer.emit(keysCycle[(k + 2) % keysCycle.length]!);
      lastTick = Math.max(lastTick, e.tick);
      await new Promise((r) => setTimeout(r, 60));
    }

    // Restart peer 3 from nothing but its key (same peer id, same port).
    const restarted = await boot(
      { key: victim.key, port: victim.port, address: victim.address, errors: [] },
      3,
    );
    nodes[3] = restarted;
    expect(restarted.transport.peerId).toBe(peerIdOf(victim.key));
    await until(
      () => restarted.peer.status === 'live' && restarted.transport.links().length === degree(3),
      'the restarted peer is live with both neighbours again',
      20_000,
    );
    const e = restarted.peer.emit(RectangleKeys.down);
    await until(() => e.tick > 0 || restarted.peer.stats().eventsEmitted > 0, 'own event stamped');
    lastTick = Math.max(lastTick, restarted.peer.tick + 20);
    await converged(lastTick + 10, 'all five hashes agree after the restart');
    expect(new Set(nodes.map((n) => n.peer.stats().events))).toEqual(new Set([17]));
    // Only the expected failures: dials to peers not started yet, or down while restarting.
    for (const n of nodes) for (const e of n.errors) expect(e).toMatch(/^DIAL_FAILED: .*ECONNREFUSED/);
  });
});
