import { RectangleKeys } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';

describe('bounded history: snapshot retention and the horizon', () => {
  it('sizes the snapshot ring from the horizon, and refuses a ring that cannot reach back over it', async () => {
    const net = loopback(10);
    const c = await cluster(net);
    await expect(c.add('x', { history: { horizonTicks: 5000 }, maxSnapshots: 200 })).rejects.toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/maxSnapshots/) }),
    );
    // The default ring serves the default horizon (5 minutes at 50 fps).
    const a = await c.add('a');
    expect(a.status).not.toBe('stopped');
  });

  it('compacts behind the default horizon: the base tick advances and old events are folded', async () => {
    const net = loopback(10);
    const c = await cluster(net, { delay: 100, fps: 10 });
    const a = await c.add('a');
    await c.add('b', {}, ['a']);
    c.run(1000);
    for (let k = 0; k < 10; k++) {
      c.peers.get(k % 2 === 0 ? 'a' : 'b')!.emit((k % 5) as 0 | 1 | 2 | 3 | 4);
      c.run(1000 + (k + 1) * 1000);
    }
    // 400 s at 10 fps: the default horizon is 300 s (3,000 ticks).
    c.run(400_000);
    const st = a.stats();
    expect(st.baseTick).toBeGreaterThanOrEqual(4000 - 3000 - 20);
    expect(st.eventsHeld).toBe(0);
    expect(st.events).toBe(10);
    expect(distinct(c.hashes())).toHaveLength(1);
    a.emit(RectangleKeys.stop);
    c.run(402_000);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(11);
  });
});
