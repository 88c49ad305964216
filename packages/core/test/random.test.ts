import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, isRandomState, TimelineError } from '../src/index.js';

describe('createRandom (sfc32)', () => {
  it('gives the same sequence for the same seed, a different one for another seed', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        const a = createRandom(seed);
        const b = createRandom(seed);
        const c = createRandom(seed + 1 <= Number.MAX_SAFE_INTEGER ? seed + 1 : seed - 1);
        const sa = Array.from({ length: 8 }, () => a.uint32());
        expect(Array.from({ length: 8 }, () => b.uint32())).toEqual(sa);
        expect(Array.from({ length: 8 }, () => c.uint32())).not.toEqual(sa);
      }),
    );
  });

  it('is stable across versions (replays and peers depend on it)', () => {
    const seq = (seed: number) => {
      const r = createRandom(seed);
      return [r.uint32(), r.uint32(), r.uint32()];
    };
    expect(seq(0)).toEqual([591558436, 2737234123, 107644106]);
    expect(seq(-42)).toEqual([3351710071, 651584683, 41240654]);
    expect(seq(2 ** 40 + 3)).toEqual([575813606, 2957082306, 3991958409]);
  });

  it('captures and restores its state exactly', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(100), (seed, skip) => {
        const r = createRandom(seed);
        for (let i = 0; i < skip; i++) r.uint32();
        const st = r.getState();
        expect(isRandomState(st)).toBe(true);
        const next = [r.next(), r.int(7), r.uint32()];
        const other = createRandom(12345);
        other.setState(st);
        expect([other.next(), other.int(7), other.uint32()]).toEqual(next);
      }),
    );
  });

  it('stays within its ranges and covers them', () => {
    const r = createRandom(7);
    const counts = new Array<number>(6).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < 60_000; i++) {
      const f = r.next();
      if (!(f >= 0 && f < 1)) outOfRange++;
      const d = r.int(6);
      counts[d]!++;
      const u = r.uint32();
      if (!(Number.isInteger(u) && u >= 0 && u < 2 ** 32)) outOfRange++;
    }
    expect(outOfRange).toBe(0);
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(r.int(1)).toBe(0);
    const big = r.int(2 ** 32);
    expect(big >= 0 && big < 2 ** 32).toBe(true);
  });

  it('throws typed errors on bad arguments', () => {
    const r = createRandom(1);
    for (const n of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN]) {
      expect(() => r.int(n)).toThrow(TimelineError);
    }
    expect(() => createRandom(0.5)).toThrow(TimelineError);
    expect(() => r.setState([1, 2, 3])).toThrow(TimelineError);
    expect(() => r.setState([1, 2, 3, -1])).toThrow(TimelineError);
    expect(isRandomState([1, 2, 3, 4.5])).toBe(false);
  });
});
