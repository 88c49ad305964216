import { createStreamRandom } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { percentile } from '../src/metrics.js';
import { ValueCounts } from '../src/value-counts.js';

describe('value counts', () => {
  it('give the sorted list’s count, sum (same rounding), percentiles and maximum', () => {
    for (let trial = 0; trial < 50; trial++) {
      const random = createStreamRandom(trial, 'value-counts');
      const values: number[] = [];
      const length = Math.floor(random.uniform(0, 200));
      // Frame times at 60 fps are not whole ms: sums of them round differently in another order.
      for (let k = 0; k < length; k++) values.push(Math.floor(random.uniform(0, 40)) * (1000 / 60));
      const counts = ValueCounts.of(values);
      const sorted = [...values].sort((a, b) => a - b);
      const positive = sorted.filter((x) => x > 0);
      const all = counts.summary();
      const kept = counts.summary((x) => x > 0);
      expect(counts.size).toBe(values.length);
      expect(all.count).toBe(sorted.length);
      expect(all.sum).toBe(sorted.reduce((s, x) => s + x, 0));
      expect(kept.count).toBe(positive.length);
      expect(kept.sum).toBe(positive.reduce((s, x) => s + x, 0));
      expect(all.max).toBe(sorted.at(-1) ?? 0);
      for (const q of [0.01, 0.5, 0.95, 0.99, 1]) {
        expect(all.at(q)).toBe(percentile(sorted, q));
        expect(kept.at(q)).toBe(percentile(positive, q));
      }
    }
  });
});
