import { type App, RectangleKeys } from '@symmetric/core';
import { peerIdOf } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';
import { RawPeer } from './helpers/raw-peer.js';

describe('repair, join and rejoin', () => {
  it('repairs by frontier exchange after a link cut and heal (partition healing)', async () => {
    const net = loopback(25);
    const c = await cluster(net, { delay: 200 });
    await c.add('a');
    await c.add('b', {}, ['a']);
    await c.add('c', { redial: { minMs: 200, maxMs: 400 }, dial: ['b'] });
    c.run(1500);
    expect(c.peers.get('c')!.status).toBe('live');
    net.cut('b', 'c');
    c.run(1600);
    expect(c.peers.get('c')!.neighbours()).toEqual([]);
    // Both sides keep emitting while partitioned.
    c.peers.get('a')!.emit(RectangleKeys.left);
    c.peers.get('c')!.emit(RectangleKeys.up);
    c.run(2500);
    c.peers.get('b')!.emit(RectangleKeys.down);
    c.peers.get('c')!.emit(RectangleKeys.right);
    c.run(4000);
    expect(c.peers.get('a')!.stats().events).toBe(2);
    expect(c.peers.get('c')!.stats().events).toBe(2);
    net.heal('b', 'c');
    c.run(8000);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(4);
    expect(
      c.peers.get('b')!.stats().repairsSent + c.peers.get('c')!.stats().repairsSent,
    ).toBeGreaterThanOrEqual(4);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.peers.get('c')!.status).toBe('live');
  });

  it('requests a seq gap, and retries on another link when unanswered', async () => {
    const net = loopback(10);
    const c = await cluster(net, { delay: 500, gapGraceMs: 100, requestTimeoutMs: 300 });
    const p = await c.add('p');
    const silent = await new RawPeer(net.transport('f1'), 'f1').start();
    const helpful = await new RawPeer(net.transport('f2'), 'f2').start();
    const z = (seq: number) => ({ source: 'z', seq, tick: 200 + seq, payload: seq % 5 });
    helpful.onFrame = (f, from) => {
      if (f.type !== 'request') return;
      for (const r of f.ranges) {
        const events = [];
        for (let s = r.fromSeq; s <= r.toSeq; s++) events.push(z(s));
        helpful.send(from, { type: 'events', events });
      }
    };
    silent.dial('p');
    helpful.dial('p');
    c.run(200);
    // Both claim to hold z#1..4; f1 sends 1, 3, 4 (seq 2 missing) and never answers requests.
    silent.send('p', { type: 'frontier', entries: [{ source: 'z', seq: 4 }] });
    helpful.send('p', { type: 'frontier', entries: [{ source: 'z', seq: 4 }] });
    silent.send('p', { type: 'events', events: [z(1), z(3), z(4)] });
    c.run(300);
    expect(p.stats().events).toBe(3);
    c.run(3000);
    expect(p.stats().events).toBe(4);
    const requests = [...silent.received, ...helpful.received].filter((f) => f.type === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(1);
    for (const r of requests)
      expect(r.type === 'request' && r.ranges).toEqual([{ source: 'z', fromSeq: 2, toSeq: 2 }]);
    expect(p.stats().requestsSent).toBe(requests.length);
    // The silent neighbour was tried first or second; either way the helpful one answered.
    expect(helpful.received.some((f) => f.type === 'request')).toBe(true);
    expect(c.errors).toEqual([]);
  });

  it('a peer that starts isolated (and emits) joins later and converges', async () => {
    // (Its own events must still be within the network's horizon when it joins: older ones are
    // refused as too old, see the README's limits.)
    for (const history of ['full', { horizonTicks: 250 }] as const) {
      const net = loopback(20);
      const c = await cluster(net, { delay: 150, history });
      await c.add('a');
      await c.add('b', {}, ['a']);
      c.run(1000);
      c.peers.get('a')!.emit(RectangleKeys.right);
      c.run(2000);
      const x = await c.add('x');
      c.run(4000);
      expect(x.status).toBe('live'); // alone: the first of its own room
      x.emit(RectangleKeys.down);
      c.peers.get('b')!.emit(RectangleKeys.up);
      c.run(6000);
      x.dial('b');
      c.run(10000);
      expect(x.neighbours().map((n) => n.peerId)).toEqual(['b']);
      const counts = [...c.peers.values()].map((p) => p.stats().events);
      expect(new Set(counts).size).toBe(1);
      expect(distinct(c.hashes())).toHaveLength(1);
      expect(x.status).toBe('live');
      expect(x.stats().snapshotsAdopted).toBe(history === 'full' ? 0 : 1);
    }
  });

  it('a restarted peer with the same id is a new source: it never reuses an event identity', async () => {
    const net = loopback(20);
    const c = await cluster(net, { delay: 150, history: 'full' });
    await c.add('a');
    const b = await c.add('b', {}, ['a']);
    c.run(1000);
    b.emit(RectangleKeys.left);
    b.emit(RectangleKeys.up);
    c.run(2000);
    const oldSource = b.source;
    await c.remove('b');
    c.run(3000);
    // Comes back with nothing but its id, and emits at once (queued until it hears the room).
    const b2 = await c.add('b', {}, ['a']);
    expect(b2.source).not.toBe(oldSource);
    expect(b2.source.startsWith('b~')).toBe(true);
    const early = b2.emit(RectangleKeys.down);
    expect(early.seq).toBe(0);
    const stamped: string[] = [];
    b2.on('emit', (e) => stamped.push(`${e.source}#${e.seq}`));
    c.run(6000);
    expect(early.seq).toBe(1);
    b2.emit(RectangleKeys.right);
    c.run(8000);
    expect(stamped).toEqual([`${b2.source}#1`, `${b2.source}#2`]);
    expect(c.peers.get('a')!.stats().events).toBe(4);
    expect(b2.stats().events).toBe(4);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors.filter((e) => e.code === 'SEQ_CONFLICT')).toEqual([]);
  });

  it('a restart while every neighbour is fresh too never collides with its past', async () => {
    // Line d - a - b - c. d keeps the room's history; a, b and c crash and come back from
    // nothing while d is cut off, so the restarted b meets only fresh peers: nobody can tell it
    // what it stamped before. They found an island timeline (alone long enough) and emit; when
    // d is back, every event is distinct and everyone converges.
    for (const history of ['full', { horizonTicks: 3000 }] as const) {
      const net = loopback(20);
      const c = await cluster(net, { delay: 150, history, aloneGraceMs: 500 });
      await c.add('d');
      await c.add('a', {}, ['d']);
      const b = await c.add('b', {}, ['a']);
      await c.add('c', {}, ['b']);
      c.run(1500);
      b.emit(RectangleKeys.left);
      b.emit(RectangleKeys.up);
      c.peers.get('c')!.emit(RectangleKeys.down);
      c.run(3000);
      const before = b.source;
      net.cut('a', 'd');
      for (const x of ['a', 'b', 'c']) await c.remove(x);
      c.run(3500);
      await c.add('a');
      const b2 = await c.add('b', {}, ['a']);
      await c.add('c', {}, ['b']);
      c.run(5000);
      expect(b2.status).toBe('live'); // an island: the first generation of what it can reach
      expect(b2.emit(RectangleKeys.right).seq).toBe(1); // seq 1 again, under a new source
      expect(b2.source).not.toBe(before);
      c.peers.get('a')!.emit(RectangleKeys.stop);
      c.run(6000);
      net.heal('a', 'd');
      c.peers.get('a')!.dial('d');
      c.run(12_000);
      for (const p of c.peers.values()) expect(p.stats().events).toBe(5);
      expect(distinct(c.hashes())).toHaveLength(1);
      expect(c.errors.filter((e) => e.code === 'SEQ_CONFLICT')).toEqual([]);
    }
  });

  it('the app sees the peer id as ctx.source, the same across restarts', async () => {
    const seen: string[] = [];
    const app: App<{ n: number }, number> = {
      init: () => ({ n: 0 }),
      tick: () => {},
      event: (s, e, ctx) => {
        s.n += e;
        seen.push(ctx.source);
      },
    };
    const net = loopback(20);
    const c = await cluster<{ n: number }, number>(net, {
      app,
      payloadCodec: undefined,
      delay: 100,
      history: 'full',
    } as never);
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    c.run(1000);
    b.emit(1);
    c.run(2000);
    await c.remove('b');
    const b2 = await c.add('b', {}, ['a']);
    c.run(3000);
    b2.emit(2);
    c.run(5000);
    expect(a.state.n).toBe(3);
    expect(b2.state.n).toBe(3);
    expect(new Set(seen)).toEqual(new Set(['b']));
    expect(peerIdOf(b2.source)).toBe('b');
  });

  it('a peer away longer than the horizon re-joins from a snapshot (its missing events were compacted)', async () => {
    const net = loopback(20);
    const c = await cluster(net, { delay: 150, history: { horizonTicks: 100 }, snapshotTimeoutMs: 1000 });
    await c.add('a');
    await c.add('c', {}, ['a']);
    const b = await c.add('b', { dial: ['a'], redial: { minMs: 200, maxMs: 400 } });
    c.run(1000);
    b.emit(RectangleKeys.up);
    c.peers.get('c')!.emit(RectangleKeys.left); // b is not fresh: it holds others' events
    c.run(1500);
    expect(b.stats().events).toBe(2);
    net.cut('a', 'b');
    for (let k = 0; k < 6; k++) {
      c.peers.get(k % 2 === 0 ? 'a' : 'c')!.emit((k % 5) as 0 | 1 | 2 | 3 | 4);
      c.run(2000 + k * 500);
    }
    c.run(9000); // 7 s away: a and c compacted those events (horizon 2 s)
    // The base trails the settled bound by a compaction period: past the last of those events (tick ~233).
    expect(c.peers.get('a')!.stats().baseTick).toBeGreaterThanOrEqual(250);
    net.heal('a', 'b');
    c.run(16_000);
    expect(b.stats().resyncs).toBe(1);
    expect(b.stats().snapshotsAdopted).toBe(1);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(8);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(b.status).toBe('live');
  });

  it('joins from a neighbour snapshot with a bounded horizon', async () => {
    const net = loopback(20);
    const c = await cluster(net, { delay: 150, history: { horizonTicks: 100 } });
    await c.add('a');
    await c.add('b', {}, ['a']);
    c.run(500);
    for (let k = 0; k < 20; k++) {
      c.peers.get(k % 2 === 0 ? 'a' : 'b')!.emit((k % 5) as 0 | 1 | 2 | 3 | 4);
      c.run(500 + (k + 1) * 400);
    }
    c.run(10_000);
    const a = c.peers.get('a')!;
    expect(a.stats().baseTick).toBeGreaterThanOrEqual(250); // the bound (400) less a compaction period
    expect(a.stats().eventsHeld).toBeLessThan(20); // history compacted
    const j = await c.add('j', {}, ['a']);
    c.run(12_000);
    expect(j.stats().snapshotsAdopted).toBe(1);
    expect(a.stats().snapshotsServed).toBe(1);
    expect(j.stats().ticksSimulated).toBeLessThan(a.stats().ticksSimulated / 2);
    expect(j.status).toBe('live');
    expect(j.stats().events).toBe(20);
    j.emit(RectangleKeys.stop);
    c.run(14_000);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(21);
    expect(distinct(c.hashes())).toHaveLength(1);
    // Events older than the horizon are refused as too old (and counted).
    const tooOldBefore = a.stats().tooOld;
    const wire = { source: 'ghost', seq: 1, tick: 5, payload: 1 };
    (a as unknown as { pending: unknown[] }).pending.push(wire);
    c.run(14_100);
    expect(a.stats().tooOld).toBe(tooOldBefore + 1);
  });
});
