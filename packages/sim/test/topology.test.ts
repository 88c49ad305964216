import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../src/errors.js';
import { parseScenario } from '../src/scenario.js';
import {
  fullEdges,
  generateTopology,
  hopStats,
  isConnected,
  lineEdges,
  PAPER_21_EDGES,
  randomRegularEdges,
  ringEdges,
  scenarioEdges,
  shortestPathsMs,
  starEdges,
} from '../src/topology.js';

function degrees(n: number, edges: readonly (readonly [number, number])[]): number[] {
  const d = new Array<number>(n).fill(0);
  for (const [a, b] of edges) {
    d[a]!++;
    d[b]!++;
  }
  return d;
}

describe('topologies', () => {
  it('line, ring, star, full have the textbook shapes', () => {
    expect(lineEdges(4)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(ringEdges(4)).toHaveLength(4);
    expect(hopStats(5, ringEdges(5)).diameter).toBe(2);
    expect(degrees(6, starEdges(6, 2))).toEqual([1, 1, 5, 1, 1, 1]);
    expect(fullEdges(6)).toHaveLength(15);
    expect(hopStats(6, fullEdges(6))).toEqual({ averageHops: 1, diameter: 1 });
    expect(hopStats(4, lineEdges(4))).toEqual({ averageHops: 20 / 12, diameter: 3 });
  });

  it('paper-21 is the figure: 21 peers, 31 links, connected, 14 hops across', () => {
    expect(PAPER_21_EDGES).toHaveLength(31);
    expect(isConnected(21, PAPER_21_EDGES)).toBe(true);
    const { averageHops, diameter } = hopStats(21, PAPER_21_EDGES);
    expect(diameter).toBe(14);
    // The paper quotes "about 5 hops" on average.
    expect(averageHops).toBeGreaterThan(4.5);
    expect(averageHops).toBeLessThan(6);
    expect(generateTopology({ kind: 'paper-21' }, 21, 0)).toEqual(PAPER_21_EDGES);
  });

  it('random-regular graphs are simple, regular, connected and seeded', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 60 }), fc.integer({ min: 2, max: 6 }), fc.nat(), (n, d, seed) => {
        fc.pre(d < n && (n * d) % 2 === 0);
        const edges = randomRegularEdges(n, d, seed);
        expect(edges).toHaveLength((n * d) / 2);
        expect(degrees(n, edges).every((x) => x === d)).toBe(true);
        const keys = new Set(edges.map(([a, b]) => `${a}-${b}`));
        expect(keys.size).toBe(edges.length);
        expect(edges.every(([a, b]) => a < b)).toBe(true);
        expect(isConnected(n, edges)).toBe(true);
        expect(randomRegularEdges(n, d, seed)).toEqual(edges);
      }),
      { numRuns: 150 },
    );
    const a = randomRegularEdges(200, 4, 1);
    expect(a).toHaveLength(400);
    expect(randomRegularEdges(200, 4, 2)).not.toEqual(a);
  });

  it('shortest paths are hops × link latency', () => {
    const d = shortestPathsMs(4, lineEdges(4), 100);
    expect(Array.from(d.subarray(0, 4))).toEqual([0, 100, 200, 300]);
    const split = shortestPathsMs(3, [[0, 1]], 10);
    expect(split[0 * 3 + 2]).toBe(Number.POSITIVE_INFINITY);
  });

  it('scenario edges: explicit, generated, and refused when disconnected', () => {
    const common = {
      fps: 50,
      durationS: 10,
      latency: { dist: 'constant', ms: 5 },
      delay: { ms: 100 },
      events: { perMinute: 0 },
    };
    expect(scenarioEdges(parseScenario({ ...common, peers: 3, topology: { kind: 'line' } }))).toEqual(
      lineEdges(3),
    );
    const rr = parseScenario({ ...common, peers: 10, topology: { kind: 'random-regular', degree: 3 } });
    expect(scenarioEdges(rr, 5)).toEqual(randomRegularEdges(10, 3, 5));
    const pinned = parseScenario({
      ...common,
      peers: 10,
      topology: { kind: 'random-regular', degree: 3, seed: 9 },
    });
    expect(scenarioEdges(pinned, 5)).toEqual(randomRegularEdges(10, 3, 9));
    const split = parseScenario({
      ...common,
      peers: 4,
      edges: [
        [0, 1],
        [2, 3],
      ],
    });
    expect(() => scenarioEdges(split)).toThrow(ScenarioError);
    try {
      scenarioEdges(split);
    } catch (e) {
      expect((e as ScenarioError).field).toBe('edges');
      expect((e as ScenarioError).code).toBe('INCONSISTENT');
    }
  });
});
