import type { Random } from './app.js';
import { TimelineError } from './errors.js';

const TWO_32 = 4294967296;

/** One splitmix32 output for the input `x` (a 32-bit mixer, also used to derive seeds). */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a string's UTF-16 code units, for turning stream labels into numbers. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A 32-bit seed for the independent stream `label` (`'events/3'`, `'churn/0'`, ...) of a run
 * seeded with `seed` (any safe integer). The same pair always gives the same seed; different
 * labels give unrelated ones, so adding a stream to a run leaves the others' draws as they are.
 */
export function deriveSeed(seed: number, label: string): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_32) >>> 0;
  return splitmix32(splitmix32(splitmix32(lo) ^ hi) ^ hashLabel(label));
}

/**
 * Symmetric's seeded PRNG: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator,
 * 128-bit state, passes PractRand), seeded through splitmix32. Every operation is 32-bit
 * integer arithmetic, so it gives the same sequence on every JavaScript engine. It is
 * `ctx.random` in apps, the simulator's streams ({@link createStreamRandom}) and the loopback
 * network's latency draws ({@link createFullStateRandom}); those differ only in how the seed
 * fills the state.
 *
 * Its whole state is four uint32 words, read with {@link SeededRandom.getState} and written
 * with {@link SeededRandom.setState}; the timeline snapshots and rolls it back with the app state.
 */
export class SeededRandom implements Random {
  /** @internal */ a = 0;
  /** @internal */ b = 0;
  /** @internal */ c = 0;
  /** @internal */ d = 0;

  /** Seed with any safe integer (negative allowed); see {@link createRandom}. */
  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Reset the state from `seed` (a safe integer). */
  seed(seed: number): void {
    if (!Number.isSafeInteger(seed)) {
      throw new TimelineError('BAD_ARGUMENT', `random seed must be a safe integer, got ${String(seed)}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_32) >>> 0;
    // splitmix32 over (lo, hi) fills the four words; never all zero.
    let s = (lo ^ Math.imul(hi, 0x9e3779b1)) | 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.a = next();
    this.b = next();
    this.c = next() ^ hi;
    this.d = 1;
    this.warmUp();
  }

  /** @internal Set the four words and discard the first outputs (they still show the seed). */
  setWords(a: number, b: number, c: number, d: number): this {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
    this.warmUp();
    return this;
  }

  private warmUp(): void {
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 32 random bits. */
  next(): number {
    return this.uint32() / TWO_32;
  }

  /** Uniform integer in [0, n) for an integer 1 <= n <= 2^32, without modulo bias. */
  int(n: number): number {
    if (!(n >= 1 && n <= TWO_32 && Number.isInteger(n))) {
      throw new TimelineError(
        'BAD_ARGUMENT',
        `random.int(n) needs an integer 1 <= n <= 2^32, got ${String(n)}`,
      );
    }
    // Reject the top (2^32 mod n) values so every result is equally likely.
    const limit = TWO_32 - (TWO_32 % n);
    let x = this.uint32();
    while (x >= limit) x = this.uint32();
    return x % n;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Exponentially distributed float with mean `mean`. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Normally distributed float (Box–Muller, one value per two draws). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Two independent standard normal values (mean 0, s.d. 1) from two draws (Box–Muller): the
   * first is the one {@link normal} would give.
   */
  standardNormalPair(): [number, number] {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * v;
    return [r * Math.cos(theta), r * Math.sin(theta)];
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

  /** The four state words (uint32), e.g. to put in a snapshot. */
  getState(): [number, number, number, number] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Restore a state read with {@link getState}. Throws `BAD_ARGUMENT` unless given four uint32 words. */
  setState(state: readonly number[]): void {
    if (!isRandomState(state)) {
      throw new TimelineError('BAD_ARGUMENT', 'random state must be four uint32 words');
    }
    this.a = state[0]! | 0;
    this.b = state[1]! | 0;
    this.c = state[2]! | 0;
    this.d = state[3]! | 0;
  }

  /** @internal Write the state into `out[at..at+3]` (no allocation). */
  saveTo(out: Uint32Array, at: number): void {
    out[at] = this.a;
    out[at + 1] = this.b;
    out[at + 2] = this.c;
    out[at + 3] = this.d;
  }

  /** @internal Read the state from `src[at..at+3]` (no allocation). */
  loadFrom(src: Uint32Array, at: number): void {
    this.a = src[at]! | 0;
    this.b = src[at + 1]! | 0;
    this.c = src[at + 2]! | 0;
    this.d = src[at + 3]! | 0;
  }
}

/** True if `state` is four uint32 words (a valid {@link SeededRandom} state). */
export function isRandomState(state: unknown): state is readonly [number, number, number, number] {
  if (!Array.isArray(state) || state.length !== 4) return false;
  for (const w of state) {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w >= TWO_32) return false;
  }
  return true;
}

/**
 * A fast seeded deterministic PRNG (sfc32): the same seed gives the same sequence on every
 * engine. Its state can be captured and restored (`getState`/`setState`).
 *
 * @example
 * const r = createRandom(42);
 * r.int(6); // a die roll, the same on every peer
 */
export function createRandom(seed: number): SeededRandom {
  return new SeededRandom(seed);
}

/**
 * The stream `label` of a run seeded with `seed` (any safe integer): the state is filled from
 * {@link deriveSeed}`(seed, label)`, so every label gives an independent, reproducible stream.
 * The simulator draws each of its choices (start offsets, event times, churn, random graphs)
 * from its own stream.
 *
 * @example
 * const starts = createStreamRandom(7, 'start-jitter');
 * starts.uniform(0, 10_000); // the same on every run with seed 7
 */
export function createStreamRandom(seed: number, label = ''): SeededRandom {
  const a = splitmix32(deriveSeed(seed, label));
  const b = splitmix32(a);
  const c = splitmix32(b);
  return new SeededRandom().setWords(a, b, c, 1);
}

/**
 * A generator whose four state words, the counter included, are consecutive splitmix32 outputs
 * over `seed` (any number; its low 32 bits and its high bits, mixed in, pick the sequence). The
 * loopback network draws its link latencies from one.
 */
export function createFullStateRandom(seed: number): SeededRandom {
  let s = (seed >>> 0) ^ Math.floor(seed / TWO_32);
  const next = (): number => {
    const out = splitmix32(s);
    s = (s + 0x9e3779b9) | 0;
    return out;
  };
  const a = next();
  const b = next();
  const c = next();
  return new SeededRandom().setWords(a, b, c, next());
}
