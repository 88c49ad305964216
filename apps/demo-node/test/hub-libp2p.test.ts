import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPeer } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import {
  createDemoTransport,
  demoApp,
  type HubConfig,
  isDemoError,
  keyCodec,
  loadHubKeys,
  startPeerNode,
} from '../src/index.js';
import { until } from './helpers.js';

describe('a hub serving pages on libp2p too', () => {
  it('announces a libp2p listener per app, takes libp2p links, and keeps its ids and ports across a restart', async () => {
    let hub = await startPeerNode({ port: 0, web: false, room: 'p2p', libp2p: { port: 0 } });
    const wsUrl = new URL(hub.addresses[0]!);
    const rect = hub.libp2p.get('rectangle')!;
    const arena = hub.libp2p.get('arena')!;
    expect(rect.address).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/12D3KooW\w+$/);
    expect(rect.peerId).toBe(hub.peer.id);
    expect(arena.peerId).toBe(hub.peers.get('arena')!.id);
    expect(arena.port).not.toBe(rect.port);
    const config = (await (await fetch(`http://${wsUrl.host}/symmetric.json`)).json()) as HubConfig;
    expect(config.libp2p).toEqual({
      rectangle: { port: rect.port, peerId: rect.peerId },
      arena: { port: arena.port, peerId: arena.peerId },
    });

    // A libp2p peer (as a page on libp2p would) links to the hub's rectangle room over WebSockets.
    const t = await createDemoTransport('libp2p');
    const app = demoApp('rectangle');
    const peer = createPeer({
      app: app.app,
      appId: app.appId,
      payloadCodec: keyCodec,
      transports: [t.transport],
      identity: t.identity!,
      room: 'p2p',
      dial: [rect.address],
      redial: { minMs: 200, maxMs: 1_000 },
    });
    try {
      await peer.start();
      await until(
        () => hub.peer.neighbours().some((n) => n.peerId === peer.id),
        'the hub linked to the peer',
      );

      // Restarted with the same ports and keys: the same addresses, and the peer links again.
      const ports = { rectangle: rect.port, arena: arena.port };
      const keys = { rectangle: rect.key, arena: arena.key };
      await hub.stop();
      hub = await startPeerNode({
        port: Number(wsUrl.port),
        web: false,
        room: 'p2p',
        libp2p: { port: ports, keys },
        aloneGraceMs: 5_000,
      });
      expect(hub.libp2p.get('rectangle')!.address).toBe(rect.address);
      expect(hub.libp2p.get('arena')!.address).toBe(arena.address);
      await until(
        () => hub.peer.neighbours().some((n) => n.peerId === peer.id),
        'the restarted hub linked to the peer',
        15_000,
      );
    } finally {
      await peer.stop();
      await hub.stop();
    }
  }, 40_000);

  it('is for a ws hub with a port, and not with a readable peer id', async () => {
    for (const options of [
      { libp2p: { port: 0 } },
      { transport: 'libp2p' as const, port: 0, libp2p: { port: 0 } },
      { port: 0, peerId: 'hub', libp2p: { port: 0 } },
    ]) {
      const e = await startPeerNode({ web: false, ...options }).catch((error: unknown) => error);
      expect(isDemoError(e) && e.code === 'INVALID_OPTION').toBe(true);
    }
  });

  it('keeps its keys in a file: made when missing, read back the same, a bad one refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'symmetric-hub-keys-'));
    try {
      const file = join(dir, 'keys.json');
      const first = await loadHubKeys(file);
      expect(Object.keys(JSON.parse(await readFile(file, 'utf8')))).toEqual(['rectangle', 'arena']);
      const again = await loadHubKeys(file);
      expect(again.rectangle).toEqual(first.rectangle);
      expect(again.arena).toEqual(first.arena);
      expect(again.arena).not.toEqual(first.rectangle);
      await writeFile(file, JSON.stringify({ rectangle: 'bm90IGEga2V5' }));
      const e = await loadHubKeys(file).catch((error: unknown) => error);
      expect(isDemoError(e) && e.code === 'INVALID_OPTION' && /bad key for rectangle/.test(e.message)).toBe(
        true,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
