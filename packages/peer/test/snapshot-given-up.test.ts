import { RectangleKeys } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { Attacker } from './helpers/attacker.js';
import { cluster, distinct, loopback } from './helpers/harness.js';

/**
 * A source whose seqs 2..199 never existed (its author signed #1 and #200 only): every honest
 * peer holds #1 and #200, gives the hole up and, once the horizon passes, compacts over it (its
 * snapshot's frontier lists #200). A joiner d takes a's snapshot (one neighbour: nothing to check
 * it against) and announces #200; b, asked in vain for 2..199, re-bases on d. b has compacted
 * over the hole itself: the snapshots of its honest neighbours are taken, not refused as
 * claims nobody vouches for (each refusal cuts that neighbour).
 */
describe('a snapshot whose frontier covers seqs compaction gave up', () => {
  const keys = [RectangleKeys.left, RectangleKeys.up, RectangleKeys.right, RectangleKeys.down];
  it('is taken by a peer that gave them up too: honest neighbours are not cut, the room converges', async () => {
    const net = loopback(10);
    const c = await cluster(net, { trusted: false, delay: 300, history: { horizonTicks: 250 } });
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    const cc = await c.add('c', {}, ['a', 'b']);
    c.run(1000);
    const m = await new Attacker(net.transport('m') as never, 'm').start();
    m.dial('a');
    c.run(2000);
    for (const seq of [1, 200])
      m.send('a', {
        type: 'events',
        events: [m.sign({ source: m.source, seq, tick: a.tick + 10, payload: 1 })],
      });
    for (let k = 0; k < 6; k++) {
      [a, b, cc][k % 3]!.emit(keys[k % 4]!);
      c.run(3000 + k * 500);
    }
    // Past the horizon (5 s) and a compaction: the hole is folded away everywhere (and m's
    // source not forgotten yet: that comes a horizon later).
    c.run(10_000);
    for (const p of [a, b, cc]) {
      const timeline = (p as unknown as { driver: { timeline: { frontier(): ReadonlyMap<string, number> } } })
        .driver.timeline;
      expect(timeline.frontier().get(m.source)).toBe(200);
    }
    const d = await c.add('d', {}, ['a']);
    c.run(12_000);
    expect(d.stats().snapshotsAdopted).toBe(1);
    b.dial('d');
    c.run(30_000);
    const honest = [a, b, cc, d];
    expect(c.errors.filter((e) => e.code === 'SNAPSHOT')).toEqual([]);
    expect(honest.map((p) => p.stats().snapshotsRefused)).toEqual([0, 0, 0, 0]);
    // b keeps its honest neighbours.
    expect(
      b
        .neighbours()
        .map((n) => n.peerId)
        .sort(),
    ).toEqual([a.id, cc.id, d.id].sort());
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});
