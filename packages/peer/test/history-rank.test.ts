import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printOrder } from '../src/history-rank.js';

const p = (tick: number, count: number, digest = count * 7) => ({ tick, count, digest });

describe('printOrder: two histories compared on their prints', () => {
  const mine = [p(100, 5), p(110, 6), p(120, 8), p(130, 9)];

  it('the same prints at every common mark: equal', () => {
    expect(printOrder(mine, [p(120, 8), p(130, 9)])).toBe('equal');
    expect(printOrder(mine, [p(90, 1), p(100, 5), p(140, 12)])).toBe('equal');
    // No common mark: nothing to tell.
    expect(printOrder(mine, [p(140, 1), p(150, 2)])).toBe('equal');
    expect(printOrder([], mine)).toBe('equal');
  });

  it('reads the order at the oldest common mark where they differ: more events, then the larger digest', () => {
    expect(printOrder(mine, [p(120, 8), p(130, 10)])).toBe('greater');
    expect(printOrder(mine, [p(120, 8), p(130, 8)])).toBe('less');
    expect(printOrder(mine, [p(130, 9, 1)])).toBe('less');
    expect(printOrder(mine, [p(130, 9, 2 ** 48 - 1)])).toBe('greater');
    // Fewer events at 110, more at 130: the first difference decides, the later ones do not.
    expect(printOrder(mine, [p(110, 5), p(120, 9), p(130, 20)])).toBe('less');
    expect(printOrder(mine, [p(110, 7), p(120, 7), p(130, 1)])).toBe('greater');
  });

  it('one total order: antisymmetric and transitive over histories that share a prefix', () => {
    // Histories: a shared prefix, then each its own events; all printed at the same marks.
    const history = fc
      .array(fc.tuple(fc.nat(3), fc.nat(1_000)), { minLength: 1, maxLength: 8 })
      .map((steps) => {
        let count = 0;
        let digest = 0;
        return steps.map(([n, d], i) => {
          count += n;
          digest = (digest + d) % 2 ** 48;
          return p(10 * (i + 1), count, digest);
        });
      });
    const rank = (o: string): number => (o === 'greater' ? 1 : o === 'less' ? -1 : 0);
    // Equal histories and one extending the other (equal at every common mark) among the cases.
    expect(rank(printOrder(mine, mine)) + rank(printOrder(mine, mine))).toBe(0);
    expect(printOrder([p(10, 0, 999)], [p(10, 0, 999), p(20, 0, 999)])).toBe('equal');
    expect(printOrder([p(10, 0, 999), p(20, 0, 999)], [p(10, 0, 999)])).toBe('equal');
    fc.assert(
      fc.property(history, history, history, (a, b, c) => {
        // Antisymmetric: the sum is 0 (a comparison of ranks, not toBe(-x): -0 is not +0 to Object.is).
        expect(rank(printOrder(a, b)) + rank(printOrder(b, a))).toBe(0);
        // theirs against mine: 'greater' means the second argument ranks higher.
        const ab = rank(printOrder(a, b));
        const bc = rank(printOrder(b, c));
        if (ab > 0 && bc > 0 && a.length === b.length && b.length === c.length)
          expect(rank(printOrder(a, c))).toBe(1);
      }),
    );
  });
});
