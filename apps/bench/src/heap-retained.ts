/**
 * What the objects of chosen constructors keep alive, from a V8 heap snapshot: their retained
 * size (the bytes freed if they went: their subtree in the dominator tree). The long churn run
 * uses it to tell the peers' memory (everything only `PeerRuntime` objects hold) from the
 * simulator's own records (per event, per adoption, per sample), which the process heap sums.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

/** The parts of a `.heapsnapshot` file read here. */
interface HeapSnapshotJson {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
      readonly edge_fields: readonly string[];
      readonly edge_types: readonly [readonly string[], ...unknown[]];
    };
  };
  readonly nodes: readonly number[];
  readonly edges: readonly number[];
  readonly strings: readonly string[];
}

/** Count and summed retained bytes of the objects of one constructor. */
export interface Retained {
  readonly count: number;
  readonly bytes: number;
}

/**
 * Per constructor name in `names`, how many objects of it the snapshot holds and the bytes they
 * retain (an object dominated by another of the listed ones is counted inside that one only).
 */
export function retainedBy(json: HeapSnapshotJson, names: ReadonlySet<string>): Map<string, Retained> {
  const meta = json.snapshot.meta;
  const NF = meta.node_fields.length;
  const EF = meta.edge_fields.length;
  const nType = meta.node_fields.indexOf('type');
  const nName = meta.node_fields.indexOf('name');
  const nSelf = meta.node_fields.indexOf('self_size');
  const nEdges = meta.node_fields.indexOf('edge_count');
  const eType = meta.edge_fields.indexOf('type');
  const eTo = meta.edge_fields.indexOf('to_node');
  const objectType = meta.node_types[0].indexOf('object');
  const weak = meta.edge_types[0].indexOf('weak');
  const shortcut = meta.edge_types[0].indexOf('shortcut');
  const { nodes, edges, strings } = json;
  const n = nodes.length / NF;
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i++) {
    firstEdge[i] = e;
    e += nodes[i * NF + nEdges]! * EF;
    firstEdge[i + 1] = e;
  }
  const strong = (e: number): boolean => edges[e + eType] !== weak && edges[e + eType] !== shortcut;
  // Post-order of the nodes reachable from the root (node 0) over strong edges.
  const order = new Int32Array(n).fill(-1);
  const post: number[] = [];
  const stack = [0];
  const next = [firstEdge[0]!];
  order[0] = -2;
  while (stack.length > 0) {
    const v = stack[stack.length - 1]!;
    let e = next[next.length - 1]!;
    let descended = false;
    while (e < firstEdge[v + 1]!) {
      const to = edges[e + eTo]! / NF;
      const isStrong = strong(e);
      e += EF;
      if (isStrong && order[to] === -1) {
        order[to] = -2;
        next[next.length - 1] = e;
        stack.push(to);
        next.push(firstEdge[to]!);
        descended = true;
        break;
      }
    }
    if (!descended) {
      stack.pop();
      next.pop();
      order[v] = post.length;
      post.push(v);
    }
  }
  // Predecessors, then immediate dominators (Cooper, Harvey and Kennedy's iteration).
  const predStart = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++)
    if (order[v]! >= 0)
      for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += EF)
        if (strong(e)) predStart[edges[e + eTo]! / NF + 1]!++;
  for (let v = 0; v < n; v++) predStart[v + 1]! += predStart[v]!;
  const preds = new Uint32Array(predStart[n]!);
  const fill = predStart.slice(0, n);
  for (let v = 0; v < n; v++)
    if (order[v]! >= 0)
      for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += EF)
        if (strong(e)) preds[fill[edges[e + eTo]! / NF]!++] = v;
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = post.length - 2; k >= 0; k--) {
      const v = post[k]!;
      let d = -1;
      for (let p = predStart[v]!; p < predStart[v + 1]!; p++) {
        const u = preds[p]!;
        if (idom[u] !== -1) d = d === -1 ? u : intersect(u, d);
      }
      if (d !== -1 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(n);
  for (const v of post) {
    retained[v]! += nodes[v * NF + nSelf]!;
    if (v !== 0) retained[idom[v]!]! += retained[v]!;
  }
  const listed = (v: number): string | undefined => {
    if (nodes[v * NF + nType] !== objectType) return undefined;
    const name = strings[nodes[v * NF + nName]!]!;
    return names.has(name) ? name : undefined;
  };
  const out = new Map<string, Retained>();
  for (let v = 1; v < n; v++) {
    const name = order[v]! >= 0 ? listed(v) : undefined;
    if (name === undefined) continue;
    let inside = false;
    for (let u = idom[v]!; u !== 0 && !inside; u = idom[u]!) inside = listed(u) !== undefined;
    if (inside) continue;
    const r = out.get(name) ?? { count: 0, bytes: 0 };
    out.set(name, { count: r.count + 1, bytes: r.bytes + retained[v]! });
  }
  return out;
}

/** Write a heap snapshot of this process, measure it with {@link retainedBy}, delete it. */
export function measureRetained(names: ReadonlySet<string>): Map<string, Retained> {
  const file = join(tmpdir(), `symmetric-retained-${process.pid}-${Date.now()}.heapsnapshot`);
  writeHeapSnapshot(file);
  try {
    return retainedBy(JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshotJson, names);
  } finally {
    rmSync(file, { force: true });
  }
}
