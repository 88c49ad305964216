/**
 * The lower bound's search settles vertices in the order of a binary heap; the straightforward
 * search scans every vertex for the earliest unsettled one. On random networks (churn with and
 * without restart, cuts, syncing time, adoptions, drawn per-frame delays with ties), both give
 * the same late ticks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Frontier,
  lateTicksOverJourneys,
  lateTicksWithFrontier,
  perfectClockLateTicks,
} from '../src/journeys.js';
import type { EmittedEvent, LowerBoundNetwork, SnapshotAdoption } from '../src/metrics.js';
import type { Interval } from '../src/plan.js';
import { FrameLog, realizedLateTicks } from '../src/realized.js';

/** The O(V²) order: scan for the earliest unsettled vertex, the lowest index among equals. */
class ScanFrontier implements Frontier {
  #arrival: Float64Array = new Float64Array(0);
  #done: Uint8Array = new Uint8Array(0);
  reset(arrival: Float64Array, done: Uint8Array): void {
    this.#arrival = arrival;
    this.#done = done;
  }
  lowered(): void {}
  next(): number {
    let v = -1;
    let best = Number.POSITIVE_INFINITY;
    for (let x = 0; x < this.#arrival.length; x++) {
      if (this.#done[x] === 0 && this.#arrival[x]! < best) {
        best = this.#arrival[x]!;
        v = x;
      }
    }
    return v;
  }
}

/** Sorted, disjoint intervals from a list of cut points (pairs), the last one open-ended or not. */
const intervalsOf = (points: number[], openEnd: boolean): Interval[] => {
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  const out: Interval[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) out.push({ from: sorted[i]!, to: sorted[i + 1]! });
  if (openEnd) {
    const from = (sorted.at(-1) ?? 0) + 10;
    out.push({ from, to: Number.POSITIVE_INFINITY });
  }
  return out.length === 0 ? [{ from: 0, to: Number.POSITIVE_INFINITY }] : out;
};

const networkArb = fc
  .record({
    peers: fc.integer({ min: 2, max: 9 }),
    edgeBits: fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }),
    online: fc.array(
      fc.array(
        fc.integer({ min: 0, max: 60 }).map((x) => x * 20),
        { maxLength: 6 },
      ),
      {
        minLength: 9,
        maxLength: 9,
      },
    ),
    openEnd: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
    restart: fc.boolean(),
    cuts: fc.array(
      fc.record({
        from: fc.integer({ min: 0, max: 60 }),
        len: fc.integer({ min: 1, max: 30 }),
        edge: fc.nat(),
      }),
      { maxLength: 4 },
    ),
    syncing: fc.array(fc.record({ peer: fc.nat(), from: fc.nat({ max: 60 }), len: fc.nat({ max: 20 }) }), {
      maxLength: 3,
    }),
    adoptions: fc.array(fc.record({ peer: fc.nat(), at: fc.nat({ max: 60 }), seq: fc.nat({ max: 3 }) }), {
      maxLength: 3,
    }),
    // Frames: per link direction, sends every `every` × 10 ms with a delay from a small set (ties).
    every: fc.integer({ min: 1, max: 4 }),
    delays: fc.array(fc.constantFrom(20, 40, 40, 60, 100), { minLength: 8, maxLength: 8 }),
    events: fc.array(
      fc.record({ source: fc.nat(), at: fc.integer({ min: 0, max: 60 }).map((x) => x * 20) }),
      {
        minLength: 1,
        maxLength: 6,
      },
    ),
    delta: fc.constantFrom(0, 40, 100),
  })
  .map((r) => {
    const n = r.peers;
    const edges: [number, number][] = [];
    let bit = 0;
    for (let a = 0; a < n; a++)
      for (let b = a + 1; b < n; b++) if (r.edgeBits[bit++ % 36]) edges.push([a, b]);
    if (edges.length === 0) edges.push([0, 1]);
    const online = Array.from({ length: n }, (_, p) => intervalsOf(r.online[p]!, r.openEnd[p]!));
    const cuts = r.cuts.map((c) => ({
      fromMs: c.from * 20,
      toMs: (c.from + c.len) * 20,
      edges: [edges[c.edge % edges.length]!],
    }));
    const syncing: Interval[][] = Array.from({ length: n }, () => []);
    for (const s of r.syncing) syncing[s.peer % n]!.push({ from: s.from * 20, to: (s.from + s.len) * 20 });
    for (const list of syncing) list.sort((a, b) => a.from - b.from);
    const adoptions: SnapshotAdoption[][] = Array.from({ length: n }, () => []);
    for (const a of r.adoptions)
      adoptions[a.peer % n]!.push({ atMs: a.at * 20, frontier: new Map([[`s${a.seq % n}`, a.seq]]) });
    const net: Omit<LowerBoundNetwork, 'linkMs'> = {
      peers: n,
      edges,
      online,
      restart: r.restart,
      cuts,
      syncing,
      adoptions,
    };
    const log = new FrameLog(n);
    edges.forEach(([a, b], i) => {
      for (const [from, to, k] of [
        [a, b, 0],
        [b, a, 1],
      ] as const) {
        let lastDue = Number.NEGATIVE_INFINITY;
        for (let t = 0, j = 0; t <= 1400; t += r.every * 10, j++) {
          const delayMs = r.delays[(i + j + k) % r.delays.length]!;
          const dueMs = Math.max(t + delayMs, lastDue);
          lastDue = dueMs;
          log.record({ from, to, link: `${from}-${to}`, sentMs: t, delayMs, dueMs });
        }
      }
    });
    const events: EmittedEvent[] = r.events.map((e, i) => ({
      source: e.source % n,
      atMs: e.at,
      id: { source: `s${e.source % n}`, seq: i + 1 },
    }));
    return { net, log, events, delta: r.delta };
  });

describe('lower bound search', () => {
  it('the heap order gives the late ticks of the scan order on random networks', () => {
    fc.assert(
      fc.property(networkArb, ({ net, log, events, delta }) => {
        const opts = { deltaMs: delta, fps: 50, fromMs: 100 };
        const realized = (_e: number, from: number, to: number, d: number) => log.arrival(from, to, d);
        const mean = (_e: number, _f: number, _t: number, d: number) => d + 40;
        for (const hop of [realized, mean]) {
          expect(lateTicksOverJourneys(net, hop, events, opts)).toBe(
            lateTicksWithFrontier(net, hop, events, opts, new ScanFrontier()),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the mean-latency figure’s breadth-first levels give the late ticks of the scan order', () => {
    // Half the networks settle (every peer online for good from early on, no cuts): there the
    // breadth-first levels answer the events sent after the last start.
    const settledArb = fc.tuple(
      networkArb,
      fc.boolean(),
      fc.array(fc.nat({ max: 3 }), { minLength: 9, maxLength: 9 }),
      fc.constantFrom(0, 0.1, 20, 33.3, 40, 50),
    );
    fc.assert(
      fc.property(settledArb, ([{ net, events, delta }, settled, starts, linkMs]) => {
        const online = net.online!.map((ivs, p) =>
          settled ? [{ from: starts[p]! * 20, to: Number.POSITIVE_INFINITY }] : ivs,
        );
        const shaped = { ...net, online, cuts: settled ? [] : (net.cuts ?? []) };
        const opts = { deltaMs: delta, fps: 50, fromMs: 100 };
        const hop = (_e: number, _f: number, _t: number, d: number) => d + linkMs;
        expect(perfectClockLateTicks({ ...shaped, linkMs }, events, opts)).toBe(
          lateTicksWithFrontier(shaped, hop, events, opts, new ScanFrontier()),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('the realized bound over links that all drew one latency (some carrying nothing late) gives the late ticks of the scan order', () => {
    // Settled networks whose every frame drew the same latency: the realized bound searches
    // breadth-first the events whose hops all go before the earliest last send of a direction,
    // and the others in full; both must give what the scan order over the log gives.
    const uniformArb = fc.tuple(
      networkArb,
      fc.array(fc.nat({ max: 3 }), { minLength: 9, maxLength: 9 }),
      fc.constantFrom(20, 33.3, 40, 50),
      fc.array(
        fc.integer({ min: 40, max: 140 }).map((x) => x * 10),
        { minLength: 72, maxLength: 72 },
      ),
    );
    let breadthFirst = 0;
    fc.assert(
      fc.property(uniformArb, ([{ net, events, delta }, starts, linkMs, lastSends]) => {
        const online = net.online!.map((_ivs, p) => [
          { from: starts[p]! * 20, to: Number.POSITIVE_INFINITY },
        ]);
        const shaped = { ...net, online, cuts: [] };
        const log = new FrameLog(net.peers);
        let until = Number.POSITIVE_INFINITY;
        net.edges.forEach(([a, b], i) => {
          for (const [from, to, k] of [
            [a, b, 0],
            [b, a, 1],
          ] as const) {
            const last = lastSends[(2 * i + k) % lastSends.length]!;
            until = Math.min(until, last);
            for (let t = 0; t <= last; t += 10)
              log.record({ from, to, link: `${from}-${to}`, sentMs: t, delayMs: linkMs, dueMs: t + linkMs });
          }
        });
        const opts = { deltaMs: delta, fps: 50, fromMs: 100 };
        const hop = (_e: number, from: number, to: number, d: number) => log.arrival(from, to, d);
        expect(realizedLateTicks(shaped, log, events, opts)).toBe(
          lateTicksWithFrontier(shaped, hop, events, opts, new ScanFrontier()),
        );
        const lastStart = Math.max(...online.slice(0, net.peers).map((ivs) => ivs[0]!.from));
        if (net.edges.length > 0 && events.some((e) => e.atMs > lastStart && e.atMs + 8 * linkMs < until))
          breadthFirst++;
      }),
      { numRuns: 300 },
    );
    // (Not vacuous: many runs had events the breadth-first levels answer.)
    expect(breadthFirst).toBeGreaterThan(50);
  });

  it('finds late receipts on a random network (the property is not vacuous)', () => {
    const samples = fc.sample(networkArb, { numRuns: 200, seed: 7 });
    const positive = samples.filter(
      ({ net, log, events }) =>
        lateTicksOverJourneys(net, (_e, f, t, d) => log.arrival(f, t, d), events, { deltaMs: 0, fps: 50 }) >
        0,
    );
    expect(positive.length).toBeGreaterThan(50);
  });
});
