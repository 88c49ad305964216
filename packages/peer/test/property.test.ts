import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';

const scenario = fc.integer({ min: 2, max: 6 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    // A random spanning tree (parent of i is one of 0..i-1) plus a few extra edges.
    parents: fc.tuple(...Array.from({ length: n - 1 }, (_, i) => fc.integer({ min: 0, max: i }))),
    extra: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), {
      maxLength: 4,
    }),
    latency: fc.array(fc.integer({ min: 1, max: 120 }), { minLength: n * n, maxLength: n * n }),
    starts: fc.array(fc.integer({ min: 0, max: 2500 }), { minLength: n, maxLength: n }),
    delay: fc.constantFrom(0, 40, 150, 400),
    history: fc.constantFrom<'full' | { horizonTicks: number }>('full', { horizonTicks: 400 }),
    events: fc.array(
      fc.record({
        peer: fc.integer({ min: 0, max: n - 1 }),
        at: fc.integer({ min: 0, max: 7000 }),
        key: fc.integer({ min: 0, max: 4 }),
      }),
      { maxLength: 25 },
    ),
  }),
);

describe('property: random topologies, latencies and event schedules', () => {
  it('converge to one state hash with every event everywhere', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const names = Array.from({ length: s.n }, (_, i) => `p${i}`);
        const edges = new Set<string>();
        s.parents.forEach((p, i) => {
          edges.add(`${Math.min(p, i + 1)}-${Math.max(p, i + 1)}`);
        });
        for (const [a, b] of s.extra) if (a !== b) edges.add(`${Math.min(a, b)}-${Math.max(a, b)}`);
        const net = loopback(10);
        for (let i = 0; i < s.n; i++) {
          for (let j = i + 1; j < s.n; j++) {
            net.setLatency(names[i]!, names[j]!, {
              dist: 'normal',
              meanMs: s.latency[i * s.n + j]!,
              sdMs: s.latency[i * s.n + j]! / 5,
            });
          }
        }
        const c = await cluster(net, { delay: s.delay, history: s.history });
        const order = names.map((_, i) => i).sort((a, b) => s.starts[a]! - s.starts[b]! || a - b);
        const started = new Set<number>();
        const events = [...s.events].sort((a, b) => a.at - b.at);
        let emitted = 0;
        let e = 0;
        let o = 0;
        const until = 12_000;
        const step = async (t: number): Promise<void> => {
          while (o < order.length && s.starts[order[o]!]! <= t) {
            const i = order[o++]!;
            const dial = [...started]
              .filter((j) => edges.has(`${Math.min(i, j)}-${Math.max(i, j)}`))
              .map((j) => names[j]!);
            await c.add(names[i]!, {}, dial);
            started.add(i);
          }
          while (e < events.length && events[e]!.at <= t) {
            const ev = events[e++]!;
            const peer = c.peers.get(names[ev.peer]!);
            if (peer === undefined) continue;
            peer.emit(ev.key as 0 | 1 | 2 | 3 | 4);
            emitted++;
          }
        };
        for (let t = 0; t <= until; t += 100) {
          await step(t);
          c.run(t + 100);
        }
        const counts = [...c.peers.values()].map((p) => p.stats().events);
        expect(counts.every((x) => x === counts[0])).toBe(true);
        // Every emitted event is known everywhere (none lost; a too-old refusal still counts as known).
        expect(counts[0]).toBe(emitted);
        expect(distinct(c.hashes())).toHaveLength(1);
        for (const p of c.peers.values()) expect(p.status).toBe('live');
        expect(c.errors).toEqual([]);
      }),
      { numRuns: 60, seed: 20240611 },
    );
  });
});
