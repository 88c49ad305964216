import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareEvents, RectangleKeys } from '@symmetric/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONFIG_PATH,
  checkConvergence,
  keyFromName,
  type PeerNode,
  runCli,
  startPeerNode,
} from '../src/index.js';
import { Capture, until } from './helpers.js';

const web = mkdtempSync(join(tmpdir(), 'demo-web-'));
writeFileSync(join(web, 'index.html'), '<!doctype html><title>symmetric test page</title>');
const nodes: PeerNode[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(web, { recursive: true, force: true });
});

describe('peer: one peer per process, also the hub', () => {
  it('serves the page and its config over HTTP, and peers dialling its WebSocket converge with it', async () => {
    const hub = await startPeerNode({ port: 0, web, room: 'hub-test', delay: 100 });
    nodes.push(hub);
    expect(hub.webUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(hub.addresses[0]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/symmetric$/);

    const page = await fetch(hub.webUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('symmetric test page');
    const config = await (await fetch(new URL(CONFIG_PATH, hub.webUrl))).json();
    expect(config).toEqual({
      room: 'hub-test',
      fps: 50,
      wsPath: '/symmetric',
      apps: { rectangle: '/symmetric', arena: '/symmetric/arena' },
    });

    // Two dial-only peers (as browsers are) join through the hub.
    const a = await startPeerNode({ dial: [hub.addresses[0]!], room: 'hub-test', delay: 100 });
    const b = await startPeerNode({ dial: [hub.addresses[0]!], room: 'hub-test', delay: 100 });
    nodes.push(a, b);
    expect(a.addresses).toEqual([]);
    const peers = [hub.peer, a.peer, b.peer];
    await until(
      () => peers.every((p) => p.status === 'live') && hub.peer.neighbours().length === 2,
      'all live',
    );

    const emitted = [
      a.peer.emit(RectangleKeys.right),
      b.peer.emit(RectangleKeys.down),
      hub.peer.emit(RectangleKeys.up),
    ];
    const last = Math.max(...emitted.map((e) => e.tick));
    await until(() => checkConvergence(peers, last, { expectedEvents: 3 }).converged, 'convergence');
    // Every peer applies the three keys in the total order (tick, source, seq): the last one wins.
    const final = [...emitted].sort(compareEvents).at(-1)!.payload;
    const direction = {
      [RectangleKeys.right]: { dx: 1, dy: 0 },
      [RectangleKeys.down]: { dx: 0, dy: 1 },
      [RectangleKeys.up]: { dx: 0, dy: -1 },
    } as Record<number, { dx: number; dy: number }>;
    for (const p of peers) expect(p.state).toMatchObject(direction[final]!);
  });

  it('hosts the arena on its own path: arena peers join the hub’s arena peer and converge', async () => {
    const hub = await startPeerNode({ port: 0, web, room: 'arena-test', delay: 100 });
    nodes.push(hub);
    expect([...hub.peers.keys()]).toEqual(['rectangle', 'arena']);
    const url = hub.addresses[0]!.replace(/\/symmetric$/, '/symmetric/arena');
    const a = await startPeerNode({ app: 'arena', dial: [url], room: 'arena-test', delay: 100 });
    const b = await startPeerNode({ app: 'arena', dial: [url], room: 'arena-test', delay: 100 });
    nodes.push(a, b);
    const arenaHub = hub.peers.get('arena')!;
    const peers = [arenaHub, a.peer, b.peer];
    await until(
      () => peers.every((p) => p.status === 'live') && arenaHub.neighbours().length === 2,
      'all live',
    );
    // The rectangle peer of the hub sees none of them (another app, another path).
    expect(hub.peer.neighbours()).toEqual([]);
    const emitted = [a.peer.emit(RectangleKeys.right), b.peer.emit(RectangleKeys.down)];
    const last = Math.max(...emitted.map((e) => e.tick));
    await until(() => checkConvergence(peers, last, { expectedEvents: 2 }).converged, 'convergence');
    const state = arenaHub.state as { players: { id: string }[] };
    expect(state.players.map((p) => p.id).sort()).toEqual([a.peer.id, b.peer.id].sort());
    // A path no app answers is refused, not left hanging.
    const outcome = await new Promise<string>((resolve) => {
      const ws = new WebSocket(hub.addresses[0]!.replace(/\/symmetric$/, '/nowhere'));
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
      setTimeout(() => resolve('no answer'), 5_000);
    });
    expect(outcome).toBe('refused');
  });

  it('says how to build the page when the web directory has none', async () => {
    const hub = await startPeerNode({ port: 0, web: join(web, 'nothing-here') });
    nodes.push(hub);
    expect(hub.webUrl).toBeUndefined();
    const res = await fetch(`http://${new URL(hub.addresses[0]!).host}/`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('npm run build -w @symmetric/demo-web');
  });

  it('refuses a port out of range and a port in use with typed errors', async () => {
    await expect(startPeerNode({ port: 70_000 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    const hub = await startPeerNode({ port: 0, web: false });
    nodes.push(hub);
    const port = Number(new URL(hub.addresses[0]!).port);
    await expect(startPeerNode({ port, web: false })).rejects.toMatchObject({ code: 'START_FAILED' });
  });

  it('the CLI peer listens, presses random keys, prints its view and stops after --duration', async () => {
    const out = new Capture();
    const code = await runCli(
      [
        'peer',
        '--listen',
        '0',
        '--no-web',
        '--keys',
        'random',
        '--rate',
        '600',
        '--duration',
        '1.5',
        '--plain',
      ],
      { out, err: out, onSignal: () => () => {} },
    );
    expect(code).toBe(0);
    expect(out.text).toMatch(/dial me at: ws:\/\/127\.0\.0\.1:\d+\/symmetric/);
    expect(out.text).toMatch(/keys: random, 600\/min/);
    // Nobody dialled it: it says so, not `live`.
    expect(out.text).toMatch(/tick=\d+ alone /);
    expect(out.text).not.toMatch(/tick=\d+ live/);
    expect(out.text).toMatch(/stopped at tick \d+, state hash [0-9a-f]{16}/);
  });

  it('--store keeps the peer: a restart with the same directory is the same source, at its last state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-store-'));
    const run = async () => {
      const out = new Capture();
      const args = ['peer', '--listen', '0', '--no-web', '--store', dir, '--keys', 'random'];
      const code = await runCli([...args, '--rate', '600', '--duration', '1.5', '--plain'], {
        out,
        err: out,
        onSignal: () => () => {},
      });
      expect(code).toBe(0);
      const kept = /kept in: +\S+ \(event source (\S+), tick (\d+)\)/.exec(out.text);
      const stopped = /stopped at tick (\d+), state hash/.exec(out.text);
      expect(kept).not.toBeNull();
      return { source: kept![1]!, resumedAt: Number(kept![2]), stoppedAt: Number(stopped![1]) };
    };
    try {
      const first = await run();
      expect(first.resumedAt).toBe(0);
      const second = await run();
      expect(second.source).toBe(first.source);
      // Resumed where the stored room stood (through its last event's tick, which may be
      // stamped Δ ahead of the tick it stopped at), not from 0.
      expect(second.resumedAt).toBeGreaterThan(0);
      expect(second.resumedAt).toBeLessThanOrEqual(first.stoppedAt + 50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps terminal keys to app keys', () => {
    expect(['left', 'right', 'up', 'down', 'space', 'w', 'a', 's', 'd', 'x', 'z'].map(keyFromName)).toEqual([
      RectangleKeys.left,
      RectangleKeys.right,
      RectangleKeys.up,
      RectangleKeys.down,
      RectangleKeys.stop,
      RectangleKeys.up,
      RectangleKeys.left,
      RectangleKeys.down,
      RectangleKeys.right,
      RectangleKeys.stop,
      undefined,
    ]);
  });
});
