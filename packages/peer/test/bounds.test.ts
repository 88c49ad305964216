import { describe, expect, it } from 'vitest';
import { PresenceTable } from '../src/presence.js';

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
