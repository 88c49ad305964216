/**
 * Batch verification of Ed25519 signatures: one multi-scalar multiplication checks a random
 * linear combination of the signatures' cofactored equations,
 * `[8](Σ zᵢRᵢ + Σ (Σ zᵢkᵢ)A − (Σ zᵢsᵢ)B) = 0` with independent 128-bit `zᵢ`, where
 * `kᵢ = SHA-512(Rᵢ ‖ Aᵢ ‖ Mᵢ) mod L`, signatures of one key sharing its point. It accepts exactly
 * the batches whose every signature `ed25519.verify` (`@noble/curves`, ZIP-215 decoding, the
 * cofactored equation) accepts, except that a batch holding a bad signature passes with
 * probability at most 2⁻¹²⁵. A failed batch says only that some signature is bad: the caller
 * checks them one by one to find it.
 * @internal
 */
import { pippenger } from '@noble/curves/abstract/curve.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';

/** One signature to check: `signature` by `publicKey` over `message`. */
export interface SignedMessage {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

type Point = InstanceType<typeof ed25519.Point>;
const Point = ed25519.Point;
const L = Point.Fn.ORDER;
/** Bytes of each random coefficient `zᵢ`. */
const Z_BYTES = 16;

function littleEndian(bytes: Uint8Array): bigint {
  let x = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

/** `bytes` as a flat one-byte string (one character per byte), for use as a map key. @internal */
export function latin1(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** A point from its encoding as `ed25519.verify` reads it (ZIP-215), or `undefined`. */
function decode(bytes: Uint8Array): Point | undefined {
  try {
    return Point.fromBytes(bytes, true);
  } catch {
    return undefined;
  }
}

/** `SHA-512(r ‖ publicKey ‖ message) mod L`, the challenge of an Ed25519 signature. */
function challenge(r: Uint8Array, publicKey: Uint8Array, message: Uint8Array): bigint {
  const input = new Uint8Array(r.length + publicKey.length + message.length);
  input.set(r, 0);
  input.set(publicKey, r.length);
  input.set(message, r.length + publicKey.length);
  return littleEndian(sha512(input)) % L;
}

/**
 * `true` when every signature of `items` verifies (see the module comment for the one-sided
 * error). `random` fills a buffer with unpredictable bytes (the coefficients must be unknown to
 * whoever made the signatures). An empty batch verifies.
 */
export function verifyBatch(
  items: readonly SignedMessage[],
  random: (bytes: Uint8Array) => Uint8Array,
): boolean {
  const n = items.length;
  if (n === 0) return true;
  const z = random(new Uint8Array(Z_BYTES * n));
  const points: Point[] = [];
  const scalars: bigint[] = [];
  const keys = new Map<string, number>();
  let sTotal = 0n;
  for (let i = 0; i < n; i++) {
    const { publicKey, message, signature } = items[i]!;
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    const r = signature.subarray(0, 32);
    const s = littleEndian(signature.subarray(32));
    if (s >= L) return false;
    const R = decode(r);
    if (R === undefined) return false;
    const keyId = latin1(publicKey);
    let slot = keys.get(keyId);
    if (slot === undefined) {
      const A = decode(publicKey);
      if (A === undefined) return false;
      slot = points.length;
      points.push(A);
      scalars.push(0n);
      keys.set(keyId, slot);
    }
    const zi = littleEndian(z.subarray(Z_BYTES * i, Z_BYTES * (i + 1))) | 1n;
    points.push(R);
    scalars.push(zi);
    scalars[slot] = (scalars[slot]! + zi * challenge(r, publicKey, message)) % L;
    sTotal = (sTotal + zi * s) % L;
  }
  const sum = pippenger(Point, points, scalars);
  return sum.subtract(Point.BASE.multiplyUnsafe(sTotal)).clearCofactor().is0();
}
