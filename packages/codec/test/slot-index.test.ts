import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLACK, SlotIndex, SPARSE_FACTOR } from '../src/slot-index.js';

type Op = { kind: 'set'; key: number; slot: number } | { kind: 'delete'; key: number };

/** Keys from a few ranges: dense small numbers, far ones that make the array sparse. */
const key = fc.oneof(
  { weight: 4, arbitrary: fc.nat(40) },
  { weight: 3, arbitrary: fc.nat(300) },
  { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 40_000 }) },
);
/** Slots, now and then past what two bytes hold. */
const slot = fc.oneof(
  { weight: 8, arbitrary: fc.nat(1_000) },
  { weight: 1, arbitrary: fc.nat(70_000) },
  { weight: 1, arbitrary: fc.constantFrom(65_533, 65_534, 65_535, 65_536) },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), key, slot }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
);

/** Apply `ops` to an index and to a Map (a set of a held key replaces it: delete, then add). */
function check(ops: readonly Op[]): void {
  const index = new SlotIndex();
  const model = new Map<number, number>();
  const asked = new Set<number>([0, 1, 63, 64, 65_535]);
  for (const o of ops) {
    asked.add(o.key);
    if (model.has(o.key)) {
      index.delete(o.key);
      model.delete(o.key);
    }
    if (o.kind === 'set') {
      index.add(o.key, o.slot);
      model.set(o.key, o.slot);
    }
    expect(index.size).toBe(model.size);
    expect(index.get(o.key)).toBe(model.get(o.key) ?? -1);
  }
  for (const k of asked) expect(index.get(k)).toBe(model.get(k) ?? -1);
}

describe('SlotIndex (process id numbers to registry slots)', () => {
  it('answers as a Map does, in both forms and across the changes between them', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 600, size: 'max' }), check), { numRuns: 300 });
  });

  it('answers as a Map does over long runs of dense keys with wide slots', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: fc.constant('set' as const), key: fc.nat(3_000), slot }), {
          maxLength: 2_000,
          size: 'max',
        }),
        check,
      ),
      { numRuns: 20 },
    );
  });

  it('answers as a Map does when a sparse index fills up densely (hashed, then direct)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5_000, max: 8_000 }),
        fc.array(fc.record({ kind: fc.constant('set' as const), key: fc.nat(5_000), slot }), {
          minLength: 1_500,
          maxLength: 3_000,
        }),
        (far, dense) => check([{ kind: 'set', key: far, slot: 1 }, ...dense]),
      ),
      { numRuns: 20 },
    );
  });

  it('is an array of 2 bytes a number while the keys held are dense', () => {
    const index = new SlotIndex();
    for (let k = 0; k < 2_000; k++) index.add(k, k);
    expect(index.isDirect).toBe(true);
    expect(index.bytes).toBeLessThanOrEqual(2 * 3_000);
    for (let k = 0; k < 2_000; k++) expect(index.get(k)).toBe(k);
    expect(index.get(2_000)).toBe(-1);
  });

  it('turns hashed for a few keys among many numbers, and direct again once they are dense', () => {
    const index = new SlotIndex();
    index.add(50_000, 7);
    expect(index.isDirect).toBe(false);
    expect(index.bytes).toBeLessThan(1_024);
    expect(index.get(50_000)).toBe(7);
    expect(index.get(49_999)).toBe(-1);
    // Keys below it until the array would cost less than half the table.
    for (let k = 0; k < 40_000; k++) index.add(k, k + 1);
    expect(index.isDirect).toBe(true);
    expect(index.get(50_000)).toBe(7);
    expect(index.get(39_999)).toBe(40_000);
    expect(index.bytes).toBeLessThanOrEqual(2 * (SPARSE_FACTOR * index.size + SLACK));
  });

  it('turns direct again with 4 bytes a number when a held slot needs them', () => {
    const index = new SlotIndex();
    index.add(5_000, 65_535);
    expect(index.isDirect).toBe(false);
    for (let k = 0; k < 3_000; k++) index.add(k, k);
    expect(index.isDirect).toBe(true);
    expect(index.get(5_000)).toBe(65_535);
    expect(index.get(2_999)).toBe(2_999);
  });

  it('widens its array to 4 bytes a number for a slot above 65,534', () => {
    const index = new SlotIndex();
    index.add(3, 5);
    const narrow = index.bytes;
    index.add(4, 65_535);
    expect(index.isDirect).toBe(true);
    expect(index.bytes).toBe(2 * narrow);
    expect(index.get(3)).toBe(5);
    expect(index.get(4)).toBe(65_535);
  });
});
