import { RectangleKeys } from '@symmetric/core';
import { isPeerError } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { expectConverged, honestTraffic, roomWithAttacker } from './helpers/honest-room.js';

describe('a neighbour lying about time (authenticated room, loopback, virtual time)', () => {
  it('one SYNC 90,000 ticks ahead moves nobody’s clock; the liar’s links are closed as CLOCK_LIE', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    const before = c.now();
    const ticksBefore = [a.tick, b.tick, cc.tick];
    for (const to of ['a', 'c']) m.send(to, { type: 'sync', time: before, tick: a.tick + 90_000 });
    c.run(before + 2000);
    // 2 s at 50 ticks/s: 100 ticks, give or take the ordinary steering.
    for (const [i, p] of [a, b, cc].entries()) expect(p.tick - ticksBefore[i]!).toBeLessThan(110);
    for (const p of [a, cc]) expect(p.stats().errors.CLOCK_LIE).toBe(1);
    expect(m.linked('a')).toBe(false);
    expect(m.linked('c')).toBe(false);
    honestTraffic(c, [a, b, cc], 6, c.now() + 4000);
    c.run(c.now() + 3000);
    expectConverged(c, [a, b, cc]);
  });

  it('a SYNC at tick 2^53 − 2 is refused; the peers keep running and emit() never throws', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    const before = c.now();
    const ticksBefore = [a.tick, cc.tick];
    for (const to of ['a', 'c']) m.send(to, { type: 'sync', time: before, tick: 2 ** 53 - 2 });
    c.run(before + 1000);
    let thrown: unknown;
    try {
      a.emit(RectangleKeys.left);
      cc.emit(RectangleKeys.right);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeUndefined();
    expect(a.tick - ticksBefore[0]!).toBeLessThan(60);
    expect(cc.tick - ticksBefore[1]!).toBeLessThan(60);
    for (const p of [a, cc]) expect(p.stats().errors.CLOCK_LIE ?? 0).toBe(0);
    expect(c.errors.filter((e) => isPeerError(e, 'PROTOCOL')).length).toBeGreaterThanOrEqual(2);
    expect(m.linked('a')).toBe(false);
    honestTraffic(c, [a, b, cc], 4, c.now() + 3000);
    c.run(c.now() + 3000);
    expectConverged(c, [a, b, cc]);
  });
});
