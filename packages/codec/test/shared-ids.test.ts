import { describe, expect, it } from 'vitest';
import { IdRegistry } from '../src/id-registry.js';
import { sharedIdCount } from '../src/shared-ids.js';

describe('process-wide ids', () => {
  it('are counted once per id however many registries hold it, and dropped with the last holder', () => {
    const base = sharedIdCount();
    const a = new IdRegistry();
    const b = new IdRegistry();
    // Two strings of the same id, decoded apart.
    const id = ['shared', 'id'].join('-');
    const again = `shared-${'id'}`;
    const sa = a.acquire(id);
    const sb = b.acquire(again);
    a.acquire(id);
    b.acquire('only-b');
    expect(sharedIdCount()).toBe(base + 2);
    expect(a.id(sa)).toBe('shared-id');
    expect(b.id(sb)).toBe('shared-id');
    a.release(sa);
    a.release(sa);
    expect(a.slotOf('shared-id')).toBe(-1);
    expect(sharedIdCount()).toBe(base + 2);
    b.release(sb);
    expect(sharedIdCount()).toBe(base + 1);
    b.release(b.slotOf('only-b'));
    expect(sharedIdCount()).toBe(base);
  });
});
