import { RectangleKeys } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { expectConverged, honestTraffic, roomWithAttacker } from './helpers/honest-room.js';

describe('quotas: a neighbour cannot exhaust a peer (authenticated room, loopback, virtual time)', () => {
  it('a presence beacon stamped at tick 0 does not drive automatic Δ to its ceiling', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker({ delay: 'auto' });
    const before = [a.delayTicks, cc.delayTicks];
    for (const to of ['a', 'c'])
      m.send(to, { type: 'presence', source: m.source, seq: 1, hops: 4, data: [null, 0, 0] });
    c.run(c.now() + 3000);
    // 50 ticks/s: the 5 s ceiling is 250 ticks; the honest Δ is a few ticks.
    for (const [i, p] of [a, cc].entries()) {
      expect(p.delayTicks).toBeLessThan(25);
      expect(p.delayTicks).toBeLessThanOrEqual(before[i]! + 5);
    }
    honestTraffic(c, [a, b, cc], 4, c.now() + 3000);
    c.run(c.now() + 3000);
    expectConverged(c, [a, b, cc]);
  });

  it('a flood of events beyond the per-link rate closes that link only (QUOTA); the room converges', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    const ev = m.sign({ source: m.source, seq: 1, tick: a.tick + 20, payload: RectangleKeys.up });
    const batch = Array.from({ length: 250 }, () => ev);
    for (let i = 0; i < 100; i++) m.send('a', { type: 'events', events: batch });
    c.run(c.now() + 500);
    expect(a.stats().errors.QUOTA).toBe(1);
    expect(a.stats().quotaViolations).toBeGreaterThanOrEqual(1);
    expect(m.linked('a')).toBe(false);
    expect(a.neighbours().map((n) => n.peerId)).toEqual([b.id]);
    honestTraffic(c, [a, b, cc], 4, c.now() + 3000);
    c.run(c.now() + 3000);
    expectConverged(c, [a, b, cc]);
  });

  it('one link introducing more new sources than newSourcesPerLink is closed (QUOTA)', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker({ quotas: { newSourcesPerLink: 8 } });
    const events = Array.from({ length: 10 }, (_, i) =>
      m.sign({
        source: `${m.identity.peerId}~${i + 2}`,
        seq: 1,
        tick: a.tick + 20,
        payload: RectangleKeys.up,
      }),
    );
    m.send('a', { type: 'events', events });
    c.run(c.now() + 500);
    expect(a.stats().errors.QUOTA).toBe(1);
    expect(m.linked('a')).toBe(false);
    expect(a.stats().events).toBeLessThan(a.stats().eventsEmitted + 200);
    honestTraffic(c, [a, b, cc], 4, c.now() + 3000);
    c.run(c.now() + 3000);
    expectConverged(c, [a, b, cc]);
  });

  it('links beyond maxPendingLinks that never speak are closed at once; honest links stay', async () => {
    const { c, a, b, cc } = await roomWithAttacker({ quotas: { maxPendingLinks: 4 } });
    const closed: string[] = [];
    for (let i = 0; i < 10; i++) {
      const t = c.net.transport(`silent${i}`);
      await t.start({
        onLink: () => {},
        onFrame: () => {},
        onClose: (link) => closed.push(link.remoteAddress),
        onError: () => {},
      });
      void t.dial('a').catch(() => {});
    }
    c.run(c.now() + 200);
    expect(closed.length).toBeGreaterThanOrEqual(5);
    expect(a.stats().errors.QUOTA).toBeGreaterThanOrEqual(5);
    expect(a.neighbours().map((n) => n.peerId)).toContain(b.id);
    honestTraffic(c, [a, b, cc], 4, c.now() + 3000);
    c.run(c.now() + 3000);
    expectConverged(c, [a, b, cc]);
  });
});

describe('idle links', () => {
  it('a neighbour that completes its handshake and then never speaks is closed after idleTimeoutMs; honest links stay', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    // m has said nothing since its handshake (25 s ago); honest neighbours SYNC every 250 ms.
    c.run(c.now() + 10_000);
    expect(m.linked('a')).toBe(false);
    expect(m.linked('c')).toBe(false);
    expect(a.stats().errors.QUOTA).toBe(1);
    expect(a.neighbours().map((n) => n.peerId)).toEqual([b.id]);
    expect(cc.neighbours().map((n) => n.peerId)).toEqual([b.id]);
  });
});
