import { isPeerError, openPeer, type PeerOptions } from '@symmetric/peer';
import { MemoryDisk, memoryStore, type PeerStore } from '@symmetric/storage';
import { describe, expect, it } from 'vitest';
import { type Log, logApp, logCodec } from './fixtures/log-app.js';
import { cluster, distinct, loopback } from './helpers/harness.js';

const base: Partial<PeerOptions<Log, string>> = {
  app: logApp,
  payloadCodec: logCodec,
  fps: 50,
  delay: 60,
  history: { horizonTicks: 500 },
};

declare function setTimeout(fn: () => void, ms: number): unknown;

/** Let the stores write what is queued (they commit at the end of the current task). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

async function open(disk: MemoryDisk, name: string): Promise<PeerStore> {
  return memoryStore({ room: 'test', appId: '', disk, name });
}

describe('a peer with a store', () => {
  it('restarts as the same source, seqs continuing, its events kept; neighbours send only what it lacks', async () => {
    const disk = new MemoryDisk();
    const net = loopback(10);
    const c = await cluster<Log, string>(net, base);
    let store = await open(disk, 'a');
    let a = await c.add('a', { store });
    const b = await c.add('b', {}, ['a']);
    c.run(2000);
    const first = [a.emit('a1'), a.emit('a2'), a.emit('a3')];
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3]);
    await settle();
    c.run(1500);
    b.emit('b1');
    c.run(2000);
    await settle();
    c.run(2100);
    expect(b.state.log).toEqual(expect.arrayContaining(['a1', 'a2', 'a3', 'b1']));
    const source = a.source;
    await c.remove('a');
    await store.close();
    // While a is away, b goes on.
    b.emit('b2');
    b.emit('b3');
    c.run(3000);
    store = await open(disk, 'a');
    a = await c.add('a', { store }, ['b']);
    expect(a.source).toBe(source);
    expect(a.state.log).toEqual(expect.arrayContaining(['a1', 'a2', 'a3', 'b1']));
    const received = a.stats().eventsReceived;
    c.run(3200);
    const again = a.emit('a4');
    expect(again.source).toBe(source);
    expect(again.seq).toBe(4);
    await settle();
    c.run(5000);
    // Only b2 and b3 came over (the restarted peer told what it holds at once).
    expect(a.stats().eventsReceived - received).toBe(2);
    expect(a.state.log).toHaveLength(7);
    expect(b.state.log).toHaveLength(7);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors).toEqual([]);
    await c.remove('a');
    await store.close();
  });

  it('a resumed peer keeps its source and its presence still reaches those who heard its last life', async () => {
    const disk = new MemoryDisk();
    const net = loopback(10);
    const c = await cluster<Log, string>(net, base);
    let store = await open(disk, 'a');
    let a = await c.add('a', { store });
    const b = await c.add('b', {}, ['a']);
    c.run(1500);
    a.setPresence({ name: 'first life' });
    c.run(1800);
    expect(b.presence().get(a.id)).toEqual({ name: 'first life' });
    await settle();
    await c.remove('a');
    await store.close();
    store = await open(disk, 'a');
    a = await c.add('a', { store }, ['b']);
    c.run(2500);
    a.setPresence({ name: 'second life' });
    c.run(2800);
    expect(b.presence().get(a.id)).toEqual({ name: 'second life' });
    expect(c.errors).toEqual([]);
    await c.remove('a');
    await store.close();
  });

  it('a room whose peers all stopped resumes: one alone shows the last state, then all converge', async () => {
    const disk = new MemoryDisk();
    const net = loopback(10);
    const c = await cluster<Log, string>(net, base);
    const stores = new Map<string, PeerStore>();
    for (const [name, dial] of [
      ['a', []],
      ['b', ['a']],
      ['c', ['a', 'b']],
    ] as const) {
      const store = await open(disk, name);
      stores.set(name, store);
      await c.add(name, { store }, [...dial]);
    }
    c.run(1000);
    for (let i = 0; i < 30; i++) {
      for (const [name, peer] of c.peers) peer.emit(`${name}${i}`);
      c.run(1000 + (i + 1) * 100);
      await settle();
    }
    c.run(5000);
    const last = [...c.peers.values()].map((p) => p.state.log.join(','));
    expect(new Set(last).size).toBe(1);
    const ids = new Map([...c.peers].map(([name, p]) => [name, p.source]));
    for (const name of ['a', 'b', 'c']) {
      await c.remove(name);
      await stores.get(name)!.close();
    }
    c.run(8000);
    // b comes back alone: the room's last state, at once.
    stores.set('b', await open(disk, 'b'));
    const b = await c.add('b', { store: stores.get('b')! });
    expect(b.source).toBe(ids.get('b'));
    expect(b.state.log.join(',')).toBe(last[0]);
    c.run(9000);
    expect(b.status).toBe('live');
    b.emit('b-alone');
    await settle();
    c.run(9500);
    for (const name of ['a', 'c']) {
      stores.set(name, await open(disk, name));
      await c.add(name, { store: stores.get(name)! }, ['b']);
    }
    c.run(13000);
    const all = [...c.peers.values()];
    for (const p of all) expect(p.state.log).toHaveLength(91);
    expect(new Set(all.map((p) => p.state.log.join(','))).size).toBe(1);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors).toEqual([]);
    for (const [name, store] of stores) {
      await c.remove(name);
      await store.close();
    }
  });
});

describe('a store the peer cannot resume from', () => {
  const options = (store: PeerStore): PeerOptions<Log, string> => ({
    app: logApp,
    payloadCodec: logCodec,
    transports: [loopback(10).transport('x')],
    room: 'test',
    trusted: true,
    peerId: 'x',
    store,
  });

  it('is refused with a typed error: another room, another peer, a damaged snapshot', async () => {
    const disk = new MemoryDisk();
    const other = await memoryStore({ room: 'elsewhere', appId: '', disk, name: 'o' });
    await expect(openPeer(options(other))).rejects.toSatisfy((e) => isPeerError(e, 'STORE'));
    const store = await open(disk, 'x');
    store.setIdentity({ room: 'test', appId: '', peerId: 'y~1', incarnation: 1 });
    store.putSnapshot({ tick: 5, bytes: Uint8Array.of(1, 2, 3), frontier: new Map() });
    await store.close();
    // Another peer's store.
    await expect(openPeer(options(await open(disk, 'x')))).rejects.toSatisfy(
      (e) => isPeerError(e, 'STORE') && /belongs to peer 'y'/.test((e as Error).message),
    );
    // The right peer, but a snapshot that does not decode.
    await expect(openPeer({ ...options(await open(disk, 'x')), peerId: 'y' })).rejects.toSatisfy(
      (e) => isPeerError(e, 'STORE') && /snapshot cannot be restored/.test((e as Error).message),
    );
    // A torn snapshot record.
    disk.damage('x', 'tear-last-snapshot');
    await expect(openPeer({ ...options(await open(disk, 'x')), peerId: 'y' })).rejects.toSatisfy(
      (e) => isPeerError(e, 'STORE') && /damaged/.test((e as Error).message),
    );
  });

  it('a torn event record is dropped and reported after attach; the peer resumes from the rest', async () => {
    const disk = new MemoryDisk();
    const store = await open(disk, 'x');
    store.setIdentity({ room: 'test', appId: '', peerId: 'x~1', incarnation: 1 });
    await store.close();
    const first = await openPeer({ ...options(await open(disk, 'x')) });
    expect(first.source).toBe('x~1');
    await first.attach();
    for (let t = 20; t <= 1500; t += 20) first.step(t);
    first.emit('one');
    first.emit('two');
    await first.stop();
    await settle();
    disk.damage('x', 'tear-last-event');
    const again = await openPeer(options(await open(disk, 'x')));
    const errors: string[] = [];
    again.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    await again.attach();
    expect(errors).toEqual([expect.stringMatching(/^STORE: a damaged event record .* was dropped/)]);
    expect(again.state.log).toEqual(['one']);
    // The lost seq is never reused: the next own event takes seq 3.
    again.step(1600);
    expect(again.emit('three').seq).toBe(3);
    await again.stop();
  });

  it('createPeer refuses a store (openPeer reads it first)', async () => {
    const store = await memoryStore({ room: 'test', appId: '', disk: new MemoryDisk(), name: 'z' });
    const { createPeer } = await import('@symmetric/peer');
    expect(() => createPeer(options(store))).toThrow(/openPeer/);
  });
});

describe('offline work', () => {
  it('a peer cut off past the horizon keeps emitting; on reconnection the lost side re-stamps its events, none lost', async () => {
    const net = loopback(10);
    const c = await cluster<Log, string>(net, { ...base, history: { horizonTicks: 100 } });
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    const d = await c.add('d', { redial: { minMs: 200, maxMs: 400 }, dial: ['a'] });
    c.run(2000);
    a.emit('a-before');
    c.run(2500);
    net.cut('a', 'd');
    c.run(3000);
    expect(d.neighbours()).toEqual([]);
    // Offline for 8 s (4 horizons): d keeps simulating and takes its user's events (early in
    // the outage: by the reconnection the room is a horizon past them).
    for (let i = 0; i < 4; i++) {
      d.emit(`d${i}`);
      b.emit(`b${i}`);
      c.run(3000 + (i + 1) * 500);
    }
    c.run(11000);
    expect(d.stats().eventsEmittedOffline).toBe(4);
    expect(d.state.log).toEqual(expect.arrayContaining(['d0', 'd1', 'd2', 'd3']));
    net.heal('a', 'd');
    // The two histories meet. At the first mark where their prints differ each had folded as
    // many events (d0 against b0, stamped at once), and d's digest is the larger: the room
    // re-bases on d's history, and b stamps its lost events again.
    c.run(60000);
    expect([a, b, d].map((p) => p.stats().resyncs)).toEqual([1, 1, 0]);
    expect([a, b, d].map((p) => p.stats().eventsRestamped)).toEqual([0, 4, 0]);
    for (const p of [a, b, d]) {
      expect(p.state.log.filter((x) => x.startsWith('d'))).toEqual(['d0', 'd1', 'd2', 'd3']);
      expect(p.state.log.filter((x) => x.startsWith('b'))).toEqual(['b0', 'b1', 'b2', 'b3']);
    }
    expect(new Set([a, b, d].map((p) => p.state.log.join(','))).size).toBe(1);
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});
