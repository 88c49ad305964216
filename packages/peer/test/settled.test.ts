import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';
import { RawPeer } from './helpers/raw-peer.js';

describe('what settled means: one rule on every peer', () => {
  it('a batch straddling the horizon is applied alike by peers that compact at different ticks', async () => {
    const net = loopback(20);
    const c = await cluster(net, { history: { horizonTicks: 500 }, delay: 100 });
    // snapshotEvery is a local choice: it moves where and when each peer compacts.
    const a = await c.add('a', { snapshotEvery: 10 });
    const b = await c.add('b', { snapshotEvery: 30 }, ['a']);
    const d = await c.add('d', { snapshotEvery: 70 }, ['a', 'b']);
    const x = await new RawPeer(net.transport('x'), 'x').start();
    x.dial('a');
    c.run(30_030);
    const bases = [a, b, d].map((p) => p.stats().baseTick);
    expect(new Set(bases).size).toBe(3);
    // 23 events of a source cut off until now, stamped 605 down to 385 ticks ago (10 apart):
    // older than the horizon at every peer, or younger, whatever each peer's base is.
    const now = a.tick;
    const events = [];
    for (let k = 0; k < 23; k++)
      events.push({ source: 'x', seq: k + 1, tick: now - 605 + 10 * k, payload: k % 5 });
    x.send('a', { type: 'events', events });
    c.run(32_000);
    // Those older than the horizon when they arrived (ticks now-605 to now-505: 11 events) are
    // refused by the first peer to hear of them and go no further; the other 12 are taken and
    // passed on, and every peer holds (and applies) them, and only them.
    expect([a, b, d].map((p) => p.stats().events)).toEqual([12, 12, 12]);
    expect(a.stats().tooOld).toBe(11);
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});

describe('histories split past the horizon', () => {
  const splitRoom = async (offlineMerge: 'drop' | 'restamp') => {
    const net = loopback(20);
    const c = await cluster(net, {
      delay: 150,
      history: { horizonTicks: 100 },
      hashIntervalMs: 500,
      desyncConfirmMs: 1500,
      offlineMerge,
    });
    await c.add('a');
    const b = await c.add('b', { redial: { minMs: 200, maxMs: 400 } }, ['a']);
    await c.add('c', {}, ['b']);
    await c.add('d', {}, ['c']);
    c.run(1500);
    net.cut('b', 'c');
    for (let k = 0; k < 8; k++) {
      c.peers.get(['a', 'd', 'b', 'c'][k % 4]!)!.emit((k % 5) as 0 | 1 | 2 | 3 | 4);
      c.run(2000 + k * 500);
    }
    c.run(9000); // 7 s apart: each side compacted what only it holds (horizon 2 s)
    net.heal('b', 'c');
    b.dial('c');
    return c;
  };

  it('two sides cut off longer than the horizon end on one history within 4 s, without a desync report', async () => {
    // Own settled events a re-base drops are given up here ('drop'): the re-base path alone.
    const c = await splitRoom('drop');
    // Nobody can repair what the other side folded: each hop re-bases a request timeout after
    // the frontiers met, not a snapshot timeout.
    c.run(13_000);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect([...c.peers.values()].map((p) => p.stats().desyncs)).toEqual([0, 0, 0, 0]);
    expect([...c.peers.values()].reduce((n, p) => n + p.stats().resyncs, 0)).toBeGreaterThan(0);
  });

  it("with the default offline merge ('restamp') the dropped own events come back and the room still ends on one history", async () => {
    const c = await splitRoom('restamp');
    const restamps: { seq: number; restamps: number | undefined }[] = [];
    for (const p of c.peers.values())
      p.on('emit', (e) => restamps.push({ seq: e.seq, restamps: e.restamps }));
    // The re-stamped events are new events of the re-based side: the histories can trade places
    // once more before they settle, so this takes longer than the re-base alone.
    c.run(40_000);
    const peers = [...c.peers.values()];
    // Each re-stamp names the dropped event it stands for (an earlier seq of its source).
    expect(restamps.length).toBe(peers.reduce((n, p) => n + p.stats().eventsRestamped, 0));
    for (const r of restamps) expect(r.restamps).toBeLessThan(r.seq);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(peers.map((p) => p.stats().desyncs)).toEqual([0, 0, 0, 0]);
    expect(peers.reduce((n, p) => n + p.stats().eventsRestamped, 0)).toBeGreaterThan(0);
    expect(peers.reduce((n, p) => n + p.stats().eventsDropped, 0)).toBe(0);
  });
});

describe('an event taken by some peers and refused as settled by others', () => {
  it('a batch reaching peers on either side of the settled bound ends in one history', async () => {
    const net = loopback(20);
    const c = await cluster(net, { history: { horizonTicks: 100 }, delay: 100 });
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    const d = await c.add('d', {}, ['b']);
    const x = await new RawPeer(net.transport('x'), 'x').start();
    x.dial('a');
    c.run(6_010);
    // One event per tick around the bound, reaching a first, b a tick later, d a tick after that:
    // judged on arrival, each would refuse a different number.
    const now = a.tick;
    const events = [];
    for (let k = 0; k < 9; k++) events.push({ source: 'x', seq: k + 1, tick: now - 104 + k, payload: k % 5 });
    x.send('a', { type: 'events', events });
    c.run(20_000);
    // The first peer of the room to hear of them decides; what it takes, the others take.
    expect(a.stats().tooOld).toBeGreaterThan(0);
    expect([b, d].map((p) => p.stats().tooOld)).toEqual([0, 0]);
    expect([a, b, d].map((p) => p.stats().events)).toEqual([
      9 - a.stats().tooOld,
      9 - a.stats().tooOld,
      9 - a.stats().tooOld,
    ]);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect([a, b, d].map((p) => p.stats().desyncs)).toEqual([0, 0, 0]);
  });
});
