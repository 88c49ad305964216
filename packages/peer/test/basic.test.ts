import { RectangleKeys } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';

describe('two peers', () => {
  it('handshake, go live and converge on the same state', async () => {
    const net = loopback(20);
    const c = await cluster(net);
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    c.run(1500); // a room's first peers wait aloneGraceMs (1 s) before they trust their own frontier
    expect(a.status).toBe('live');
    expect(b.status).toBe('live');
    expect(a.neighbours().map((n) => n.peerId)).toEqual(['b']);
    a.emit(RectangleKeys.left);
    c.run(2000);
    b.emit(RectangleKeys.up);
    c.run(3500);
    expect(a.stats().events).toBe(2);
    expect(b.stats().events).toBe(2);
    expect(a.state).toEqual(b.state);
    expect(a.hash()).toBe(b.hash());
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors).toEqual([]);
    expect(a.tick).toBeGreaterThan(100);
  });
});
