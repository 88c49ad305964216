/**
 * A clock is established on the room's time only. Peers that restarted together and hear only
 * each other (none of them part of the room's timeline: they wait for an established neighbour)
 * agree on a young time of their own; when one of them meets the room, that time must give way.
 */
import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';

describe('a clock is established only once its peer is part of the room', () => {
  it('fresh peers that agreed among themselves take the room’s time when they meet it, far ahead as it is', async () => {
    const net = loopback(20);
    const c = await cluster(net, { delay: 100 });
    await c.add('a');
    await c.add('b', {}, ['a']);
    c.run(40_000); // the room is 40 s (2,000 ticks) old
    // Two restarted peers that wait for an established neighbour, linked to each other only, for
    // longer than a clock takes to establish (20 s).
    const wait = { aloneGraceMs: 3_600_000 };
    const x = await c.add('x', wait);
    const y = await c.add('y', wait, ['x']);
    c.run(70_000);
    expect(x.status).toBe('syncing');
    expect(y.status).toBe('syncing');
    // x meets the room: 40 s ahead of the pair's clocks, beyond the 30 s lie threshold.
    x.dial('b');
    c.run(80_000);
    expect(c.errors.filter((e) => e.code === 'CLOCK_LIE')).toEqual([]);
    expect([...c.peers.values()].map((p) => p.status)).toEqual(['live', 'live', 'live', 'live']);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(Math.abs(x.tick - c.peers.get('a')!.tick)).toBeLessThanOrEqual(5);
  });
});
