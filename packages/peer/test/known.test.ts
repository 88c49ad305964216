import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KnownEvents } from '../src/known.js';

type Op = { add: number; at: number } | { raise: number } | { truncate: number };

describe('known event ids of one source', () => {
  it('know what a set of seqs knows: frontier, highest, seqs above a gap and since when', () => {
    // Mostly adds, so the seqs above a gap pile up between the raises and truncations that clear them.
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ add: fc.integer({ min: 1, max: 30 }), at: fc.nat(1_000) }) },
      fc.record({ raise: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ truncate: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80, size: 'max' }), (ops) => {
        const known = new KnownEvents();
        const model = new Set<number>();
        // When the seqs above the frontier last went from none to some.
        let since = -1;
        const frontier = (): number => {
          let c = 0;
          while (model.has(c + 1)) c++;
          return c;
        };
        for (const o of ops) {
          const gapBefore = [...model].some((s) => s > frontier());
          if ('add' in o) {
            expect(known.add('s', o.add, o.at)).toBe(!model.has(o.add));
            model.add(o.add);
            if (!gapBefore && [...model].some((s) => s > frontier())) since = o.at;
          } else if ('raise' in o) {
            if (o.raise === 0 && !known.knows('s')) continue;
            known.raiseTo('s', o.raise);
            for (let s = 1; s <= o.raise; s++) model.add(s);
          } else {
            known.truncate('s', o.truncate);
            for (const s of [...model]) if (s > o.truncate) model.delete(s);
          }
          const slot = known.slotOf('s');
          if (slot < 0) {
            expect(model.size).toBe(0);
            continue;
          }
          const c = frontier();
          const above = [...model].filter((s) => s > c).sort((a, b) => a - b);
          const gap = known.gapAt(slot);
          expect(known.contiguousAt(slot)).toBe(c);
          expect(known.maxAt(slot)).toBe(Math.max(c, ...above));
          expect(gap === undefined ? [] : [...gap.above].sort((a, b) => a - b)).toEqual(above);
          expect(known.gappy.has('s')).toBe(above.length > 0);
          expect(gap?.since ?? -1).toBe(above.length > 0 ? since : -1);
          if (above.length === 0) since = -1;
          for (let s = 1; s <= 31; s++) expect(known.has('s', s)).toBe(model.has(s));
        }
      }),
    );
  });
});
