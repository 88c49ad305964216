import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitHeap, type HeapSample, isFlat, leastSquares } from '../src/heap-fit.js';

describe('heap fits', () => {
  it('recover the coefficients of exact data', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: -50, max: 50 }),
        fc.array(fc.tuple(fc.integer({ min: 5, max: 25 }), fc.integer({ min: 0, max: 80 })), {
          minLength: 12,
          maxLength: 30,
        }),
        (a, b, c, d, shape) => {
          const samples: HeapSample[] = shape.map(([online, links], i) => [10 + i, online, links, 0]);
          const withY = samples.map(([t, n, l]) => [t, n, l, a + b * n + c * l + d * t] as HeapSample);
          const f = fitHeap(withY);
          const varies = (k: 1 | 2): boolean => new Set(samples.map((s) => s[k])).size > 2;
          if (f === undefined || !varies(1) || !varies(2)) return;
          expect(f.perMinuteBytes).toBeCloseTo(d, 4);
          expect(f.perOnlinePeerBytes).toBeCloseTo(b, 4);
          expect(f.perLinkBytes).toBeCloseTo(c, 4);
          expect(f.residualBytes).toBeLessThan(1e-6 + 1e-9 * Math.abs(a));
        },
      ),
    );
  });

  it('call a level series flat and a rising one rising', () => {
    const noise = [3, -2, 5, -4, 1, 0, -3, 2, 4, -5, 1, -1, 2, -2, 0, 3];
    const level: HeapSample[] = noise.map((e, i) => [10 + i, 10 + (i % 3), 20 + (i % 4), 1000 + e]);
    const rising: HeapSample[] = noise.map((e, i) => [10 + i, 10 + (i % 3), 20 + (i % 4), 1000 + 10 * i + e]);
    expect(isFlat(fitHeap(level)!)).toBe(true);
    expect(isFlat(fitHeap(rising)!)).toBe(false);
    expect(fitHeap(rising)!.perMinuteBytes).toBeCloseTo(10, 0);
  });

  it('refuse a singular design', () => {
    expect(
      leastSquares(
        [
          [1, 2],
          [2, 4],
          [3, 6],
        ],
        [1, 2, 3],
      ),
    ).toBeUndefined();
    expect(fitHeap([[1, 1, 1, 1]])).toBeUndefined();
  });
});
