import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexTable } from '../src/index-table.js';

type Op = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number };

const op = (keys: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.nat(keys), value: fc.nat(1_000) }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.nat(keys) }) },
  );

/** Apply `ops` to a table and to a Map (a set of a held key replaces it: delete, then add). */
function check(table: IndexTable, ops: readonly Op[], keys: number): void {
  const model = new Map<number, number>();
  for (const o of ops) {
    if (model.has(o.key)) {
      table.delete(o.key);
      model.delete(o.key);
    }
    if (o.kind === 'set') {
      table.add(o.key, o.value);
      model.set(o.key, o.value);
    }
    expect(table.size).toBe(model.size);
  }
  for (let k = 0; k <= keys; k++) expect(table.get(k)).toBe(model.get(k) ?? -1);
}

describe('IndexTable (integer keys to integer values)', () => {
  it('answers as a Map does, through growth and removals', () => {
    fc.assert(
      fc.property(fc.array(op(200), { maxLength: 400, size: 'max' }), (ops) =>
        check(new IndexTable(), ops, 200),
      ),
      { numRuns: 200 },
    );
  });

  it('answers as a Map does when keys collide (homes from a poor hash: long probe runs that wrap)', () => {
    const hashes: ((key: number, shift: number) => number)[] = [
      () => 0,
      (key) => key % 3,
      (key) => key * 7,
      (_key, shift) => (1 << (32 - shift)) - 1,
    ];
    for (const hash of hashes)
      fc.assert(
        fc.property(fc.array(op(40), { maxLength: 200, size: 'max' }), (ops) =>
          check(new IndexTable(hash), ops, 40),
        ),
        { numRuns: 100 },
      );
  });

  it('grows to keep at most 70 % of its pairs full and gives them back once below an eighth', () => {
    const table = new IndexTable();
    for (let k = 0; k < 1_000; k++) table.add(k, k * 2);
    expect(table.pairs).toBe(2_048);
    for (let k = 0; k < 997; k++) table.delete(k);
    expect(table.size).toBe(3);
    expect(table.pairs).toBe(16);
    for (let k = 997; k < 1_000; k++) expect(table.get(k)).toBe(k * 2);
  });
});
