import { RectangleKeys } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { Attacker } from './helpers/attacker.js';
import { cluster, loopback } from './helpers/harness.js';
import { expectConverged, honestTraffic, type Peer } from './helpers/honest-room.js';

describe('colluding neighbours lying about time (authenticated room, loopback, virtual time)', () => {
  it('2 colluders among 5 neighbours, one claiming 10 s ahead and one signing events 10 s ahead: nobody’s clock follows', async () => {
    const c = await cluster(loopback(10), { trusted: false, delay: 300 });
    const x = (await c.add('x')) as Peer;
    const h1 = (await c.add('h1', {}, ['x'])) as Peer;
    const h2 = (await c.add('h2', {}, ['x', 'h1'])) as Peer;
    const h3 = (await c.add('h3', {}, ['x', 'h2'])) as Peer;
    const honest = [x, h1, h2, h3];
    const m1 = await new Attacker(c.net.transport('m1') as never, 'm1').start();
    const m2 = await new Attacker(c.net.transport('m2') as never, 'm2').start();
    m1.dial('x');
    m2.dial('x');
    // Both speak SYNC like honest neighbours (x's own time) every 250 ms, and later lie.
    let lead = 0;
    let stamp = false;
    let seq = 0;
    let nextSync = 0;
    const speak = (t: number): void => {
      if (t < nextSync) return;
      nextSync = t + 250;
      m1.send('x', { type: 'sync', time: t, tick: x.tick + lead });
      m2.send('x', { type: 'sync', time: t, tick: x.tick });
      if (stamp) {
        // Witnessed as m2's clock at tick - 250 (the largest stamping delay): 500 ahead.
        const ev = m2.sign({ source: m2.source, seq: ++seq, tick: x.tick + 750, payload: RectangleKeys.up });
        m2.send('x', { type: 'events', events: [ev] });
      }
    };
    c.run(25_000, speak);
    const before = honest.map((p) => p.tick);
    lead = 500;
    stamp = true;
    c.run(45_000, speak);
    // 20 s at 50 ticks/s: 1,000 ticks; the uncorroborated budget and steering bound the rest.
    for (const [i, p] of honest.entries()) expect(p.tick - before[i]!).toBeLessThan(1000 + 50 + 40 + 15);
    expect(x.stats().errors.CLOCK_LIE ?? 0).toBe(0);
    lead = 0;
    stamp = false;
    honestTraffic(c, honest, 4, c.now() + 4000);
    c.run(c.now() + 3000, speak);
    expectConverged(c, honest);
  });
});
