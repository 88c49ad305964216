import { TimelineError } from './errors.js';
import { hex8 } from './hash-words.js';

// Two 32-bit lanes (MurmurHash3 x86 word steps with different constants), finalised together
// into 64 bits. Module-level so hashing allocates nothing per word.
let h1 = 0;
let h2 = 0;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Word order of a float64 seen through a Uint32Array: little-endian puts the low word first.
f64[0] = 1;
const HI = u32[1] === 0x3ff00000 ? 1 : 0;
const LO = 1 - HI;

const MAX_DEPTH = 2000;

const T_UNDEFINED = 1;
const T_NULL = 2;
const T_FALSE = 3;
const T_TRUE = 4;
const T_INT = 5;
const T_FLOAT = 6;
const T_STRING = 7;
const T_BIGINT = 8;
const T_ARRAY = 9;
const T_OBJECT = 10;
const T_MAP = 11;
const T_SET = 12;
const T_DATE = 13;
const T_BYTES = 14;
const T_TYPED = 15;

function mix(k: number): void {
  let a = Math.imul(k, 0xcc9e2d51);
  a = (a << 15) | (a >>> 17);
  a = Math.imul(a, 0x1b873593);
  h1 ^= a;
  h1 = (h1 << 13) | (h1 >>> 19);
  h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  let b = Math.imul(k, 0x239b961b);
  b = (b << 16) | (b >>> 16);
  b = Math.imul(b, 0xab0e9789);
  h2 ^= b;
  h2 = (h2 << 17) | (h2 >>> 15);
  h2 = (h2 + h1) | 0;
  h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function finish(): string {
  let a = fmix(h1 ^ 0x5bd1e995);
  let b = fmix(h2 ^ 0x27d4eb2f);
  a = (a + b) | 0;
  b = (b + a) | 0;
  return hex8(a) + hex8(b);
}

function mixNumber(x: number): void {
  if ((x | 0) === x && (x !== 0 || 1 / x > 0)) {
    mix(T_INT);
    mix(x);
    return;
  }
  mix(T_FLOAT);
  if (Number.isNaN(x)) {
    // One NaN for all NaN payloads: engines may differ in the payload they produce.
    mix(0);
    mix(0x7ff80000);
    return;
  }
  f64[0] = x;
  mix(u32[LO]!);
  mix(u32[HI]!);
}

function mixString(s: string): void {
  const n = s.length;
  mix(T_STRING);
  mix(n);
  let i = 0;
  for (; i + 1 < n; i += 2) mix(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) mix(s.charCodeAt(i));
}

function mixBytes(bytes: Uint8Array): void {
  const n = bytes.length;
  mix(n);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    mix(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  let last = 0;
  for (let s = 0; i < n; i++, s += 8) last |= bytes[i]! << s;
  mix(last);
}

// Minimal local view of typed arrays (the package has no DOM/Node types on purpose).
interface AnyTypedArray {
  readonly length: number;
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly [i: number]: number | bigint;
}

function typedKind(v: object): number {
  if (v instanceof Float64Array) return 1;
  if (v instanceof Float32Array) return 2;
  if (v instanceof Int32Array) return 3;
  if (v instanceof Uint32Array) return 4;
  if (v instanceof Int16Array) return 5;
  if (v instanceof Uint16Array) return 6;
  if (v instanceof Int8Array) return 7;
  if (v instanceof Uint8Array) return 8;
  if (v instanceof Uint8ClampedArray) return 9;
  if (v instanceof BigInt64Array) return 10;
  if (v instanceof BigUint64Array) return 11;
  return 0;
}

function mixTyped(kind: number, v: AnyTypedArray): void {
  mix(T_TYPED);
  mix(kind);
  const n = v.length;
  mix(n);
  switch (kind) {
    case 1: {
      const w = new Uint32Array(v.buffer, v.byteOffset, n * 2);
      for (let i = 0; i < n; i++) {
        const lo = w[2 * i + LO]!;
        const hi = w[2 * i + HI]!;
        if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) !== 0 || lo !== 0)) {
          mix(0);
          mix(0x7ff80000);
        } else {
          mix(lo);
          mix(hi);
        }
      }
      return;
    }
    case 2: {
      const w = new Uint32Array(v.buffer, v.byteOffset, n);
      for (let i = 0; i < n; i++) {
        const b = w[i]!;
        mix((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 0x7fc00000 : b);
      }
      return;
    }
    case 3:
    case 4: {
      const a = v as Int32Array;
      for (let i = 0; i < n; i++) mix(a[i]!);
      return;
    }
    case 5:
    case 6: {
      const a = v as Int16Array;
      let i = 0;
      for (; i + 1 < n; i += 2) mix((a[i]! & 0xffff) | (a[i + 1]! << 16));
      if (i < n) mix(a[i]! & 0xffff);
      return;
    }
    case 7:
    case 8:
    case 9:
      mixBytes(new Uint8Array(v.buffer, v.byteOffset, n));
      return;
    default: {
      const w = new Uint32Array(v.buffer, v.byteOffset, n * 2);
      for (let i = 0; i < n; i++) {
        mix(w[2 * i + LO]!);
        mix(w[2 * i + HI]!);
      }
    }
  }
}

function mixValue(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'number':
      mixNumber(v);
      return;
    case 'string':
      mixString(v);
      return;
    case 'boolean':
      mix(v ? T_TRUE : T_FALSE);
      return;
    case 'undefined':
      mix(T_UNDEFINED);
      return;
    case 'bigint': {
      mix(T_BIGINT);
      mixString(v.toString(16));
      return;
    }
    case 'object':
      break;
    default:
      throw new TimelineError('UNHASHABLE', `stateHash cannot hash a ${typeof v}`);
  }
  if (v === null) {
    mix(T_NULL);
    return;
  }
  if (depth > MAX_DEPTH) {
    throw new TimelineError('UNHASHABLE', `stateHash: value nested deeper than ${MAX_DEPTH} (a cycle?)`);
  }
  const d = depth + 1;
  if (Array.isArray(v)) {
    mix(T_ARRAY);
    const n = v.length;
    mix(n);
    for (let i = 0; i < n; i++) mixValue(v[i], d);
    return;
  }
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView) {
      mix(T_BYTES);
      mixBytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return;
    }
    const kind = typedKind(v);
    if (kind !== 0) {
      mixTyped(kind, v as unknown as AnyTypedArray);
      return;
    }
  }
  if (v instanceof ArrayBuffer) {
    mix(T_BYTES);
    mixBytes(new Uint8Array(v));
    return;
  }
  if (v instanceof Map) {
    mix(T_MAP);
    mix(v.size);
    for (const [k, x] of v) {
      mixValue(k, d);
      mixValue(x, d);
    }
    return;
  }
  if (v instanceof Set) {
    mix(T_SET);
    mix(v.size);
    for (const x of v) mixValue(x, d);
    return;
  }
  if (v instanceof Date) {
    mix(T_DATE);
    mixNumber(v.getTime());
    return;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  mix(T_OBJECT);
  mix(keys.length);
  for (const k of keys) {
    mixString(k);
    mixValue(obj[k], d);
  }
}

/**
 * A stable 64-bit hash of a structured value, as 16 lowercase hex characters. Equal values
 * hash equally on every engine and platform; it is meant for comparing states between peers
 * (desync detection), not for security.
 *
 * - numbers by their float64 bits (so `0` and `-0` differ; every NaN hashes alike),
 * - strings by UTF-16 code units, bigints by value, booleans, `null`, `undefined`,
 * - arrays in order; plain objects and class instances by their own enumerable string keys,
 *   sorted (insertion order does not matter); `Map` and `Set` in iteration order (which apps
 *   can observe); `Date` by time value,
 * - typed arrays, `DataView` and `ArrayBuffer` by element values and element type.
 *
 * Throws `TimelineError('UNHASHABLE')` on functions, symbols, and on cycles or nesting deeper
 * than 2000 levels.
 */
export function stateHash(value: unknown): string {
  h1 = 0x2545f491;
  h2 = 0x61c88647;
  mixValue(value, 0);
  return finish();
}

/** @internal `stateHash` of `value` followed by four uint32 words (the PRNG state). */
export function stateHashWithWords(value: unknown, words: Uint32Array): string {
  h1 = 0x2545f491;
  h2 = 0x61c88647;
  mixValue(value, 0);
  mix(0x52414e44);
  mix(words[0]!);
  mix(words[1]!);
  mix(words[2]!);
  mix(words[3]!);
  return finish();
}
