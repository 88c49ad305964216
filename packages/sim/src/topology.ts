/**
 * Topologies: generators (line, ring, star, full, random-regular, paper-21), connectivity and
 * shortest paths. A topology is a list of undirected edges between peer indices `0..n-1`.
 */

import { createStreamRandom, type SeededRandom } from '@symmetric/core';
import { ScenarioError } from './errors.js';
import type { Scenario, TopologySpec } from './scenario.js';

/** An undirected edge between two peer indices. */
export type Edge = readonly [number, number];

/**
 * The paper's evaluation topology (its Figure "topo"): a line 0-3, a single cycle 3..8, a line
 * 8-12, a fully connected cycle 12..17 and a line 17-20. Same edges as `scenarios/paper-21.json`.
 */
// biome-ignore format: keep the figure's grouping
export const PAPER_21_EDGES: readonly Edge[] = Object.freeze([
  [0, 1], [1, 2], [2, 3],
  [3, 4], [4, 6], [6, 8], [3, 5], [5, 7], [7, 8],
  [8, 9], [9, 10], [10, 11], [11, 12],
  [12, 13], [12, 14], [12, 15], [12, 16], [12, 17],
  [13, 14], [13, 15], [13, 16], [13, 17],
  [14, 15], [14, 16], [14, 17],
  [15, 16], [15, 17],
  [16, 17],
  [17, 18], [18, 19], [19, 20],
] as const) as readonly Edge[];

/** A line `0 - 1 - ... - n-1`. */
export function lineEdges(n: number): Edge[] {
  const out: Edge[] = [];
  for (let i = 0; i + 1 < n; i++) out.push([i, i + 1]);
  return out;
}

/** A cycle `0 - 1 - ... - n-1 - 0` (n >= 3). */
export function ringEdges(n: number): Edge[] {
  const out = lineEdges(n);
  if (n >= 3) out.push([n - 1, 0]);
  return out;
}

/** Every peer linked to `center` (default 0). */
export function starEdges(n: number, center = 0): Edge[] {
  const out: Edge[] = [];
  for (let i = 0; i < n; i++) if (i !== center) out.push([Math.min(i, center), Math.max(i, center)]);
  return out;
}

/** Every pair linked. */
export function fullEdges(n: number): Edge[] {
  const out: Edge[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j]);
  return out;
}

/**
 * A uniformly-ish random simple `degree`-regular graph on `n` vertices that is connected
 * (Steger–Wormald pairing with restarts; disconnected results are redrawn). Deterministic in
 * `seed`. Requires `degree < n` and `n × degree` even.
 */
export function randomRegularEdges(n: number, degree: number, seed: number): Edge[] {
  if (
    !Number.isInteger(n) ||
    !Number.isInteger(degree) ||
    degree < 1 ||
    degree >= n ||
    (n * degree) % 2 !== 0
  ) {
    throw new RangeError(`no simple ${degree}-regular graph on ${n} vertices`);
  }
  const rng = createStreamRandom(seed, 'random-regular');
  for (let attempt = 0; attempt < 1000; attempt++) {
    const edges = pairing(n, degree, rng);
    if (edges !== undefined && isConnected(n, edges)) {
      return edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    }
  }
  throw new RangeError(`could not draw a connected ${degree}-regular graph on ${n} vertices`);
}

function pairing(n: number, degree: number, rng: SeededRandom): Edge[] | undefined {
  const points: number[] = [];
  for (let v = 0; v < n; v++) for (let k = 0; k < degree; k++) points.push(v);
  const has = new Set<number>();
  const out: Edge[] = [];
  let failures = 0;
  while (points.length > 0) {
    const i = rng.int(points.length);
    let j = rng.int(points.length - 1);
    if (j >= i) j++;
    const u = points[i]!;
    const v = points[j]!;
    const key = u < v ? u * n + v : v * n + u;
    if (u !== v && !has.has(key)) {
      has.add(key);
      out.push(u < v ? [u, v] : [v, u]);
      // Remove both points (higher index first so the lower stays valid).
      const hi = Math.max(i, j);
      const lo = Math.min(i, j);
      points[hi] = points[points.length - 1]!;
      points.pop();
      points[lo] = points[points.length - 1]!;
      points.pop();
      failures = 0;
      continue;
    }
    if (++failures > 50 + 4 * points.length && !suitablePairExists(points, has, n)) return undefined;
  }
  return out;
}

function suitablePairExists(points: number[], has: Set<number>, n: number): boolean {
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const u = points[i]!;
      const v = points[j]!;
      if (u !== v && !has.has(u < v ? u * n + v : v * n + u)) return true;
    }
  }
  return false;
}

/** Edges of a generated topology. `seed` feeds `random-regular` when the spec has no own seed. */
export function generateTopology(spec: TopologySpec, n: number, seed: number): Edge[] {
  switch (spec.kind) {
    case 'line':
      return lineEdges(n);
    case 'ring':
      return ringEdges(n);
    case 'star':
      return starEdges(n, spec.center ?? 0);
    case 'full':
      return fullEdges(n);
    case 'random-regular':
      return randomRegularEdges(n, spec.degree, spec.seed ?? seed);
    case 'paper-21':
      if (n !== 21) throw new RangeError('the paper-21 topology has 21 peers');
      return PAPER_21_EDGES.map(([a, b]) => [a, b] as const);
  }
}

/**
 * The edges a scenario runs on (its `edges`, or its generated `topology` with the run seed),
 * checked to connect every peer. Throws {@link ScenarioError} `INCONSISTENT` otherwise: a
 * disconnected network can never converge (use `partitions` to isolate peers for a while).
 */
export function scenarioEdges(scenario: Scenario, seed: number = scenario.seed): Edge[] {
  let edges: Edge[];
  if (scenario.edges !== undefined) edges = scenario.edges.map(([a, b]) => [a, b] as const);
  else if (scenario.topology !== undefined) {
    try {
      edges = generateTopology(scenario.topology, scenario.peers, seed);
    } catch (cause) {
      throw new ScenarioError('INCONSISTENT', 'topology', (cause as Error).message, { cause });
    }
  } else throw new ScenarioError('MISSING_FIELD', 'topology', 'one of "edges" or "topology" is required');
  if (!isConnected(scenario.peers, edges)) {
    throw new ScenarioError(
      'INCONSISTENT',
      scenario.edges !== undefined ? 'edges' : 'topology',
      'the graph does not connect every peer (use "partitions" to isolate peers for a while)',
    );
  }
  return edges;
}

/** Neighbour lists, each sorted ascending. */
export function adjacency(n: number, edges: readonly Edge[]): number[][] {
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    adj[a]!.push(b);
    adj[b]!.push(a);
  }
  for (const list of adj) list.sort((x, y) => x - y);
  return adj;
}

/** `true` when every vertex is reachable from vertex 0 (`n <= 1` is connected). */
export function isConnected(n: number, edges: readonly Edge[]): boolean {
  if (n <= 1) return true;
  const adj = adjacency(n, edges);
  const seen = new Uint8Array(n);
  const stack = [0];
  seen[0] = 1;
  let count = 1;
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (const w of adj[v]!) {
      if (seen[w] === 0) {
        seen[w] = 1;
        count++;
        stack.push(w);
      }
    }
  }
  return count === n;
}

/** Hop distances from every vertex (BFS); `Infinity` when unreachable. Row-major `n × n`. */
export function hopDistances(n: number, edges: readonly Edge[]): Float64Array {
  const adj = adjacency(n, edges);
  const dist = new Float64Array(n * n).fill(Number.POSITIVE_INFINITY);
  const queue = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    let head = 0;
    let tail = 0;
    dist[s * n + s] = 0;
    queue[tail++] = s;
    while (head < tail) {
      const v = queue[head++]!;
      const d = dist[s * n + v]!;
      for (const w of adj[v]!) {
        if (dist[s * n + w] === Number.POSITIVE_INFINITY) {
          dist[s * n + w] = d + 1;
          queue[tail++] = w;
        }
      }
    }
  }
  return dist;
}

/** Average hop distance over ordered pairs of distinct vertices, and the diameter (connected graphs). */
export function hopStats(n: number, edges: readonly Edge[]): { averageHops: number; diameter: number } {
  const dist = hopDistances(n, edges);
  let sum = 0;
  let pairs = 0;
  let diameter = 0;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      const d = dist[a * n + b]!;
      sum += d;
      pairs++;
      if (d > diameter) diameter = d;
    }
  }
  return { averageHops: pairs === 0 ? 0 : sum / pairs, diameter };
}

/**
 * All-pairs fastest-path latencies with every edge weighing `edgeMs` (Dijkstra from every
 * source; with equal weights this is hops × `edgeMs`). Row-major `n × n`, `Infinity` when
 * unreachable.
 */
export function shortestPathsMs(n: number, edges: readonly Edge[], edgeMs: number): Float64Array {
  const dist = hopDistances(n, edges);
  for (let i = 0; i < dist.length; i++) {
    const hops = dist[i]!;
    dist[i] = hops === Number.POSITIVE_INFINITY ? hops : hops * edgeMs;
  }
  for (let i = 0; i < n; i++) dist[i * n + i] = 0;
  return dist;
}
