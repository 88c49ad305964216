import { type App, RectangleKeys, type RectangleState, rectangleApp } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { cluster, loopback } from './helpers/harness.js';
import { honestTraffic, roomWithAttacker } from './helpers/honest-room.js';

/** `hash` with its last hex digit changed: a well-formed report of a state nobody has. */
function wrong(hash: string): string {
  return hash.slice(0, -1) + (hash.endsWith('0') ? '1' : '0');
}

describe('a neighbour lying about state hashes (authenticated room, loopback, virtual time)', () => {
  it('one liar next to two honest neighbours raises no desync; the liar is outvoted, counted and cut', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker({ hashIntervalMs: 500, desyncConfirmMs: 2000 });
    const honest = [a, b, cc];
    // m answers every hash report it hears with the same ticks and wrong hashes.
    m.onFrame = (frame, from) => {
      if (frame.type === 'hash')
        m.send(from, {
          type: 'hash',
          reports: frame.reports.map((r) => ({ tick: r.tick, hash: wrong(r.hash) })),
        });
    };
    const desyncs: unknown[] = [];
    for (const p of honest) p.on('desync', (d) => desyncs.push(d));
    honestTraffic(c, honest, 10, c.now() + 20_000);
    c.run(c.now() + 10_000);
    expect(desyncs).toEqual([]);
    for (const p of honest) expect(p.stats().desyncs).toBe(0);
    expect(a.stats().hashReportsOutvoted).toBeGreaterThan(0);
    expect(cc.stats().hashReportsOutvoted).toBeGreaterThan(0);
    expect(b.stats().hashReportsOutvoted).toBe(0);
    expect(a.stats().errors.PROTOCOL).toBeGreaterThanOrEqual(1);
    expect(m.linked('a')).toBe(false);
    expect(m.linked('c')).toBe(false);
  });

  it('a replica that really diverges, between two neighbours that agree, still reports the desync', async () => {
    const c = await cluster<RectangleState, number>(loopback(10), {
      delay: 100,
      history: 'full',
      settleTicks: 50,
      hashIntervalMs: 200,
      desyncConfirmMs: 1000,
    });
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    // c moves twice as far on "right": a non-deterministic replica linked to both a and b.
    const broken: App<RectangleState, number> = {
      ...rectangleApp,
      event(s, key, ctx) {
        rectangleApp.event(s, key as 0, ctx);
        if (key === RectangleKeys.right) s.x += 1;
      },
    };
    const cc = await c.add('c', { app: broken }, ['a', 'b']);
    const desyncs: { peers: readonly string[] }[] = [];
    cc.on('desync', (d) => desyncs.push({ peers: d.peers }));
    c.run(2000);
    a.emit(RectangleKeys.right);
    c.run(6000);
    // Both of c's neighbours corroborate each other's hash against c's: c reports it.
    expect(cc.stats().desyncs).toBeGreaterThan(0);
    expect(desyncs.map((d) => d.peers[0])).toContain('c');
    // a and b agree with each other: c's reports are outvoted there, not raised as their desync.
    expect(a.stats().desyncs + b.stats().desyncs).toBe(0);
    expect(a.stats().hashReportsOutvoted).toBeGreaterThan(0);
  });
});
