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
      { maxLength: 25, size: 'max' },
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

const churnScenario = fc.integer({ min: 3, max: 6 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    parents: fc.tuple(...Array.from({ length: n - 1 }, (_, i) => fc.integer({ min: 0, max: i }))),
    extra: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), {
      maxLength: 3,
    }),
    latency: fc.integer({ min: 5, max: 80 }),
    history: fc.constantFrom<'full' | { horizonTicks: number }>('full', { horizonTicks: 1500 }),
    // Link cuts [edge index, from, duration] and restarts [peer, at, down for].
    cuts: fc.array(
      fc.tuple(fc.nat(), fc.integer({ min: 1000, max: 9000 }), fc.integer({ min: 200, max: 4000 })),
      {
        maxLength: 4,
      },
    ),
    restarts: fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: n - 1 }),
        fc.integer({ min: 1000, max: 9000 }),
        fc.integer({ min: 100, max: 3000 }),
      ),
      { maxLength: 3 },
    ),
    events: fc.array(
      fc.record({
        peer: fc.integer({ min: 0, max: n - 1 }),
        at: fc.integer({ min: 500, max: 11_000 }),
        key: fc.integer({ min: 0, max: 4 }),
      }),
      { maxLength: 20, size: 'max' },
    ),
  }),
);

describe('property: cuts, heals and restarts from nothing', () => {
  it('converge once everything is back', async () => {
    await fc.assert(
      fc.asyncProperty(churnScenario, async (s) => {
        const names = Array.from({ length: s.n }, (_, i) => `p${i}`);
        const edgeSet = new Set<string>();
        s.parents.forEach((p, i) => {
          edgeSet.add(`${Math.min(p, i + 1)}-${Math.max(p, i + 1)}`);
        });
        for (const [a, b] of s.extra) if (a !== b) edgeSet.add(`${Math.min(a, b)}-${Math.max(a, b)}`);
        const edges = [...edgeSet].map((e) => e.split('-').map(Number) as [number, number]);
        const net = loopback(s.latency, s.latency / 5, 3);
        const c = await cluster(net, { delay: 200, history: s.history, redial: { minMs: 100, maxMs: 400 } });
        // Each edge is kept up by its lower end (dial + redial), like the simulator does.
        const dialsOf = (i: number) => edges.filter(([a]) => a === i).map(([, b]) => names[b]!);
        for (let i = 0; i < s.n; i++) await c.add(names[i]!, { dial: dialsOf(i) });
        type Act = { at: number; run: () => Promise<void> | void };
        const acts: Act[] = [];
        for (const [e, from, len] of s.cuts) {
          const [a, b] = edges[e % edges.length]!;
          acts.push({ at: from, run: () => net.cut(names[a]!, names[b]!) });
          acts.push({ at: from + len, run: () => net.heal(names[a]!, names[b]!) });
        }
        const down = new Set<number>();
        for (const [p, at, len] of s.restarts) {
          acts.push({
            at,
            run: async () => {
              if (down.has(p)) return;
              down.add(p);
              await c.remove(names[p]!);
            },
          });
          acts.push({
            at: at + len,
            run: async () => {
              if (!down.has(p)) return;
              down.delete(p);
              // Back from nothing with the same id; it waits up to 5 s for an established neighbour.
              await c.add(names[p]!, { dial: dialsOf(p), aloneGraceMs: 5000 });
            },
          });
        }
        for (const ev of s.events) {
          acts.push({
            at: ev.at,
            run: () => {
              const peer = c.peers.get(names[ev.peer]!);
              if (peer?.status === 'live') peer.emit(ev.key as 0 | 1 | 2 | 3 | 4);
            },
          });
        }
        acts.sort((x, y) => x.at - y.at);
        let k = 0;
        for (let t = 0; t <= 20_000; t += 100) {
          while (k < acts.length && acts[k]!.at <= t) await acts[k++]!.run();
          c.run(t + 100);
        }
        const counts = [...c.peers.values()].map((p) => p.stats().events);
        expect(new Set(counts).size).toBe(1);
        expect(distinct(c.hashes())).toHaveLength(1);
        for (const p of c.peers.values()) expect(p.status).toBe('live');
        expect(c.errors.filter((e) => e.code !== 'DIAL_FAILED' && e.code !== 'TRANSPORT')).toEqual([]);
      }),
      {
        numRuns: 40,
        seed: 4242,
        // Regression: the hub restarts while a freshly restarted leaf waits for its snapshot.
        examples: [
          [
            {
              n: 5,
              parents: [0, 0, 0, 0],
              extra: [],
              latency: 21,
              history: { horizonTicks: 1500 },
              cuts: [],
              restarts: [
                [0, 4901, 100],
                [1, 4301, 300],
              ],
              events: [{ peer: 0, at: 500, key: 0 }],
            },
          ],
        ],
      },
    );
  });
});
