import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type HeldEvents,
  HeldFew,
  heldGet,
  heldHas,
  heldMax,
  heldSize,
  heldValues,
  heldWith,
  heldWithout,
  noneHeld,
  SMALL_HELD,
} from '../src/held-events.js';

interface Ev {
  readonly seq: number;
  readonly tag: number;
}

/** The held forms read an event object's seq from its field. */
const K = { seqOf: (e: Ev): number => e.seq };

type Op = { add: number } | { drop: number } | { dropHeld: number };

/**
 * The plain model: a map by seq, and the order the events come in, which is by seq unless the
 * events once outgrew the array form (then the order of a map: the events by seq at that
 * moment, then in insertion order) until all are dropped.
 */
class Model {
  readonly bySeq = new Map<number, Ev>();
  order: number[] = [];
  mapped = false;

  add(e: Ev): void {
    this.bySeq.set(e.seq, e);
    if (!this.mapped && this.order.length === SMALL_HELD) this.mapped = true;
    this.order.push(e.seq);
    if (!this.mapped) this.order.sort((a, b) => a - b);
  }

  drop(seq: number): void {
    if (!this.bySeq.delete(seq)) return;
    this.order = this.order.filter((s) => s !== seq);
    if (this.order.length === 0) this.mapped = false;
  }
}

/** Runs `ops` (seqs 1..range) on the structure and the model, comparing all after each. */
function run(range: number, ops: readonly Op[]): void {
  let held: HeldEvents<Ev> = noneHeld();
  const model = new Model();
  let tag = 0;
  for (const o of ops) {
    if ('add' in o) {
      if (model.bySeq.has(o.add)) continue;
      const e = { seq: o.add, tag: tag++ };
      held = heldWith(held, e, K);
      model.add(e);
    } else {
      const seq = 'drop' in o ? o.drop : (model.order[o.dropHeld % Math.max(1, model.order.length)] ?? 1);
      const before = held;
      held = heldWithout(held, seq, K);
      if (!model.bySeq.has(seq)) expect(held).toBe(before);
      model.drop(seq);
    }
    const n = model.bySeq.size;
    expect(heldSize(held)).toBe(n);
    expect(heldMax(held, K)).toBe(Math.max(0, ...model.bySeq.keys()));
    // Every event in the model's order (by seq, or a map's).
    expect([...heldValues(held)]).toEqual(model.order.map((s) => model.bySeq.get(s)));
    for (let s = 0; s <= range + 1; s++) {
      expect(heldGet(held, s, K)).toBe(model.bySeq.get(s));
      expect(heldHas(held, s, K)).toBe(model.bySeq.has(s));
    }
    // The form follows from the count (while no map was needed).
    if (n === 0) expect(held).toBe(noneHeld<Ev>());
    else if (model.mapped) expect(held).toBeInstanceOf(Map);
    else if (n === 1) expect(held).toBe(model.bySeq.get(model.order[0]!));
    else if (n <= 4) {
      expect(held).toBeInstanceOf(HeldFew);
      expect(Object.keys(held as object)).toHaveLength(n);
    } else {
      expect(Array.isArray(held)).toBe(true);
      expect((held as readonly Ev[]).length).toBe(n);
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

  it('go through every small form and position, up and down', () => {
    // Six events added in any order (one to five held on the way), then dropped in any order.
    fc.assert(
      fc.property(
        fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 6 }),
        fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 6 }),
        (adds, drops) => run(6, [...adds.map((add) => ({ add })), ...drops.map((drop) => ({ drop }))]),
      ),
      { numRuns: 400 },
    );
  });

  it('keep one event as itself, two to four in fields, more in an array, none in one shared empty array', () => {
    let held = heldWith(heldWith(noneHeld<Ev>(), { seq: 2, tag: 0 }, K), { seq: 1, tag: 1 }, K);
    expect(held).toBeInstanceOf(HeldFew);
    expect([...heldValues(held)]).toEqual([
      { seq: 1, tag: 1 },
      { seq: 2, tag: 0 },
    ]);
    held = heldWithout(heldWithout(held, 1, K), 2, K);
    expect(held).toBe(noneHeld<Ev>());
    // One event is held as itself; dropping a seq not held leaves it as it is.
    const e = { seq: 5, tag: 2 };
    const one = heldWith(noneHeld<Ev>(), e, K);
    expect(one).toBe(e);
    expect(heldWithout(one, 4, K)).toBe(one);
    expect([...heldValues(one)]).toEqual([e]);
    // Two dropping to one: the remaining event itself.
    expect(heldWithout(heldWith(one, { seq: 7, tag: 3 }, K), 7, K)).toBe(e);
    // Five events in an array of five; four again in fields.
    let five: HeldEvents<Ev> = noneHeld();
    for (const s of [3, 1, 5, 2, 4]) five = heldWith(five, { seq: s, tag: s }, K);
    expect(Array.isArray(five) && five.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(heldWithout(five, 3, K)).toBeInstanceOf(HeldFew);
  });

  it('turn into a map beyond SMALL_HELD events and back to the empty array once emptied', () => {
    let held: HeldEvents<Ev> = noneHeld();
    for (let s = 1; s <= SMALL_HELD + 1; s++) held = heldWith(held, { seq: s, tag: s }, K);
    expect(held).toBeInstanceOf(Map);
    for (let s = 1; s <= SMALL_HELD + 1; s++) held = heldWithout(held, s, K);
    expect(held).toBe(noneHeld<Ev>());
  });
});
