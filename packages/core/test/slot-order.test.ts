import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_SLOT, SlotOrder } from '../src/slot-order.js';

type Op =
  | { kind: 'append' | 'remove'; slot: number }
  | { kind: 'clear' }
  | { kind: 'drain' }
  | { kind: 'grow'; by: number };

describe('SlotOrder (slots in the order appended)', () => {
  it('lists what an array lists, through removals, clears and growth past 16-bit slots', () => {
    // Slots near 65,535 exercise the narrow links' last values and the widening past them.
    const slot = fc.oneof(fc.nat(20), fc.integer({ min: 65_530, max: 65_540 }));
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), slot }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), slot }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'drain' as const }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('grow' as const), by: fc.nat(3) }) },
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 80, size: 'max' }), (wideFirst, ops) => {
        const order = new SlotOrder();
        order.grow(wideFirst ? 65_541 : 21);
        const model: number[] = [];
        for (const o of ops) {
          if (o.kind === 'clear') {
            order.clear();
            model.length = 0;
          } else if (o.kind === 'drain') {
            const seen: number[] = [];
            order.drain((s) => seen.push(s));
            expect(seen).toEqual(model);
            model.length = 0;
          } else if (o.kind === 'grow') {
            order.grow(order.length + o.by);
          } else {
            if (o.slot >= order.length) order.grow(o.slot + 1);
            const at = model.indexOf(o.slot);
            if (o.kind === 'append' && at < 0) {
              order.append(o.slot);
              model.push(o.slot);
            } else if (o.kind === 'remove' && at >= 0) {
              order.remove(o.slot);
              model.splice(at, 1);
              // What followed it is still reachable from it (for a walk that removes as it goes).
              expect(order.after(o.slot)).toBe(model[at] ?? NO_SLOT);
            }
          }
          const listed: number[] = [];
          for (let s = order.first(); s !== NO_SLOT; s = order.after(s)) listed.push(s);
          expect(listed).toEqual(model);
        }
      }),
      { numRuns: 300 },
    );
  });
});
