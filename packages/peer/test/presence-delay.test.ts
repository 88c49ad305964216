import { RectangleKeys } from '@symmetric/core';
import type { PresenceInfo } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';

describe('ephemeral presence channel', () => {
  it('floods presence with hop limit and dedup, never enters the timeline, null when gone', async () => {
    const net = loopback(10);
    const c = await cluster(net, { presence: { hops: 1, heartbeatMs: 1000, ttlMs: 3000 } });
    const names = ['p0', 'p1', 'p2', 'p3'];
    for (let i = 0; i < names.length; i++) await c.add(names[i]!, {}, i > 0 ? [names[i - 1]!] : []);
    c.run(1500);
    const seen = new Map<string, PresenceInfo[]>();
    for (const [name, p] of c.peers) {
      seen.set(name, []);
      p.on('presence', (info) => seen.get(name)!.push(info));
    }
    const hashBefore = c.peers.get('p1')!.hash();
    const ticksBefore = c.peers.get('p1')!.tick;
    c.peers.get('p0')!.setPresence({ cursor: [3, 4] });
    c.run(1700);
    // hops 1: p1 (0 hops away) and p2 (1 relay) see it; p3 does not.
    expect(seen.get('p1')).toEqual([{ peerId: 'p0', data: { cursor: [3, 4] } }]);
    expect(seen.get('p2')).toEqual([{ peerId: 'p0', data: { cursor: [3, 4] } }]);
    expect(seen.get('p3')).toEqual([]);
    expect(c.peers.get('p2')!.presence().get('p0')).toEqual({ cursor: [3, 4] });
    // Never in the timeline: no events, the state only moved by ticking.
    expect(c.peers.get('p1')!.stats().events).toBe(0);
    expect(ticksBefore).toBeGreaterThan(0);
    expect(hashBefore).toBeTypeOf('string');
    // Heartbeats keep it alive without new 'presence' events (same data).
    c.run(6000);
    expect(seen.get('p1')).toHaveLength(1);
    expect(c.peers.get('p1')!.stats().presenceReceived).toBeGreaterThan(3);
    c.peers.get('p0')!.setPresence(null);
    c.run(6200);
    expect(seen.get('p1')!.at(-1)).toEqual({ peerId: 'p0', data: null });
    expect(c.peers.get('p1')!.presence().has('p0')).toBe(false);
  });

  it('expires a silent peer after the TTL', async () => {
    const net = loopback(10);
    const c = await cluster(net, { presence: { heartbeatMs: 1000, ttlMs: 2500 } });
    await c.add('a');
    await c.add('b', {}, ['a']);
    c.run(500);
    const got: PresenceInfo[] = [];
    c.peers.get('a')!.on('presence', (i) => got.push(i));
    c.peers.get('b')!.setPresence('here');
    c.run(1000);
    expect(got).toEqual([{ peerId: 'b', data: 'here' }]);
    net.cut('a', 'b');
    c.run(5000);
    expect(got.at(-1)).toEqual({ peerId: 'b', data: null });
  });
});

describe('presence across a restart', () => {
  it("a restarted peer's presence is seen at once and survives its previous life's expiry", async () => {
    const net = loopback(10);
    const c = await cluster(net, { presence: { heartbeatMs: 1000, ttlMs: 2500 } });
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    c.run(500);
    const got: PresenceInfo[] = [];
    a.on('presence', (i) => got.push(i));
    b.setPresence('first life');
    c.run(1000);
    expect(got).toEqual([{ peerId: 'b', data: 'first life' }]);
    // A crash (no goodbye), and a comeback from nothing: its update counter starts again at 1.
    net.cut('a', 'b');
    await c.remove('b');
    net.heal('a', 'b');
    const b2 = await c.add('b', {}, ['a']);
    b2.setPresence('second life');
    c.run(1500);
    expect(got.at(-1)).toEqual({ peerId: 'b', data: 'second life' });
    expect(a.presence().get('b')).toBe('second life');
    // The first life's entry expires: b is still there, nothing new to report.
    const reports = got.length;
    c.run(5000);
    expect(got).toHaveLength(reports);
    expect(a.presence().get('b')).toBe('second life');
  });
});

describe("Δ 'auto'", () => {
  it('follows the measured flooding delay to the farthest peer', async () => {
    const net = loopback(40);
    const c = await cluster(net, { delay: 'auto' });
    const names = ['p0', 'p1', 'p2', 'p3', 'p4'];
    for (let i = 0; i < names.length; i++) await c.add(names[i]!, {}, i > 0 ? [names[i - 1]!] : []);
    c.run(20_000);
    const d = names.map((n) => c.peers.get(n)!.delayTicks);
    // The ends are 4 hops × 40 ms = 8 ticks from the far end; the middle 2 hops = 4 ticks.
    expect(d[0]).toBeGreaterThanOrEqual(9);
    expect(d[0]).toBeLessThanOrEqual(16);
    expect(d[4]).toBeGreaterThanOrEqual(9);
    expect(d[2]).toBeGreaterThanOrEqual(5);
    expect(d[2]).toBeLessThan(d[0]!);
    // With auto Δ, events from the ends are on time everywhere.
    const before = [...c.peers.values()].map((p) => p.stats().lateEvents);
    for (let k = 0; k < 10; k++) {
      c.peers.get(names[k % 2 === 0 ? 0 : 4]!)!.emit(RectangleKeys.up);
      c.run(20_000 + (k + 1) * 300);
    }
    c.run(26_000);
    const late = [...c.peers.values()].map((p, i) => p.stats().lateEvents - before[i]!);
    expect(late.reduce((a, b) => a + b, 0)).toBe(0);
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});

describe("Δ 'auto' when groups meet late", () => {
  it('returns to the measured delay after a peer with a young clock links to an older group', async () => {
    const net = loopback(40);
    const c = await cluster(net, { delay: 'auto', aloneGraceMs: 200 });
    const a = await c.add('a');
    const reference = await c.add('r', {}, ['a']);
    c.run(30_000);
    // b starts alone and runs its own timeline on its own clock, 30 s behind a's.
    const b = await c.add('b');
    c.run(32_000);
    expect(b.status).toBe('live');
    b.dial('a');
    // From 20 s after the link on, every Δ is the measured one, not a young-clock stamp's.
    const worst = { a: 0, b: 0, r: 0 };
    c.run(82_000, (t) => {
      if (t < 52_000) return;
      worst.a = Math.max(worst.a, a.delayTicks);
      worst.b = Math.max(worst.b, b.delayTicks);
      worst.r = Math.max(worst.r, reference.delayTicks);
    });
    const normal = reference.delayTicks;
    expect(normal).toBeGreaterThan(1);
    expect(normal).toBeLessThan(20);
    expect(worst.r).toBeLessThanOrEqual(2 * normal);
    expect(worst.a).toBeLessThanOrEqual(2 * normal);
    expect(worst.b).toBeLessThanOrEqual(2 * normal);
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});
