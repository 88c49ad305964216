import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';

/** A random d-regular graph on n vertices (pairing model, retried until simple), seeded. */
function randomRegular(n: number, d: number, seed: number): [number, number][] {
  let s = seed >>> 0;
  const rnd = (k: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % k;
  };
  for (;;) {
    const points: number[] = [];
    for (let v = 0; v < n; v++) for (let i = 0; i < d; i++) points.push(v);
    for (let i = points.length - 1; i > 0; i--) {
      const j = rnd(i + 1);
      [points[i], points[j]] = [points[j]!, points[i]!];
    }
    const edges = new Set<string>();
    let ok = true;
    for (let i = 0; i < points.length; i += 2) {
      const a = Math.min(points[i]!, points[i + 1]!);
      const b = Math.max(points[i]!, points[i + 1]!);
      if (a === b || edges.has(`${a}-${b}`)) {
        ok = false;
        break;
      }
      edges.add(`${a}-${b}`);
    }
    if (ok) return [...edges].map((e) => e.split('-').map(Number) as [number, number]);
  }
}

describe('scale', () => {
  it('200 peers on a random 4-regular graph converge, each event crossing each link at most twice', async () => {
    const n = 200;
    const edges = randomRegular(n, 4, 11);
    const net = loopback(50, 10, 5);
    const c = await cluster(net, { delay: 600 });
    const names = Array.from({ length: n }, (_, i) => `p${String(i).padStart(3, '0')}`);
    for (let i = 0; i < n; i++) {
      await c.add(
        names[i]!,
        {},
        edges.filter(([a, b]) => b === i && a < i).map(([a]) => names[a]!),
      );
    }
    c.run(3000);
    for (const p of c.peers.values()) expect(p.status).toBe('live');
    const before = [...c.peers.values()].reduce((a, p) => a + p.stats().eventsSent, 0);
    let s = 99;
    const events = 40;
    for (let k = 0; k < events; k++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      c.peers.get(names[s % n]!)!.emit((k % 5) as 0 | 1 | 2 | 3 | 4);
      c.run(3000 + (k + 1) * 250);
    }
    c.run(20_000);
    const sent = [...c.peers.values()].reduce((a, p) => a + p.stats().eventsSent, 0) - before;
    expect(sent).toBeGreaterThanOrEqual(events * (n - 1));
    expect(sent).toBeLessThanOrEqual(events * 2 * edges.length);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(events);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors).toEqual([]);
  });
});
