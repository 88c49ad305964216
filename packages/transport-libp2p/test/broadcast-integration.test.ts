import { type RectangleKey, RectangleKeys, type RectangleState, rectangleApp } from '@symmetric/core';
import { createPeer, type Peer } from '@symmetric/peer';
import { afterAll, describe, expect, it } from 'vitest';
import { createLibp2pTransport, type Libp2pTransport } from '../src/index.js';
import { until } from './helpers.js';

const FPS = 50;
const N = 6;
/** Partial mesh: a ring of 6 plus the chords 0-3 and 1-4 (degree 2-3). */
const EDGES: readonly [number, number][] = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [4, 5],
  [0, 5],
  [0, 3],
  [1, 4],
];

interface Node {
  readonly transport: Libp2pTransport;
  readonly peer: Peer<RectangleState, RectangleKey>;
  readonly errors: string[];
}

const nodes: Node[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.peer.stop().catch(() => {})));
});

describe("6 libp2p peers, dissemination: 'broadcast' over gossipsub, real sockets on 127.0.0.1", () => {
  it('converge, with events carried by the gossip room instead of flooded over links', async () => {
    for (let i = 0; i < N; i++) {
      const transport = await createLibp2pTransport({
        listen: ['/ip4/127.0.0.1/tcp/0'],
        dialTimeoutMs: 3_000,
        gossip: { room: 'broadcast-integration', heartbeatMs: 200 },
      });
      const peer = createPeer({
        app: rectangleApp,
        transports: [transport],
        room: 'broadcast-integration',
        fps: FPS,
        delay: 200,
        identity: transport.identity,
        history: 'full',
        dissemination: 'broadcast',
      });
      const errors: string[] = [];
      peer.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
      await peer.start();
      nodes.push({ transport, peer, errors });
    }
    for (const [a, b] of EDGES) await nodes[a]!.transport.dial(nodes[b]!.transport.addresses()[0]!);
    const degree = (i: number) => EDGES.filter(([a, b]) => a === i || b === i).length;
    await until(
      () =>
        nodes.every(
          (n, i) =>
            n.peer.neighbours().length === degree(i) &&
            n.peer.status === 'live' &&
            n.transport.room!.meshPeers().length > 0,
        ),
      'every peer live with all its neighbours and a gossip mesh',
      15_000,
    );

    const keys = [RectangleKeys.right, RectangleKeys.down, RectangleKeys.left, RectangleKeys.up];
    const sentBefore = nodes.map((n) => n.peer.stats().eventsSent);
    let lastTick = 0;
    const events = 18;
    for (let k = 0; k < events; k++) {
      const e = nodes[(k * 5) % N]!.peer.emit(keys[k % keys.length]!);
      lastTick = Math.max(lastTick, e.tick);
      await new Promise((r) => setTimeout(r, 40));
    }
    await until(
      () => {
        const minTick = Math.min(...nodes.map((n) => n.peer.tick));
        const at = Math.floor((minTick - 1) / FPS) * FPS;
        const hashes = nodes.map((n) => n.peer.stateHashAt(at));
        return (
          at > lastTick + 10 &&
          nodes.every((n) => n.peer.stats().events === events) &&
          hashes.every((h) => h !== undefined && h === hashes[0])
        );
      },
      'all six hashes agree',
      15_000,
    );
    const stats = nodes.map((n) => n.peer.stats());
    // Each event published once, by its origin, on the gossip topic.
    expect(stats.reduce((a, s) => a + s.broadcast.eventsPublished, 0)).toBe(events);
    expect(stats.reduce((a, s) => a + s.broadcast.fallbacks, 0)).toBe(0);
    // Most copies came through gossipsub; links carried at most repairs, far below flooding
    // (which sends every event over each of the 8 links at least once: 144 sends).
    const viaGossip = stats.reduce((a, s) => a + s.broadcast.eventsReceived, 0);
    expect(viaGossip).toBeGreaterThanOrEqual(events * (N - 1) * 0.8);
    const linkSends = stats.reduce((a, s, i) => a + s.eventsSent - sentBefore[i]!, 0);
    expect(linkSends).toBeLessThan(events * EDGES.length * 0.25);
    for (const n of nodes) expect(n.errors).toEqual([]);
  }, 40_000);
});
