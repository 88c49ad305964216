/**
 * Deterministic math: the float functions whose results may differ between JavaScript engines
 * (ECMAScript lets `Math.sin`, `Math.exp`, `Math.pow`, ... be "implementation-approximated"),
 * rebuilt from operations that IEEE 754 and ECMAScript define exactly: `+ - * /`, `Math.sqrt`,
 * `Math.round`, `Math.trunc`, `Math.abs` and bit access through typed arrays. The algorithms
 * and coefficients are those of fdlibm (Sun Microsystems, the base of most libm's), so the
 * results are within about 1 ulp of the true value, and identical on every engine and CPU.
 *
 * Exact in every engine already, and safe to use directly: `+ - * / %`, `Math.sqrt`,
 * `Math.abs`, `Math.floor`, `Math.ceil`, `Math.round`, `Math.trunc`, `Math.sign`, `Math.min`,
 * `Math.max`, `Math.fround`, `Math.imul`, `Math.clz32`, integer bit operations.
 *
 * @module
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
f64[0] = 1;
const HI = u32[1] === 0x3ff00000 ? 1 : 0;
const LO = 1 - HI;

function highWord(x: number): number {
  f64[0] = x;
  return u32[HI]! | 0;
}

function lowWord(x: number): number {
  f64[0] = x;
  return u32[LO]!;
}

function withHighWord(x: number, hi: number): number {
  f64[0] = x;
  u32[HI] = hi;
  return f64[0];
}

/** 2^n for -1022 <= n <= 1023, built from its bits. */
function pow2(n: number): number {
  u32[HI] = ((n + 1023) << 20) >>> 0;
  u32[LO] = 0;
  return f64[0]!;
}

/** x * 2^n, in exact power-of-two steps. */
function scalbn(x: number, n: number): number {
  while (n > 1023) {
    x *= pow2(1023);
    n -= 1023;
  }
  while (n < -1022) {
    x *= pow2(-1022);
    n += 1022;
  }
  return x * pow2(n);
}

// ---------------------------------------------------------------------------------------------
// sin, cos, tan

const S1 = -0.16666666666666632;
const S2 = 0.00833333333332249;
const S3 = -0.0001984126982985795;
const S4 = 0.0000027557313707070068;
const S5 = -2.5050760253406863e-8;
const S6 = 1.58969099521155e-10;

const C1 = 0.0416666666666666;
const C2 = -0.001388888888887411;
const C3 = 0.00002480158728947673;
const C4 = -2.7557314351390663e-7;
const C5 = 2.087572321298175e-9;
const C6 = -1.1359647557788195e-11;

const INV_PIO2 = 0.6366197723675814;
const PIO2_1 = 1.5707963267341256;
const PIO2_1T = 6.077100506506192e-11;
const PIO2_2 = 6.077100506303966e-11;
const PIO2_2T = 2.0222662487959506e-21;
const PIO2_3 = 2.0222662487111665e-21;
const PIO2_3T = 8.4784276603689e-32;
const PIO4 = Math.PI / 4;

function kernelSin(x: number, y: number): number {
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (y === 0) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

function kernelCos(x: number, y: number): number {
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  const hz = 0.5 * z;
  const w = 1 - hz;
  return w + (1 - w - hz + (z * r - x * y));
}

// Result of reduce(): x - n * pi/2 = y0 + y1.
let y0 = 0;
let y1 = 0;

/**
 * Reduction by pi/2 as fdlibm's medium-size path (Cody-Waite with a 33+33+53-bit pi/2, second
 * and third rounds only when cancellation needs them); returns n, of which only n mod 4 matters.
 * Exact to about 1 ulp for |x| up to 2^19 * pi/2; deterministic (but less accurate) beyond.
 */
function reduce(x: number): number {
  const ax = Math.abs(x);
  const n = Math.trunc(ax * INV_PIO2 + 0.5);
  let r = ax - n * PIO2_1;
  let w = n * PIO2_1T;
  y0 = r - w;
  const j = (highWord(ax) >> 20) & 0x7ff;
  if (j - ((highWord(y0) >> 20) & 0x7ff) > 16) {
    let t = r;
    w = n * PIO2_2;
    r = t - w;
    w = n * PIO2_2T - (t - r - w);
    y0 = r - w;
    if (j - ((highWord(y0) >> 20) & 0x7ff) > 49) {
      t = r;
      w = n * PIO2_3;
      r = t - w;
      w = n * PIO2_3T - (t - r - w);
      y0 = r - w;
    }
  }
  y1 = r - y0 - w;
  if (x < 0) {
    y0 = -y0;
    y1 = -y1;
    return -n;
  }
  return n;
}

function clamp1(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}

/**
 * Deterministic sine (fdlibm algorithm). About 1 ulp for |x| < 2^20 * pi/2; deterministic but
 * less accurate beyond.
 */
export function sin(x: number): number {
  if (Math.abs(x) <= PIO4) {
    if (Math.abs(x) < 7.450580596923828e-9) return x;
    return kernelSin(x, 0);
  }
  if (x - x !== 0) return Number.NaN;
  const n = reduce(x) & 3;
  const r =
    n === 0
      ? kernelSin(y0, y1)
      : n === 1
        ? kernelCos(y0, y1)
        : n === 2
          ? -kernelSin(y0, y1)
          : -kernelCos(y0, y1);
  return clamp1(r);
}

/** Deterministic cosine (fdlibm algorithm); accuracy as {@link sin}. */
export function cos(x: number): number {
  if (Math.abs(x) <= PIO4) {
    if (Math.abs(x) < 7.450580596923828e-9) return 1;
    return kernelCos(x, 0);
  }
  if (x - x !== 0) return Number.NaN;
  const n = reduce(x) & 3;
  const r =
    n === 0
      ? kernelCos(y0, y1)
      : n === 1
        ? -kernelSin(y0, y1)
        : n === 2
          ? -kernelCos(y0, y1)
          : kernelSin(y0, y1);
  return clamp1(r);
}

/** Deterministic tangent: `sin / cos` sharing one reduction (a few ulp). */
export function tan(x: number): number {
  if (Math.abs(x) <= PIO4) {
    if (Math.abs(x) < 7.450580596923828e-9) return x;
    return kernelSin(x, 0) / kernelCos(x, 0);
  }
  if (x - x !== 0) return Number.NaN;
  const n = reduce(x) & 1;
  const s = kernelSin(y0, y1);
  const c = kernelCos(y0, y1);
  return n === 0 ? s / c : -c / s;
}

// ---------------------------------------------------------------------------------------------
// atan, atan2, asin, acos

const ATAN_HI = [0.4636476090008061, 0.7853981633974483, 0.982793723247329, 1.5707963267948966];
const ATAN_LO = [
  2.2698777452961687e-17, 3.061616997868383e-17, 1.3903311031230998e-17, 6.123233995736766e-17,
];
const AT0 = 0.3333333333333293;
const AT1 = -0.19999999999876483;
const AT2 = 0.14285714272503466;
const AT3 = -0.11111110405462356;
const AT4 = 0.09090887133436507;
const AT5 = -0.0769187620504483;
const AT6 = 0.06661073137387531;
const AT7 = -0.058335701337905735;
const AT8 = 0.049768779946159324;
const AT9 = -0.036531572744216916;
const AT10 = 0.016285820115365782;

const PI = Math.PI;
const PI_LO = 1.2246467991473532e-16;
const PI_O_2 = Math.PI / 2;
const PI_O_4 = Math.PI / 4;

/** Deterministic arctangent (fdlibm algorithm, about 1 ulp). */
export function atan(x: number): number {
  if (Number.isNaN(x)) return x;
  const neg = x < 0 || (x === 0 && 1 / x < 0);
  let a = Math.abs(x);
  if (a >= 73786976294838210000.0) {
    const r = ATAN_HI[3]! + ATAN_LO[3]!;
    return neg ? -r : r;
  }
  let id: number;
  if (a < 0.4375) {
    if (a < 3.725290298461914e-9) return x;
    id = -1;
  } else if (a < 1.1875) {
    if (a < 0.6875) {
      id = 0;
      a = (2 * a - 1) / (2 + a);
    } else {
      id = 1;
      a = (a - 1) / (a + 1);
    }
  } else if (a < 2.4375) {
    id = 2;
    a = (a - 1.5) / (1 + 1.5 * a);
  } else {
    id = 3;
    a = -1 / a;
  }
  const z = a * a;
  const w = z * z;
  const s1 = z * (AT0 + w * (AT2 + w * (AT4 + w * (AT6 + w * (AT8 + w * AT10)))));
  const s2 = w * (AT1 + w * (AT3 + w * (AT5 + w * (AT7 + w * AT9))));
  if (id < 0) {
    const r = a - a * (s1 + s2);
    return neg ? -r : r;
  }
  const r = ATAN_HI[id]! - (a * (s1 + s2) - ATAN_LO[id]! - a);
  return neg ? -r : r;
}

/** Deterministic two-argument arctangent with the ECMAScript special cases (fdlibm algorithm). */
export function atan2(y: number, x: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x === 1) return atan(y);
  const yNeg = y < 0 || (y === 0 && 1 / y < 0);
  const xNeg = x < 0 || (x === 0 && 1 / x < 0);
  if (y === 0) {
    if (!xNeg) return y;
    return yNeg ? -PI : PI;
  }
  if (x === 0) return yNeg ? -PI_O_2 : PI_O_2;
  if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) {
    if (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY) {
      const r = xNeg ? 3 * PI_O_4 : PI_O_4;
      return yNeg ? -r : r;
    }
    const r = xNeg ? PI : 0;
    return yNeg ? -r : r;
  }
  if (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY) return yNeg ? -PI_O_2 : PI_O_2;
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  let z: number;
  // Compare exponents as fdlibm does: |y/x| > 2^60 or < 2^-60 are handled without dividing.
  const k = ((highWord(ay) & 0x7ff00000) - (highWord(ax) & 0x7ff00000)) >> 20;
  if (k > 60) z = PI_O_2 + 0.5 * PI_LO;
  else if (xNeg && k < -60) z = 0;
  else z = atan(ay / ax);
  if (!xNeg) return yNeg ? -z : z;
  const r = PI - (z - PI_LO);
  return yNeg ? -r : r;
}

/** Deterministic arcsine: `atan2(x, sqrt((1 - x)(1 + x)))` (a few ulp); NaN outside [-1, 1]. */
export function asin(x: number): number {
  return atan2(x, Math.sqrt((1 - x) * (1 + x)));
}

/** Deterministic arccosine: `atan2(sqrt((1 - x)(1 + x)), x)` (a few ulp); NaN outside [-1, 1]. */
export function acos(x: number): number {
  return atan2(Math.sqrt((1 - x) * (1 + x)), x);
}

// ---------------------------------------------------------------------------------------------
// exp, log, pow

const O_THRESHOLD = 709.782712893384;
const U_THRESHOLD = -745.1332191019411;
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = Math.LOG2E;
const P1 = 0.16666666666666602;
const P2 = -0.0027777777777015593;
const P3 = 0.00006613756321437934;
const P4 = -0.0000016533902205465252;
const P5 = 4.1381367970572385e-8;

/** Deterministic e^x (fdlibm algorithm, under 1 ulp). */
export function exp(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x > O_THRESHOLD) return Number.POSITIVE_INFINITY;
  if (x < U_THRESHOLD) return 0;
  // fdlibm's polynomial is 1 ulp off at exactly 1; e is known (V8 special-cases it the same way).
  if (x === 1) return Math.E;
  const a = Math.abs(x);
  let k = 0;
  let hi = 0;
  let lo = 0;
  if (a > 0.5 * LN2_HI) {
    if (a < 1.5 * LN2_HI) {
      k = x > 0 ? 1 : -1;
    } else {
      k = Math.trunc(INV_LN2 * x + (x < 0 ? -0.5 : 0.5));
    }
    hi = x - k * LN2_HI;
    lo = k * LN2_LO;
    x = hi - lo;
  } else if (a < 3.725290298461914e-9) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  return scalbn(y, k);
}

const LG1 = 0.6666666666666735;
const LG2 = 0.3999999999940942;
const LG3 = 0.2857142874366239;
const LG4 = 0.22222198432149784;
const LG5 = 0.1818357216161805;
const LG6 = 0.15313837699209373;
const LG7 = 0.14798198605116586;
const TWO54 = 18014398509481984.0;

/** Deterministic natural logarithm (fdlibm algorithm, under 1 ulp). */
export function log(x: number): number {
  let hx = highWord(x);
  const lx = lowWord(x);
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return Number.NEGATIVE_INFINITY;
    if (hx < 0) return Number.NaN;
    k -= 54;
    x *= TWO54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  x = withHighWord(x, hx | (i ^ 0x3ff00000));
  k += i >> 20;
  const f = x - 1;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f === 0) {
      if (k === 0) return 0;
      return k * LN2_HI + k * LN2_LO;
    }
    const R = f * f * (0.5 - 0.3333333333333333 * f);
    if (k === 0) return f - R;
    return k * LN2_HI - (R - k * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  let ii = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  ii |= j;
  const R = t2 + t1;
  if (ii > 0) {
    const hfsq = 0.5 * f * f;
    if (k === 0) return f - (hfsq - s * (hfsq + R));
    return k * LN2_HI - (hfsq - (s * (hfsq + R) + k * LN2_LO) - f);
  }
  if (k === 0) return f - s * (f - R);
  return k * LN2_HI - (s * (f - R) - k * LN2_LO - f);
}

function isOddInteger(y: number): boolean {
  return Number.isInteger(y) && Math.abs(y) < 9007199254740992 && Math.abs(y % 2) === 1;
}

/**
 * Deterministic x^y with the ECMAScript special cases. Integer exponents up to 64 in
 * magnitude use binary powering (exact when the result is representable, so
 * `pow(2, 10) === 1024`); `y = ±0.5` uses `Math.sqrt`; other exponents use `exp(y * log(x))`,
 * within about `|y * log(x)|` ulp (under 1e-13 relative for results between 1e-30 and 1e30).
 */
export function pow(x: number, y: number): number {
  if (Number.isNaN(y)) return Number.NaN;
  if (y === 0) return 1;
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (y === Number.POSITIVE_INFINITY) return ax > 1 ? y : ax === 1 ? Number.NaN : 0;
  if (y === Number.NEGATIVE_INFINITY) return ax > 1 ? 0 : ax === 1 ? Number.NaN : Number.POSITIVE_INFINITY;
  const odd = isOddInteger(y);
  if (x === 0 || ax === Number.POSITIVE_INFINITY) {
    const big = (x === 0) === y < 0; // result is infinite
    const neg = odd && (x < 0 || (x === 0 && 1 / x < 0));
    if (big) return neg ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return neg ? -0 : 0;
  }
  if (Number.isInteger(y) && Math.abs(y) <= 64) {
    let e = Math.abs(y);
    let b = x;
    let r = 1;
    for (;;) {
      if (e & 1) r *= b;
      e >>= 1;
      if (e === 0) break;
      b *= b;
    }
    return y < 0 ? 1 / r : r;
  }
  if (x < 0 && !Number.isInteger(y)) return Number.NaN;
  if (y === 0.5) return Math.sqrt(x);
  if (y === -0.5) return 1 / Math.sqrt(x);
  const r = exp(y * log(ax));
  return x < 0 && odd ? -r : r;
}

/** Deterministic sqrt(x^2 + y^2) without overflow for large arguments (a few ulp). */
export function hypot(x: number, y: number): number {
  const a = Math.abs(x);
  const b = Math.abs(y);
  if (a === Number.POSITIVE_INFINITY || b === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  const m = a > b ? a : b;
  if (m === 0) return 0;
  const p = a / m;
  const q = b / m;
  return m * Math.sqrt(p * p + q * q);
}

/** Square root: `Math.sqrt` is correctly rounded by IEEE 754 in every engine; here for completeness. */
export const sqrt: (x: number) => number = Math.sqrt;

/**
 * All deterministic math functions in one object, for `import { dmath } from '@symmetric/core'`
 * and `dmath.sin(a)` in app code. Also the constants `PI` and `E`, which are exact literals.
 */
export const dmath = {
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  atan2,
  exp,
  log,
  pow,
  hypot,
  sqrt,
  PI: Math.PI,
  E: Math.E,
} as const;

/** The type of {@link dmath}. */
export type DMath = typeof dmath;
