import { type ConnectionState, connectionState, describeConnection } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { cluster, loopback } from './helpers/harness.js';

/** Records a peer's `connection` events. */
function record(peer: {
  on(name: 'connection', l: (s: ConnectionState) => void): () => void;
}): ConnectionState[] {
  const seen: ConnectionState[] = [];
  peer.on('connection', (s) => seen.push(s));
  return seen;
}

describe('connection state', () => {
  it('a lone peer is alone, though its status says live', async () => {
    const c = await cluster(loopback(10));
    const a = await c.add('a');
    const seen = record(a);
    c.run(3000);
    expect(a.status).toBe('live');
    expect(a.connection).toEqual({ kind: 'alone' });
    expect(seen).toEqual([]);
    expect(describeConnection(a.connection)).toBe('alone');
  });

  it('a peer dialling a dead address is connecting, and keeps saying so', async () => {
    const c = await cluster(loopback(10), { redial: { minMs: 100, maxMs: 400 } });
    const a = await c.add('a', { dial: ['nobody'] });
    c.run(3000);
    expect(a.status).toBe('live');
    expect(a.connection).toEqual({ kind: 'connecting', dialling: 1 });
    expect(describeConnection(a.connection)).toBe('connecting (1 address)');
    expect(a.stats().errors.DIAL_FAILED).toBeGreaterThanOrEqual(1);
  });

  it('a dial that is not retried (redial: false) leaves the peer alone once it failed', async () => {
    const c = await cluster(loopback(10));
    const a = await c.add('a', { dial: ['nobody'] });
    expect(a.connection).toEqual({ kind: 'connecting', dialling: 1 });
    c.run(500);
    expect(a.connection).toEqual({ kind: 'alone' });
  });

  it('two linked peers are live with 1 neighbour; each change is reported once', async () => {
    const c = await cluster(loopback(10), { redial: { minMs: 100, maxMs: 400 } });
    const a = await c.add('a');
    const b = await c.add('b', { dial: ['a'] });
    const seenA = record(a);
    const seenB = record(b);
    expect(b.connection).toEqual({ kind: 'connecting', dialling: 1 });
    c.run(3000);
    expect(a.connection).toEqual({ kind: 'live', neighbours: 1 });
    expect(b.connection).toEqual({ kind: 'live', neighbours: 1 });
    expect(describeConnection(b.connection)).toBe('live with 1 peer');
    expect(seenA.at(-1)).toEqual({ kind: 'live', neighbours: 1 });
    expect(seenB.at(-1)).toEqual({ kind: 'live', neighbours: 1 });
    for (const seen of [seenA, seenB])
      for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toEqual(seen[i - 1]);
  });

  it('a peer whose neighbour leaves goes back to connecting (configured dial) or alone', async () => {
    const c = await cluster(loopback(10), { redial: { minMs: 100, maxMs: 400 } });
    await c.add('hub');
    const dialler = await c.add('dialler', { dial: ['hub'] });
    const hub = c.peers.get('hub')!;
    c.run(2000);
    expect(hub.connection).toEqual({ kind: 'live', neighbours: 1 });
    expect(dialler.connection).toEqual({ kind: 'live', neighbours: 1 });
    await c.remove('dialler');
    c.run(2500);
    expect(hub.connection).toEqual({ kind: 'alone' });
    const seen = record(dialler);
    await c.add('dialler2', { dial: ['hub'] });
    const d2 = c.peers.get('dialler2')!;
    c.run(4000);
    expect(d2.connection).toEqual({ kind: 'live', neighbours: 1 });
    await c.remove('hub');
    c.run(5000);
    expect(d2.status).toBe('live');
    expect(d2.connection).toEqual({ kind: 'connecting', dialling: 1 });
    expect(dialler.connection).toEqual({ kind: 'alone' });
    expect(seen).toEqual([]);
  });

  it('a dial refused for another room or fps stays connecting; the dialled peer stays alone', async () => {
    const c = await cluster(loopback(10), { redial: { minMs: 100, maxMs: 400 } });
    const a = await c.add('a');
    const b = await c.add('b', { room: 'elsewhere', dial: ['a'] });
    const d = await c.add('d', { fps: 25, dial: ['a'] });
    c.run(3000);
    expect(b.stats().errors.ROOM_MISMATCH).toBeGreaterThan(0);
    expect(d.stats().errors.FPS_MISMATCH).toBeGreaterThan(0);
    expect(b.connection).toEqual({ kind: 'connecting', dialling: 1 });
    expect(d.connection).toEqual({ kind: 'connecting', dialling: 1 });
    expect(a.connection).toEqual({ kind: 'alone' });
    expect([a.status, b.status, d.status]).toEqual(['live', 'live', 'live']);
  });

  it('neighbours with the status syncing are catching up', () => {
    expect(connectionState('syncing', 2, 0)).toEqual({ kind: 'catching-up', neighbours: 2 });
    expect(describeConnection({ kind: 'catching-up', neighbours: 2 })).toBe('catching up (2 peers)');
    expect(connectionState('live', 3, 1)).toEqual({ kind: 'live', neighbours: 3 });
    expect(describeConnection({ kind: 'live', neighbours: 3 })).toBe('live with 3 peers');
    expect(connectionState('live', 0, 2)).toEqual({ kind: 'connecting', dialling: 2 });
    expect(describeConnection({ kind: 'connecting', dialling: 2 })).toBe('connecting (2 addresses)');
  });
});
