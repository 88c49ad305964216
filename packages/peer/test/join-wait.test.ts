import { RectangleKeys } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { inspectJoin } from '../src/inspect.js';
import { cluster, distinct, loopback } from './helpers/harness.js';

describe('a joiner that loses every neighbour before its snapshot', () => {
  it('waits for the next neighbour that speaks for the room and joins from its snapshot, not from tick 0', async () => {
    const net = loopback(20);
    const c = await cluster(net, { history: { horizonTicks: 500 }, aloneGraceMs: 300 });
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    c.run(1000);
    a.emit(RectangleKeys.up);
    b.emit(RectangleKeys.left);
    // The room is 60 s (3,000 ticks) old, six horizons: a join costs about a horizon.
    c.run(60_000);
    expect(a.stats().baseTick).toBeGreaterThan(0);
    const j = await c.add('j', {}, ['a']);
    let cutAt = Number.NaN;
    c.run(61_000, (t) => {
      if (Number.isNaN(cutAt) && inspectJoin(j).transferring) {
        cutAt = t;
        net.cut('a', 'j');
      }
    });
    expect(cutAt).toBeGreaterThan(60_000);
    // Alone for longer than the snapshot timeout: still waiting, nothing simulated.
    c.run(70_000);
    expect(j.neighbours()).toEqual([]);
    expect(j.stats().snapshotsAdopted).toBe(0);
    expect(j.stats().ticksSimulated).toBe(0);
    expect(j.status).not.toBe('live');
    j.dial('b');
    c.run(75_000);
    expect(j.status).toBe('live');
    expect(j.stats().snapshotsAdopted).toBe(1);
    // From b's snapshot (at most a horizon and a compaction period back) to the room's tick.
    expect(j.stats().ticksSimulated + j.stats().ticksResimulated).toBeLessThan(1_000);
    expect(j.stats().events).toBe(a.stats().events);
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});
