import { describe, expect, it } from 'vitest';
import { retainedBy } from '../src/heap-retained.js';

/** A heap snapshot of `nodes` ([name, self size]) with `edges` ([from, to, type]), node 0 the root. */
function snapshot(nodes: [string, number][], edges: [number, number, 'property' | 'weak'][]) {
  const strings = [...new Set(nodes.map(([name]) => name)), 'e'];
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  nodes.forEach(([name, self], i) => {
    const out = edges.filter(([from]) => from === i);
    flatNodes.push(0, strings.indexOf(name), i + 1, self, out.length);
    for (const [, to, type] of out) flatEdges.push(type === 'weak' ? 1 : 0, strings.indexOf('e'), to * 5);
  });
  return {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [['object']] as [string[]],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [['property', 'weak']] as [string[]],
      },
    },
    nodes: flatNodes,
    edges: flatEdges,
    strings,
  };
}

/** root, Peer(10), Table(100), Other(5): the graphs below differ only in their edges. */
const PEER_TABLE_OTHER: [string, number][] = [
  ['root', 0],
  ['Peer', 10],
  ['Table', 100],
  ['Other', 5],
];

describe('retainedBy: what objects of a constructor keep alive (dominator tree)', () => {
  it('counts what only they reach, not what something else also reaches', () => {
    // root -> Peer(10) -> Table(100); root -> Other(5); Other -> Table only in the second heap.
    const alone = snapshot(PEER_TABLE_OTHER, [
      [0, 1, 'property'],
      [1, 2, 'property'],
      [0, 3, 'property'],
    ]);
    expect(retainedBy(alone, new Set(['Peer'])).get('Peer')).toEqual({ count: 1, bytes: 110 });
    const shared = snapshot(PEER_TABLE_OTHER, [
      [0, 1, 'property'],
      [1, 2, 'property'],
      [0, 3, 'property'],
      [3, 2, 'property'],
    ]);
    expect(retainedBy(shared, new Set(['Peer'])).get('Peer')).toEqual({ count: 1, bytes: 10 });
    // A weak reference keeps nothing alive.
    const weak = snapshot(PEER_TABLE_OTHER, [
      [0, 1, 'property'],
      [1, 2, 'property'],
      [0, 3, 'property'],
      [3, 2, 'weak'],
    ]);
    expect(retainedBy(weak, new Set(['Peer'])).get('Peer')).toEqual({ count: 1, bytes: 110 });
  });

  it('counts an object inside another listed one only once, in the outer one', () => {
    const nested = snapshot(
      [
        ['root', 0],
        ['Peer', 10],
        ['Peer', 20],
        ['Table', 100],
      ],
      [
        [0, 1, 'property'],
        [1, 2, 'property'],
        [2, 3, 'property'],
      ],
    );
    expect(retainedBy(nested, new Set(['Peer'])).get('Peer')).toEqual({ count: 1, bytes: 130 });
  });
});
