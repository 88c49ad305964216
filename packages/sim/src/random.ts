/**
 * The simulator's own seeded PRNG (sfc32 seeded through splitmix32). Every random choice the
 * runner makes (start offsets, event times and keys, churn, drift, random graphs) draws from a
 * stream derived from the run seed and a purpose label, so adding churn to a scenario does not
 * move its event times, and the same seed always gives the same run.
 */

/** splitmix32 step: a good 32-bit mixer for deriving seeds. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a string, for turning stream labels into numbers. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Derive a 32-bit seed from a run seed and a label (`'events/3'`, `'churn/0'`, ...). */
export function deriveSeed(seed: number, label: string): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  return splitmix32(splitmix32(splitmix32(lo) ^ hi) ^ hashLabel(label));
}

/** A seeded deterministic random stream. */
export class SimRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** A stream for `seed` (any safe integer); `label` separates independent streams of one run. */
  constructor(seed: number, label = '') {
    const s = deriveSeed(seed, label);
    this.#a = splitmix32(s);
    this.#b = splitmix32(this.#a);
    this.#c = splitmix32(this.#b);
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32 (rejection sampling, no modulo bias). */
  int(n: number): number {
    if (!(n >= 1 && n <= 0x1_0000_0000) || !Number.isInteger(n)) throw new RangeError(`int(${n})`);
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    let x = this.uint32();
    while (x >= limit) x = this.uint32();
    return x % n;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Exponentially distributed float with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Normally distributed float (Box–Muller). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffle `items` in place (Fisher–Yates) and return it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}
