import { RectangleKeys } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { expectConverged, honestTraffic, roomWithAttacker } from './helpers/honest-room.js';

describe('repair cannot be turned against honest peers (authenticated room, loopback, virtual time)', () => {
  it('one signed event at seq 10^9: honest peers ask in small slices, give the range up, never close each other', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    const honest = [a, b, cc];
    const requestsBefore = honest.map((p) => p.stats().requestsSent);
    const ev = m.sign({ source: m.source, seq: 1e9, tick: a.tick + 20, payload: RectangleKeys.up });
    m.send('a', { type: 'events', events: [ev] });
    m.send('c', { type: 'events', events: [ev] });
    c.run(c.now() + 500);
    // The attacker leaves; the honest peers are left with a gap nobody can fill.
    c.net.cut('m', 'a');
    c.net.cut('m', 'c');
    honestTraffic(c, honest, 10, c.now() + 20_000);
    c.run(c.now() + 5000);
    for (const p of honest) {
      expect(p.stats().errors.OUT_OF_RANGE ?? 0).toBe(0);
      expect(p.stats().errors.PROTOCOL ?? 0).toBe(0);
    }
    expect(a.neighbours().map((n) => n.peerId)).toEqual([b.id]);
    expect(b.neighbours()).toHaveLength(2);
    expect(cc.neighbours().map((n) => n.peerId)).toEqual([b.id]);
    // A few requests of at most maxRequestSpan seqs each, then the range is given up.
    for (const [i, p] of honest.entries())
      expect(p.stats().requestsSent - requestsBefore[i]!).toBeLessThan(40);
    expectConverged(c, honest);
  });
});
