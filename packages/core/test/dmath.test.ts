import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import dmathSource from '../src/dmath.ts?raw';
import { dmath } from '../src/index.js';

/** Distance in units in the last place between two doubles of the same sign. */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  const d = i[0]! - i[1]!;
  return Number(d < 0n ? -d : d);
}

const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

describe('dmath (deterministic float functions)', () => {
  it('gives the correctly rounded value at well-known points', () => {
    // Correctly rounded results (from arbitrary-precision references).
    expect(dmath.sin(1)).toBe(0.8414709848078965);
    expect(dmath.cos(1)).toBe(0.5403023058681398);
    expect(dmath.sin(0.9)).toBe(0.7833269096274834);
    expect(dmath.sin(10)).toBe(-0.5440211108893698);
    expect(dmath.exp(1)).toBe(Math.E);
    expect(dmath.log(10)).toBe(Math.LN10);
    expect(dmath.atan(1)).toBe(0.7853981633974483);
    expect(dmath.atan2(1, -1)).toBe(2.356194490192345);
    expect(dmath.pow(2, 10)).toBe(1024);
    expect(dmath.pow(2, -3)).toBe(0.125);
    expect(dmath.pow(-3, 3)).toBe(-27);
    expect(dmath.sqrt(2)).toBe(Math.SQRT2);
    expect(dmath.hypot(3, 4)).toBe(5);
  });

  it('stays within a few ulp of the engine functions', () => {
    const cases: [string, (x: number) => number, (x: number) => number, number, number, number][] = [
      ['sin', dmath.sin, Math.sin, -1e5, 1e5, 1],
      ['cos', dmath.cos, Math.cos, -1e5, 1e5, 1],
      ['tan', dmath.tan, Math.tan, -100, 100, 4],
      ['atan', dmath.atan, Math.atan, -1e6, 1e6, 1],
      ['asin', dmath.asin, Math.asin, -1, 1, 3],
      ['acos', dmath.acos, Math.acos, -1, 1, 3],
      ['exp', dmath.exp, Math.exp, -745, 709, 1],
      ['log', dmath.log, Math.log, 1e-300, 1e300, 1],
    ];
    for (const [name, mine, ref, min, max, tol] of cases) {
      fc.assert(
        fc.property(finite(min, max), (x) => {
          const a = mine(x);
          const b = ref(x);
          if (ulps(a, b) > tol && Math.abs(a - b) > 1e-300)
            throw new Error(`${name}(${x}) = ${a}, engine ${b}`);
        }),
        { numRuns: 2000 },
      );
    }
    fc.assert(
      fc.property(finite(-1e3, 1e3), finite(-1e3, 1e3), (y, x) => {
        expect(ulps(dmath.atan2(y, x), Math.atan2(y, x))).toBeLessThanOrEqual(1);
        expect(ulps(dmath.hypot(x, y), Math.hypot(x, y))).toBeLessThanOrEqual(2);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(finite(1e-3, 1e3), finite(-30, 30), (x, y) => {
        const a = dmath.pow(x, y);
        const b = x ** y;
        expect(Math.abs(a - b) / b).toBeLessThan(1e-12);
      }),
      { numRuns: 2000 },
    );
  });

  it('follows the ECMAScript special cases', () => {
    const { NaN: nan, POSITIVE_INFINITY: inf, NEGATIVE_INFINITY: ninf } = Number;
    const unary = [dmath.sin, dmath.cos, dmath.tan, dmath.atan, dmath.exp, dmath.log, dmath.asin, dmath.acos];
    const refs = [Math.sin, Math.cos, Math.tan, Math.atan, Math.exp, Math.log, Math.asin, Math.acos];
    for (const x of [nan, inf, ninf, 0, -0, 2, -2, 1e-320, 800, -800]) {
      unary.forEach((f, i) => {
        const a = f(x);
        const b = refs[i]!(x);
        if (Number.isNaN(b)) expect(a).toBeNaN();
        else if (!Number.isFinite(b) || b === 0) expect(Object.is(a, b)).toBe(true);
        else expect(ulps(a, b)).toBeLessThanOrEqual(3);
      });
    }
    const pairs = [nan, inf, ninf, 0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3];
    for (const y of pairs) {
      for (const x of pairs) {
        expect(
          Object.is(dmath.atan2(y, x), Math.atan2(y, x)) || ulps(dmath.atan2(y, x), Math.atan2(y, x)) <= 1,
        ).toBe(true);
        const p = dmath.pow(x, y);
        const q = x ** y;
        if (Number.isNaN(q) || !Number.isFinite(q) || q === 0) expect(Object.is(p, q)).toBe(true);
        else expect(ulps(p, q)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('uses none of the engine-approximated Math functions', () => {
    expect(dmathSource).toContain('export function sin');
    const banned = dmathSource.match(
      /Math\.(sin|cos|tan|asin|acos|atan|atan2|exp|expm1|log|log1p|log2|log10|pow|hypot|cbrt|sinh|cosh|tanh)\(/g,
    );
    expect(banned).toBeNull();
  });
});
