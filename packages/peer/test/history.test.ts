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

  it('keeps the last 10 s of snapshots and one a second before them by default, every one with thinning off', async () => {
    const net = loopback(10);
    const c = await cluster(net);
    const a = await c.add('a');
    const b = await c.add('b', { snapshotThinning: false }, ['a']);
    const t = await c.add('t', { snapshotThinning: { afterTicks: 100, every: 250 } }, ['a']);
    c.run(1000);
    a.emit(RectangleKeys.up);
    c.run(120_000);
    const tick = a.tick;
    expect(b.tick).toBe(tick);
    // 50 fps, a snapshot every 10 ticks: about 600 in 2 minutes (a few more or less with the join).
    expect(b.stats().snapshotsHeld).toBeGreaterThan(590);
    const recent = 10 * 50;
    // The last 10 s of snapshots (51) and one per 50-tick window before them (all but the base's).
    expect(a.stats().snapshotsHeld).toBeGreaterThanOrEqual(51 + Math.floor((tick - recent) / 50) - 2);
    expect(a.stats().snapshotsHeld).toBeLessThanOrEqual(51 + Math.floor((tick - recent) / 50) + 2);
    expect(t.stats().snapshotsHeld).toBeLessThanOrEqual(11 + Math.ceil(tick / 250) + 2);
    // The same states whatever is kept.
    expect(distinct(c.hashes())).toHaveLength(1);
    await expect(c.add('x', { snapshotThinning: { every: 0 } })).rejects.toThrowError(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringMatching(/snapshotThinning.every/),
      }),
    );
    // Beyond the horizon, the base could wait that long for a kept snapshot.
    await expect(
      c.add('z', { history: { horizonTicks: 1000 }, snapshotThinning: { every: 1001 } }),
    ).rejects.toThrowError(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringMatching(/snapshotThinning.every/),
      }),
    );
    await expect(c.add('y', { snapshotThinning: 'yes' as never })).rejects.toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
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

describe('snapshot joins', () => {
  it('a room founder holding only its own events serves a newcomer at once (neither asks the other blindly)', async () => {
    const net = loopback(20);
    const c = await cluster(net, { history: { horizonTicks: 200 }, aloneGraceMs: 300 });
    const a = await c.add('a');
    c.run(1000);
    a.emit(RectangleKeys.up);
    a.emit(RectangleKeys.left);
    c.run(3000);
    const j = await c.add('j', {}, ['a']);
    c.run(3400);
    expect(j.stats().snapshotsAdopted).toBe(1);
    expect(a.stats().snapshotsServed).toBe(1);
    expect(a.stats().snapshotsAdopted).toBe(0);
    expect(j.stats().resyncs).toBe(0);
    c.run(5000);
    expect(j.status).toBe('live');
    expect(j.stats().events).toBe(2);
    expect(distinct(c.hashes())).toHaveLength(1);
  });

  it('a joiner flooded with events before any neighbour vouches still joins from a snapshot, not from tick 0', async () => {
    const net = loopback(20);
    const c = await cluster(net, { history: { horizonTicks: 100 }, aloneGraceMs: 300 });
    const a = await c.add('a');
    c.run(60_000);
    // j1 joins a; j2 hangs off j1 only. While j1 is still joining (not vouching), a's new
    // events are flooded on to j2.
    const j1 = await c.add('j1', {}, ['a']);
    const j2 = await c.add('j2', {}, ['j1']);
    for (let k = 0; k < 20; k++) {
      a.emit((k % 5) as 0 | 1 | 2 | 3 | 4);
      c.run(60_000 + (k + 1) * 40);
    }
    c.run(64_000);
    expect(j1.stats().snapshotsAdopted).toBe(1);
    expect(j2.stats().snapshotsAdopted).toBe(1);
    // The session is 3,000 ticks old: a joiner re-simulates about a horizon, not the session.
    const s = j2.stats();
    expect(s.ticksSimulated + s.ticksResimulated).toBeLessThan(1000);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(20);
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});

describe('fresh peers and the future limit', () => {
  it('a joiner takes events of a session older than maxFutureTicks, relayed by another joiner', async () => {
    const net = loopback(20);
    const c = await cluster(net, { history: { horizonTicks: 100 }, aloneGraceMs: 300, maxFutureTicks: 1000 });
    const a = await c.add('a');
    c.run(60_000); // 3,000 ticks: three times maxFutureTicks
    const j1 = await c.add('j1', {}, ['a']);
    const j2 = await c.add('j2', {}, ['j1']);
    for (let k = 0; k < 10; k++) {
      a.emit((k % 5) as 0 | 1 | 2 | 3 | 4);
      c.run(60_000 + (k + 1) * 40);
    }
    c.run(64_000);
    expect(c.errors.filter((e) => e.code === 'OUT_OF_RANGE')).toEqual([]);
    expect(j2.neighbours().map((n) => n.peerId)).toEqual(['j1']);
    expect(j2.stats().snapshotsAdopted).toBe(1);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(10);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(j1.status).toBe('live');
  });
});
