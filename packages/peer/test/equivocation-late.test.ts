import { RectangleKeys } from '@symmetric/core';
import type { PeerExcludedInfo } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { expectConverged, honestTraffic, type Peer, roomWithAttacker } from './helpers/honest-room.js';

describe('equivocation evidence reaches peers that join later (authenticated room, loopback, virtual time)', () => {
  it('a fresh peer and a restarted one get the proof from their neighbours: every honest peer excludes the source and ends with one hash', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    // m signs two versions of #1 (and a #2), stamped 20 s ahead, one version to a, the other to c.
    const tick = a.tick + 1000;
    const ev = (seq: number, payload: number) => ({
      type: 'events' as const,
      events: [m.sign({ source: m.source, seq, tick, payload })],
    });
    m.send('a', ev(1, RectangleKeys.left));
    m.send('c', ev(1, RectangleKeys.right));
    m.send('a', ev(2, RectangleKeys.up));
    c.run(c.now() + 2_000);
    for (const p of [a, b, cc]) expect(p.stats().equivocations).toBe(1);

    // The proof was flooded before these two exist: d joins fresh, c restarts (a new incarnation).
    const excluded: PeerExcludedInfo[] = [];
    const d = await c.add('d', {}, ['b']);
    d.on('peer:excluded', (i) => excluded.push(i));
    await c.remove('c');
    const c2 = await c.add('c', {}, ['a', 'b']);
    c2.on('peer:excluded', (i) => excluded.push(i));
    c.run(c.now() + 10_000);
    const honest: Peer[] = [a, b, d, c2];
    honestTraffic(c, honest, 3, c.now() + 20_000);
    c.run(c.now() + 8_000);
    expect(Math.min(...honest.map((p) => p.tick))).toBeGreaterThan(tick);
    expectConverged(c, honest);
    // Both joined on a neighbour's snapshot, the proof went before it on the same link.
    for (const p of [d, c2]) {
      expect(p.stats().equivocations).toBe(1);
      expect(p.stats().snapshotsAdopted).toBeGreaterThanOrEqual(1);
    }
    expect(excluded).toHaveLength(2);
    for (const i of excluded)
      expect(i).toEqual({ peerId: m.identity.peerId, source: m.source, fromSeq: 1, reason: 'equivocation' });
  });

  it('a peer cut off during the flood that applied one version gets the proof when it links again and re-simulates to the others’ state', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    c.net.cut('b', 'c');
    c.run(c.now() + 500);
    const tick = a.tick + 100;
    const ev = (payload: number) => ({
      type: 'events' as const,
      events: [m.sign({ source: m.source, seq: 1, tick, payload })],
    });
    // c (cut off from b, still linked to m) takes one version; a gets both and proves it.
    m.send('c', ev(RectangleKeys.left));
    m.send('a', ev(RectangleKeys.left));
    m.send('a', ev(RectangleKeys.right));
    c.run(c.now() + 6_000);
    expect(Math.min(a.tick, cc.tick)).toBeGreaterThan(tick);
    expect([a.stats().equivocations, b.stats().equivocations, cc.stats().equivocations]).toEqual([1, 1, 0]);
    expect(cc.stats().excludedDropped).toBe(0);

    c.net.heal('b', 'c');
    cc.dial('b');
    c.run(c.now() + 5_000);
    expect(cc.stats().equivocations).toBe(1);
    const honest: Peer[] = [a, b, cc];
    honestTraffic(c, honest, 3, c.now() + 10_000);
    c.run(c.now() + 5_000);
    expectConverged(c, honest);
  });
});
