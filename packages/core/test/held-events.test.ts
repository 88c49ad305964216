import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type HeldEvents,
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

type Op = { add: number } | { drop: number };

describe('held events of one source', () => {
  it('hold what a map by seq holds, in either form, whatever the order of adds and drops', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ add: fc.integer({ min: 1, max: 3 * SMALL_HELD }) }),
      fc.record({ add: fc.integer({ min: 1, max: 3 * SMALL_HELD }) }),
      fc.record({ drop: fc.integer({ min: 1, max: 3 * SMALL_HELD }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        let held: HeldEvents<Ev> = noneHeld();
        const model = new Map<number, Ev>();
        let tag = 0;
        for (const o of ops) {
          if ('add' in o) {
            if (model.has(o.add)) continue;
            const e = { seq: o.add, tag: tag++ };
            held = heldWith(held, e);
            model.set(o.add, e);
          } else {
            held = heldWithout(held, o.drop);
            model.delete(o.drop);
          }
          expect(heldSize(held)).toBe(model.size);
          expect(heldMax(held)).toBe(Math.max(0, ...model.keys()));
          // One event held is the event itself (no array), none the shared empty array.
          if (model.size === 1) expect(held).toBe([...model.values()][0]);
          if (model.size === 0) expect(held).toBe(noneHeld<Ev>());
          if (Array.isArray(held)) {
            // The array form: at most SMALL_HELD, ascending by seq.
            expect(held.length).toBeLessThanOrEqual(SMALL_HELD);
            expect(held.map((e) => e.seq)).toEqual([...model.keys()].sort((a, b) => a - b));
          }
        }
        for (let s = 0; s <= 3 * SMALL_HELD + 1; s++) {
          expect(heldGet(held, s)).toBe(model.get(s));
          expect(heldHas(held, s)).toBe(model.has(s));
        }
        expect(new Set(heldValues(held))).toEqual(new Set(model.values()));
      }),
    );
  });

  it('keep one event as itself, a few in an array of exactly their number, and none in one shared empty array', () => {
    let held = heldWith(heldWith(noneHeld<Ev>(), { seq: 2, tag: 0 }), { seq: 1, tag: 1 });
    expect(Array.isArray(held)).toBe(true);
    expect(held).toEqual([
      { seq: 1, tag: 1 },
      { seq: 2, tag: 0 },
    ]);
    held = heldWithout(heldWithout(held, 1), 2);
    expect(held).toBe(noneHeld<Ev>());
    // One event is held as itself; dropping a seq not held leaves it as it is.
    const e = { seq: 5, tag: 2 };
    const one = heldWith(noneHeld<Ev>(), e);
    expect(one).toBe(e);
    expect(heldWithout(one, 4)).toBe(one);
    expect([...heldValues(one)]).toEqual([e]);
    // Two dropping to one: the remaining event itself.
    expect(heldWithout(heldWith(one, { seq: 7, tag: 3 }), 7)).toBe(e);
  });

  it('turn into a map beyond SMALL_HELD events and back to the empty array once emptied', () => {
    let held: HeldEvents<Ev> = noneHeld();
    for (let s = 1; s <= SMALL_HELD + 1; s++) held = heldWith(held, { seq: s, tag: s });
    expect(held).toBeInstanceOf(Map);
    for (let s = 1; s <= SMALL_HELD + 1; s++) held = heldWithout(held, s);
    expect(held).toBe(noneHeld<Ev>());
  });
});
