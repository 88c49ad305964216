import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  claimRanges,
  compareRanges,
  covers,
  missingFrom,
  rangeCount,
  rangeHas,
  rangeMax,
  toClaim,
} from '../src/seq-ranges.js';

/** A set of seqs (1..60) and the same set as ascending, apart `[from, to]` runs. */
const seqSet = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 40, size: 'max' }).map((xs) => {
  const set = new Set(xs);
  const runs: number[] = [];
  for (const s of [...set].sort((a, b) => a - b)) {
    const n = runs.length;
    if (n > 0 && runs[n - 1]! + 1 === s) runs[n - 1] = s;
    else runs.push(s, s);
  }
  return { set, runs };
});

describe('sets of seqs as runs', () => {
  it('agree with plain sets: membership, count, max, cover, difference (fast-check)', () => {
    fc.assert(
      fc.property(seqSet, seqSet, (a, b) => {
        for (let s = 0; s <= 61; s++) expect(rangeHas(a.runs, s)).toBe(a.set.has(s));
        expect(rangeCount(a.runs)).toBe(a.set.size);
        expect(rangeMax(a.runs)).toBe(a.set.size === 0 ? 0 : Math.max(...a.set));
        const lacking = [...b.set].filter((s) => !a.set.has(s)).sort((x, y) => x - y);
        expect(covers(a.runs, b.runs)).toBe(lacking.length === 0);
        const diff = missingFrom(a.runs, b.runs, 1000);
        const listed: number[] = [];
        for (let i = 0; i < diff.length; i += 2)
          for (let s = diff[i]!; s <= diff[i + 1]!; s++) listed.push(s);
        expect(listed).toEqual(lacking);
      }),
      { seed: 11, numRuns: 400 },
    );
  });

  it('a frontier entry and its runs convert both ways', () => {
    fc.assert(
      fc.property(seqSet, ({ runs }) => {
        const { seq, above } = toClaim(runs);
        expect(claimRanges(seq, above)).toEqual(runs);
        if (above.length > 0) expect(above[0]!).toBeGreaterThanOrEqual(seq + 2);
      }),
      { seed: 12, numRuns: 300 },
    );
  });

  it('the tie-break is an order: antisymmetric, zero only for the same set', () => {
    fc.assert(
      fc.property(seqSet, seqSet, (a, b) => {
        const ab = compareRanges(a.runs, b.runs);
        const ba = compareRanges(b.runs, a.runs);
        expect(Math.sign(ab) + Math.sign(ba)).toBe(0);
        expect(ab === 0).toBe(JSON.stringify(a.runs) === JSON.stringify(b.runs));
      }),
      { seed: 13, numRuns: 300 },
    );
  });

  it('a difference stops at the most runs asked for', () => {
    expect(missingFrom([], [1, 2, 5, 6, 9, 9], 2)).toEqual([1, 2, 5, 6]);
  });
});
