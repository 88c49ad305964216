import { describe, expect, it } from 'vitest';
import { PresenceTable } from '../src/presence.js';
import { cluster, loopback } from './helpers/harness.js';

describe('memory bounded by time, not by the session', () => {
  it('presence: departed sources leave nothing behind two TTLs after their last update', () => {
    const ttl = 1000;
    const table = new PresenceTable(2 * ttl);
    for (let i = 0; i < 100; i++) {
      const at = i * 10;
      expect(table.apply(`p${i}~1`, 1, ['here', 0], 2, at + ttl, at)).toBe(true);
      expect(table.apply(`p${i}~1`, 2, null, 2, at + ttl, at + 5)).toBe(true); // left: null
    }
    // A late copy of an old update is still dropped while its source is remembered.
    expect(table.apply('p99~1', 1, ['here', 0], 2, 2000 + ttl, 2000)).toBe(false);
    expect(table.remembered).toBe(100);
    table.expire(2 * ttl + 1000);
    expect(table.remembered).toBe(0);
    expect(table.entries.size).toBe(0);
    // A live source stays, however long ago its first update was.
    table.apply('live~1', 1, ['x', 0], 2, 1_000_000, 10_000);
    table.apply('live~1', 2, ['y', 0], 2, 1_000_000, 30_000);
    table.expire(31_000);
    expect(table.remembered).toBe(1);
  });
});

/** The per-link and per-report tables of a peer (runtime fields, read for the bound only). */
function tables(peer: unknown): {
  links: number;
  frontiers: number;
  hashes: number;
  syncs: number;
  own: number;
} {
  const p = peer as {
    links: { all(): Iterable<unknown> };
    repair: { frontiers: Map<string, unknown> };
    desync: { remote: Map<string, unknown>; ownHashes: Map<number, string> };
    sync: { received: Map<string, number> };
  };
  return {
    links: [...p.links.all()].length,
    frontiers: p.repair.frontiers.size,
    hashes: p.desync.remote.size,
    syncs: p.sync.received.size,
    own: p.desync.ownHashes.size,
  };
}

describe('per-link tables', () => {
  it('30 neighbours that came and went leave no per-link state; own hash reports stay capped', async () => {
    const net = loopback(10);
    const c = await cluster(net, { hashIntervalMs: 500, settleTicks: 50 });
    const hub = await c.add('hub');
    c.run(500);
    let t = 500;
    for (let i = 0; i < 30; i++) {
      await c.add(`n${i}`, {}, ['hub']);
      t += 2000;
      c.run(t);
      await c.remove(`n${i}`);
    }
    t += 1000;
    c.run(t);
    const after = tables(hub);
    expect(after.links).toBe(0);
    expect(after).toEqual({ links: 0, frontiers: 0, hashes: 0, syncs: 0, own: after.own });
    expect(after.own).toBeLessThanOrEqual(512);
    expect(hub.stats().hashReportsSent).toBeGreaterThan(0);
  });
});
