import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { BATCH_VERIFY_MIN, type SignedMessage, verifyBatch } from '@symmetric/peer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preverifySignatures, verifySignature } from '../src/signing.js';
import { Attacker } from './helpers/attacker.js';
import { cluster, loopback } from './helpers/harness.js';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const random = (bytes: Uint8Array): Uint8Array =>
  (
    globalThis as unknown as { crypto: { getRandomValues(b: Uint8Array): Uint8Array } }
  ).crypto.getRandomValues(bytes);

function le(bytes: Uint8Array): bigint {
  let x = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

function toLe(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn);
  return out;
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => Number.parseInt(b, 16)));
}

/** Encodings of points of small order (1, 2, 4, 8): the torsion a cofactored check ignores. */
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
].map((h) => Point.fromBytes(hex(h), true));

function msg(i: number): Uint8Array {
  return Uint8Array.from({ length: 20 + (i % 7) }, (_, k) => (i * 31 + k * 7) & 0xff);
}

function challenge(r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint {
  const input = new Uint8Array(r.length + a.length + m.length);
  input.set(r, 0);
  input.set(a, r.length);
  input.set(m, r.length + a.length);
  return le(sha512(input)) % L;
}

/**
 * A signature made by hand under a key with a torsion component (`A = aB + T`): it satisfies the
 * cofactored equation only, which `ed25519.verify` checks.
 */
function torsionSigned(i: number): SignedMessage {
  const a = (le(sha512(Uint8Array.of(1, i))) % (L - 1n)) + 1n;
  const r = (le(sha512(Uint8Array.of(2, i))) % (L - 1n)) + 1n;
  const A = Point.BASE.multiply(a).add(SMALL_ORDER[(i % 5) + 1]!);
  const R = Point.BASE.multiply(r).toBytes();
  const publicKey = A.toBytes();
  const message = msg(1000 + i);
  const s = (r + challenge(R, publicKey, message) * a) % L;
  const signature = new Uint8Array(64);
  signature.set(R, 0);
  signature.set(toLe(s), 32);
  return { publicKey, message, signature };
}

/** Valid signatures by three keys, made once (signing is the slow part). */
const keys = [1, 2, 3].map((k) => {
  const secretKey = sha512(Uint8Array.of(k)).slice(0, 32);
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
});
const valid: SignedMessage[] = Array.from({ length: 24 }, (_, i) => {
  const key = keys[i % 3]!;
  const message = msg(i);
  return { publicKey: key.publicKey, message, signature: ed25519.sign(message, key.secretKey) };
});
const torsion: SignedMessage[] = Array.from({ length: 4 }, (_, i) => torsionSigned(i));

/** Ways to spoil a signature. */
type Spoil =
  | { kind: 'message-bit'; bit: number }
  | { kind: 'r-bit'; bit: number }
  | { kind: 's-bit'; bit: number }
  | { kind: 'malleated-s' }
  | { kind: 'other-key' }
  | { kind: 'small-order-r'; which: number }
  | { kind: 'small-order-key'; which: number };

function spoil(item: SignedMessage, how: Spoil): SignedMessage {
  const signature = item.signature.slice();
  const message = item.message.slice();
  switch (how.kind) {
    case 'message-bit':
      message[how.bit % message.length]! ^= 1 << (how.bit % 8);
      return { ...item, message };
    case 'r-bit':
      signature[how.bit % 32]! ^= 1 << (how.bit % 8);
      return { ...item, signature };
    case 's-bit':
      signature[32 + (how.bit % 31)]! ^= 1 << (how.bit % 8);
      return { ...item, signature };
    case 'malleated-s':
      signature.set(toLe(le(signature.subarray(32)) + L), 32);
      return { ...item, signature };
    case 'other-key':
      return { ...item, publicKey: keys.find((k) => k.publicKey !== item.publicKey)!.publicKey };
    case 'small-order-r':
      signature.set(SMALL_ORDER[how.which % SMALL_ORDER.length]!.toBytes(), 0);
      return { ...item, signature };
    case 'small-order-key': {
      // R and A of small order, s = 0: the cofactored equation holds for any message.
      const p = SMALL_ORDER[how.which % SMALL_ORDER.length]!.toBytes();
      signature.set(p, 0);
      signature.fill(0, 32);
      return { publicKey: p, message, signature };
    }
  }
}

const spoilArb: fc.Arbitrary<Spoil> = fc.oneof(
  fc.record({ kind: fc.constant('message-bit' as const), bit: fc.nat(255) }),
  fc.record({ kind: fc.constant('r-bit' as const), bit: fc.nat(255) }),
  fc.record({ kind: fc.constant('s-bit' as const), bit: fc.nat(247) }),
  fc.record({ kind: fc.constant('malleated-s' as const) }),
  fc.record({ kind: fc.constant('other-key' as const) }),
  fc.record({ kind: fc.constant('small-order-r' as const), which: fc.nat(5) }),
  fc.record({ kind: fc.constant('small-order-key' as const), which: fc.nat(5) }),
);

const single = (i: SignedMessage): boolean => ed25519.verify(i.signature, i.message, i.publicKey);

describe('batch verification of Ed25519 signatures', () => {
  it('accepts every batch of valid signatures (several keys, torsion-laced keys), as single verification does', () => {
    const pool = [...valid, ...torsion];
    for (const t of torsion) expect(single(t)).toBe(true);
    fc.assert(
      fc.property(fc.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 12 }), (picks) => {
        expect(
          verifyBatch(
            picks.map((i) => pool[i]!),
            random,
          ),
        ).toBe(true);
      }),
      { numRuns: 25 },
    );
    expect(verifyBatch([], random)).toBe(true);
  });

  it('gives single verification’s verdict with one spoiled signature anywhere (bits, malleated s, other key, small-order points)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(valid.length - 1), { minLength: 1, maxLength: 10 }),
        fc.nat(),
        spoilArb,
        (picks, at, how) => {
          const items = picks.map((i) => valid[i]!);
          const k = at % items.length;
          items[k] = spoil(items[k]!, how);
          expect(verifyBatch(items, random)).toBe(items.every(single));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a malleated s (s + L) and a small-order key are judged as single verification judges them', () => {
    const malleated = spoil(valid[0]!, { kind: 'malleated-s' });
    expect(single(malleated)).toBe(false);
    expect(verifyBatch([valid[1]!, malleated], random)).toBe(false);
    const smallKey = spoil(valid[0]!, { kind: 'small-order-key', which: 5 });
    expect(verifyBatch([valid[1]!, smallKey], random)).toBe(single(smallKey));
  });

  it('a failed batch remembers nothing, so each signature is then judged alone and the bad one found', () => {
    const items = valid
      .slice(0, Math.max(BATCH_VERIFY_MIN, 10))
      .map((i, k) => (k === 6 ? spoil(i, { kind: 'message-bit', bit: 3 }) : i));
    preverifySignatures(items);
    expect(items.map((i) => verifySignature(i.publicKey, i.message, i.signature))).toEqual(items.map(single));
  });

  it('a frame of many events is verified as one batch in the runtime; a bad signature in one is still found, its link closed', async () => {
    const net = loopback(10);
    const c = await cluster(net, { trusted: false, delay: 200 });
    const a = await c.add('a', { aloneGraceMs: 0 });
    const m = await new Attacker(net.transport('m'), 'm').start();
    await m.dial('a');
    c.run(600);
    expect(a.neighbours().map((n) => n.peerId)).toEqual([m.identity.peerId]);
    const n = 2 * BATCH_VERIFY_MIN;
    const frame = (from: number, tick: number) =>
      Array.from({ length: n }, (_, i) => m.sign({ source: m.source, seq: from + i, tick, payload: i % 4 }));
    const known = (seq: number): boolean =>
      (a as unknown as { ctx: { eventIds: { has(s: string, q: number): boolean } } }).ctx.eventIds.has(
        m.source,
        seq,
      );
    m.send('a', { type: 'events', events: frame(1, a.tick + 30) });
    c.run(1000);
    expect(a.stats().signaturesVerified).toBeGreaterThanOrEqual(n);
    expect(known(n)).toBe(true);
    const second = frame(n + 1, a.tick + 30);
    const bad = n - 3;
    second[bad] = { ...second[bad]!, payload: (second[bad]!.payload + 1) % 4 };
    m.send('a', { type: 'events', events: second });
    c.run(1500);
    expect(a.stats().errors.BAD_SIGNATURE).toBe(1);
    expect(m.linked('a')).toBe(false);
    // The events before the bad one verified (one by one once the batch failed), none after.
    expect(known(n + bad)).toBe(true);
    expect(known(n + bad + 1)).toBe(false);
  });
});
