import type { Clock } from '@symmetric/clock-sync';
import { msgpackPayloadCodec, type SnapshotChunkFrame } from '@symmetric/codec';
import type { RectangleState } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot } from '../src/snapshot-blob.js';
import { Attacker } from './helpers/attacker.js';
import { cluster, loopback } from './helpers/harness.js';
import { expectConverged, honestTraffic, type Peer, roomWithAttacker } from './helpers/honest-room.js';

const stateCodec = msgpackPayloadCodec as never;

/** The peer's clock (its counters). */
function clockOf(p: Peer): Clock {
  return (p as unknown as { ctx: { clock: Clock } }).ctx.clock;
}

describe('a joiner’s clock and a neighbour lying about time (authenticated room, loopback, virtual time)', () => {
  it('a neighbour that answers a joiner first with a SYNC 90,000 ticks ahead sets nothing; its link is cut as CLOCK_LIE', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    // The liar answers every new link at once with the room's time plus 90,000 ticks, and keeps
    // saying so every 250 ms.
    let nextLie = 0;
    m.onFrame = (frame, from) => {
      if (frame.type === 'hello' && from === 'j')
        m.send('j', { type: 'sync', time: c.now(), tick: a.tick + 90_000 });
    };
    const lie = (t: number): void => {
      if (t < nextLie || !m.linked('j')) return;
      nextLie = t + 250;
      m.send('j', { type: 'sync', time: t, tick: a.tick + 90_000 });
    };
    const j = (await c.add('j', {}, [])) as Peer;
    j.dial('m');
    j.dial('a');
    j.dial('c');
    c.run(c.now() + 5000, lie);

    expect(j.stats().errors.CLOCK_LIE ?? 0).toBeGreaterThanOrEqual(1);
    expect(m.linked('j')).toBe(false);
    expect(Math.abs(j.tick - a.tick)).toBeLessThanOrEqual(5);
    honestTraffic(c, [a, b, cc, j], 4, c.now() + 4000);
    c.run(c.now() + 3000);
    expect(Math.abs(j.tick - a.tick)).toBeLessThanOrEqual(5);
    expectConverged(c, [a, b, cc, j]);
  });
});

describe('a liar that keeps time, then is a peer’s only link (authenticated room, loopback, virtual time)', () => {
  it('its SYNC 90,000 ticks ahead does not set the clock: no signed event of another origin shows that time', async () => {
    const c = await cluster(loopback(10), { trusted: false, delay: 300 });
    const a = (await c.add('a')) as Peer;
    const b = (await c.add('b', {}, ['a'])) as Peer;
    const m = await new Attacker(c.net.transport('m') as never, 'm').start();
    m.dial('a');
    // The liar keeps a's time every 250 ms, like an honest neighbour, past a's establishment.
    let lead = 0;
    let next = 0;
    const speak = (t: number): void => {
      if (t < next || !m.linked('a')) return;
      next = t + 250;
      m.send('a', { type: 'sync', time: t, tick: a.tick + lead });
    };
    c.run(25_000, speak);
    honestTraffic(c, [a, b], 3, c.now() + 3000);
    // b leaves: the liar is a's only link.
    await c.remove('b');
    c.run(c.now() + 1000, speak);
    expect(m.linked('a')).toBe(true);
    const before = a.tick;
    lead = 90_000;
    c.run(c.now() + 3000, speak);
    // 3 s at 50 ticks/s, plus at most the budget (50 ticks) and steering: not 90,000.
    expect(a.tick - before).toBeLessThan(150 + 50 + 10);
    expect(clockOf(a).stats.uncorroborated).toBeGreaterThan(0);
  });
});

describe('a joiner asked a liar for its snapshot (authenticated room, loopback, virtual time)', () => {
  it('a snapshot stamped 90,000 ticks ahead, once the honest neighbours gave the room’s time, is refused and its sender cut', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    honestTraffic(c, [a, b, cc], 3, c.now() + 3000);
    // The real snapshot of a, re-stamped 90,000 ticks ahead (its frontier holds: it is a's base's).
    const chunks: SnapshotChunkFrame[] = [];
    m.onFrame = (frame, from) => {
      if (from === 'a' && frame.type === 'snapshot') chunks.push(frame);
    };
    m.send('a', { type: 'snapshot-request' });
    c.run(c.now() + 200);
    const real = decodeSnapshot<RectangleState>(chunks[0]!.data, stateCodec);
    const forged = encodeSnapshot({ ...real, tick: real.tick + 90_000 }, stateCodec);
    // The liar vouches at once (so the joiner asks it first), sends no SYNC, and answers late.
    let asked = false;
    m.onFrame = (frame, from) => {
      if (from !== 'j') return;
      if (frame.type === 'auth')
        m.send('j', { type: 'frontier', entries: [a, b, cc].map((p) => ({ source: p.source, seq: 1 })) });
      if (frame.type === 'snapshot-request') asked = true;
    };
    const j = (await c.add('j')) as Peer;
    j.dial('m');
    c.run(c.now() + 60);
    expect(asked).toBe(true);
    j.dial('a');
    j.dial('c');
    c.run(c.now() + 500);
    m.send('j', { type: 'snapshot', tick: real.tick + 90_000, index: 0, count: 1, data: forged });
    c.run(c.now() + 3000);
    expect(j.stats().errors.SNAPSHOT).toBe(1);
    expect(m.linked('j')).toBe(false);
    expect(Math.abs(j.tick - a.tick)).toBeLessThanOrEqual(5);
    honestTraffic(c, [a, b, cc, j], 3, c.now() + 3000);
    c.run(c.now() + 3000);
    expectConverged(c, [a, b, cc, j]);
  });
});
