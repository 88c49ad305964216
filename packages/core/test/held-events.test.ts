import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventColumns } from '../src/event-columns.js';
import {
  type HeldEvents,
  heldGet,
  heldHas,
  heldMax,
  heldSize,
  heldValues,
  heldWith,
  heldWithout,
  NO_EVENT,
  noneHeld,
  SMALL_HELD,
} from '../src/held-events.js';
import { SourceSlotMap } from '../src/source-slots.js';

/** Columns holding the events of one source `s` (their handles are what the forms hold). */
function columns(): { cols: EventColumns<number>; add: (seq: number) => number } {
  const registry = new SourceSlotMap();
  const slot = registry.acquire('s');
  const cols = new EventColumns<number>(registry);
  return { cols, add: (seq) => cols.add({ source: 's', seq, tick: seq, payload: seq }, slot) };
}

type Op = { add: number } | { drop: number } | { dropHeld: number };

/**
 * The plain model: a map from seq to handle, and whether the events once outgrew the chain
 * (then a map, until all are dropped).
 */
class Model {
  readonly bySeq = new Map<number, number>();
  mapped = false;

  add(seq: number, h: number): void {
    if (!this.mapped && this.bySeq.size === SMALL_HELD) this.mapped = true;
    this.bySeq.set(seq, h);
  }

  drop(seq: number): void {
    if (!this.bySeq.delete(seq)) return;
    if (this.bySeq.size === 0) this.mapped = false;
  }
}

/** Runs `ops` (seqs 1..range) on the structure and the model, comparing all after each. */
function run(range: number, ops: readonly Op[]): void {
  const { cols, add } = columns();
  let held: HeldEvents = noneHeld();
  const model = new Model();
  for (const o of ops) {
    if ('add' in o) {
      if (model.bySeq.has(o.add)) continue;
      const h = add(o.add);
      held = heldWith(held, h, cols);
      model.add(o.add, h);
    } else {
      const seqs = [...model.bySeq.keys()];
      const seq = 'drop' in o ? o.drop : (seqs[o.dropHeld % Math.max(1, seqs.length)] ?? 1);
      const before = held;
      held = heldWithout(held, seq, cols);
      if (!model.bySeq.has(seq)) expect(held).toBe(before);
      else cols.drop(model.bySeq.get(seq)!);
      model.drop(seq);
    }
    const n = model.bySeq.size;
    expect(heldSize(held, cols)).toBe(n);
    expect(heldMax(held, cols)).toBe(Math.max(0, ...model.bySeq.keys()));
    const values = [...heldValues(held, cols)];
    expect(new Set(values)).toEqual(new Set(model.bySeq.values()));
    expect(values).toHaveLength(n);
    for (let s = 0; s <= range + 1; s++) {
      expect(heldGet(held, s, cols)).toBe(model.bySeq.get(s));
      expect(heldHas(held, s, cols)).toBe(model.bySeq.has(s));
    }
    // The form follows from the count (while no map was needed): a chain by descending seq.
    if (n === 0) expect(held).toBe(NO_EVENT);
    else if (model.mapped) expect(held).toBeInstanceOf(Map);
    else {
      expect(typeof held).toBe('number');
      const bySeq = [...model.bySeq.entries()].sort((a, b) => b[0] - a[0]).map(([, h]) => h);
      expect(values).toEqual(bySeq);
    }
  }
}

/** Ops over seqs 1..range: adds, drops of any seq, drops of a held one. */
function opsOf(range: number): fc.Arbitrary<Op[]> {
  const seq = fc.integer({ min: 1, max: range });
  const op: fc.Arbitrary<Op> = fc.oneof(
    { arbitrary: fc.record({ add: seq }), weight: 4 },
    { arbitrary: fc.record({ drop: seq }), weight: 1 },
    { arbitrary: fc.record({ dropHeld: fc.nat(64) }), weight: 2 },
  );
  return fc.array(op, { maxLength: 200, size: 'max' });
}

describe('held events of one source', () => {
  it('hold, find and list what the model does, across every form, whatever the adds and drops', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 3 * SMALL_HELD })
          .chain((range) => fc.tuple(fc.constant(range), opsOf(range))),
        ([range, ops]) => run(range, ops),
      ),
      { numRuns: 120 },
    );
  });

  it('go through every chain position, up and down', () => {
    // Six events added in any order (one to five held on the way, each at every place of the chain), then dropped in any order.
    fc.assert(
      fc.property(
        fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 6 }),
        fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 6 }),
        (adds, drops) => run(6, [...adds.map((add) => ({ add })), ...drops.map((drop) => ({ drop }))]),
      ),
      { numRuns: 400 },
    );
  });

  it('keep one event as its handle, more as a chain from the highest seq, beyond SMALL_HELD a map, none as NO_EVENT', () => {
    const { cols, add } = columns();
    const two = add(2);
    let held = heldWith(noneHeld(), two, cols);
    expect(held).toBe(two);
    const one = add(1);
    held = heldWith(held, one, cols);
    expect(held).toBe(two);
    expect([...heldValues(held, cols)]).toEqual([two, one]);
    const three = add(3);
    held = heldWith(held, three, cols);
    expect(held).toBe(three);
    expect(heldWithout(held, 7, cols)).toBe(held);
    held = heldWithout(heldWithout(heldWithout(held, 2, cols), 3, cols), 1, cols);
    expect(held).toBe(NO_EVENT);
    let many: HeldEvents = noneHeld();
    for (let s = 1; s <= SMALL_HELD; s++) many = heldWith(many, add(100 + s), cols);
    expect(typeof many).toBe('number');
    many = heldWith(many, add(100), cols);
    expect(many).toBeInstanceOf(Map);
    for (let s = 100; s <= 100 + SMALL_HELD; s++) many = heldWithout(many, s, cols);
    expect(many).toBe(NO_EVENT);
  });
});
