/**
 * Signatures: the peer's Ed25519 key signs its own events and its handshake proof; events and
 * proofs of others are verified under the key their peer id is derived from. Verification is
 * synchronous (`@noble/curves`), so it stays inside frame handling and virtual time. A
 * process-wide memo of the recently verified (key, message, signature) triples makes a signature
 * checked once per process, however many peers of a simulation receive it (verification is a pure
 * function: the memo never changes a verdict), in memory bounded by {@link MEMO_GENERATION}; the
 * public key of each peer id is kept once per process the same way ({@link KEY_GENERATION}).
 * @internal
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  type AuthFrame,
  authSignedBytes,
  type Codec,
  eventSignedBytes,
  msgpackPayloadCodec,
  presenceSignedBytes,
  type WireEvent,
} from '@symmetric/codec';
import { latin1, type SignedMessage, verifyBatch } from './batch-verify.js';
import { host } from './context.js';
import { type PeerIdentity, peerIdOf, publicKeyOfPeerId } from './identity.js';

/**
 * Fewest unverified signatures in one frame for which they are checked as one batch (see
 * batch-verify.ts): below it, one by one is cheaper (`npm run bench:security` prints both).
 */
export const BATCH_VERIFY_MIN = 8;

/**
 * Entries of one generation of the verification memo. A signature is verified by every peer of a
 * process within one propagation (seconds), so the memo only needs the signatures of the last
 * few seconds: it keeps two generations, the one filling and the one before it (at most twice
 * this many entries, about 400 KB), and a lookup finds either.
 */
export const MEMO_GENERATION = 1024;
/**
 * A process-wide memo of a pure function's recent answers in two generations: the one filling
 * and the one before it, at most twice `generation` entries; a lookup finds either.
 */
class TwoGenerations<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();

  constructor(private readonly generation: number) {}

  get(key: string): V | undefined {
    return this.current.get(key) ?? this.previous.get(key);
  }

  set(key: string, value: V): void {
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}

/**
 * Verified triples: key = public key + signature, value = SHA-256 of the message (32 bytes
 * however large the payloads a member signs), both as flat one-byte strings (about 200 bytes an
 * entry; a string built a character at a time, or a typed array, costs several times that).
 */
const memo = new TwoGenerations<string>(MEMO_GENERATION);

/** Ids of one generation of the public-key memo. */
export const KEY_GENERATION = 4096;

/**
 * The public key of each recently seen peer id (`null`: not a key-derived id), for every peer
 * of the process: a pure function of the id, so one entry per id whatever the number of peers
 * asking (a simulation's thousands of peers each verify every source's events), in memory
 * bounded by {@link KEY_GENERATION}.
 */
const keyMemo = new TwoGenerations<Uint8Array | null>(KEY_GENERATION);

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function memoKey(publicKey: Uint8Array, signature: Uint8Array): string {
  const both = new Uint8Array(publicKey.length + signature.length);
  both.set(publicKey);
  both.set(signature, publicKey.length);
  return latin1(both);
}

/** `true` when `signature` is `publicKey`'s Ed25519 signature of `message` (memoised). */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const key = memoKey(publicKey, signature);
  const known = memo.get(key);
  const digest = latin1(sha256(message));
  if (known === digest) return true;
  let ok: boolean;
  try {
    ok = ed25519.verify(signature, message, publicKey);
  } catch {
    ok = false;
  }
  if (ok) memo.set(key, digest);
  return ok;
}

/**
 * Verify the signatures of `items` not verified yet as one batch when there are at least
 * {@link BATCH_VERIFY_MIN} of them, and remember them all when the batch holds. A failed batch
 * remembers nothing: {@link verifySignature} then checks each one and finds the bad one.
 */
export function preverifySignatures(items: readonly SignedMessage[]): void {
  if (items.length < BATCH_VERIFY_MIN) return;
  const pending: { item: SignedMessage; key: string; digest: string }[] = [];
  for (const item of items) {
    if (item.signature.length !== 64) continue;
    const key = memoKey(item.publicKey, item.signature);
    const digest = latin1(sha256(item.message));
    if (memo.get(key) !== digest) pending.push({ item, key, digest });
  }
  if (pending.length < BATCH_VERIFY_MIN) return;
  const random = (bytes: Uint8Array): Uint8Array => host.crypto.getRandomValues(bytes);
  if (
    !verifyBatch(
      pending.map((p) => p.item),
      random,
    )
  )
    return;
  for (const p of pending) memo.set(p.key, p.digest);
}

function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Admission secret as bytes (`undefined`: none). */
function secretBytes(secret: string | Uint8Array | undefined): Uint8Array | undefined {
  if (secret === undefined) return undefined;
  return typeof secret === 'string' ? utf8(secret) : secret;
}

/** What a handshake `auth` check found. */
export type AuthVerdict = 'ok' | 'bad-signature' | 'not-admitted';

/** Signs own events and proofs, verifies others'. @internal */
export class Signer<E> {
  private readonly secret: Uint8Array | undefined;
  private readonly allowed: ReadonlySet<string> | undefined;

  constructor(
    private readonly room: string,
    /** `undefined` in a trusted room (nothing is signed or verified). */
    private readonly identity: PeerIdentity | undefined,
    private readonly codec: Codec<E>,
    admission:
      | { readonly secret?: string | Uint8Array; readonly allowedPeers?: readonly string[] }
      | undefined,
  ) {
    this.secret = secretBytes(admission?.secret);
    this.allowed = admission?.allowedPeers === undefined ? undefined : new Set(admission.allowedPeers);
  }

  /** `true` when events and handshakes are signed and verified. */
  get enabled(): boolean {
    return this.identity !== undefined;
  }

  /**
   * The public key of `peerId` (from a process-wide memo), or `undefined` when it is not a
   * key-derived id. Never written to: the same bytes serve every peer of the process.
   */
  keyOf(peerId: string): Uint8Array | undefined {
    let key = keyMemo.get(peerId);
    if (key === undefined) {
      key = publicKeyOfPeerId(peerId) ?? null;
      keyMemo.set(peerId, key);
    }
    return key ?? undefined;
  }

  /** The bytes an event's signature covers. */
  signedBytes(ev: WireEvent<E>): Uint8Array {
    return eventSignedBytes(
      this.room,
      ev.source,
      ev.seq,
      ev.tick,
      this.codec.payloadBytes(ev.payload),
      ev.restamps,
    );
  }

  /** Sign the own events among `events` that carry no signature yet (in place). */
  seal(events: readonly WireEvent<E>[]): void {
    const identity = this.identity;
    if (identity === undefined) return;
    for (const ev of events) {
      if (ev.signature !== undefined) continue;
      (ev as { signature?: Uint8Array }).signature = ed25519.sign(this.signedBytes(ev), identity.secretKey);
    }
  }

  /** `true` when `ev` carries a valid signature by the key of its source's peer id. */
  verify(ev: WireEvent<E>): boolean {
    const signature = ev.signature;
    if (signature === undefined) return false;
    const key = this.keyOf(peerIdOf(ev.source));
    if (key === undefined) return false;
    let message: Uint8Array;
    try {
      message = this.signedBytes(ev);
    } catch {
      return false;
    }
    return verifySignature(key, message, signature);
  }

  /**
   * Verify the signatures of `events` (those `check` selects) as one batch where that pays, so
   * that {@link verify} of each finds it done; a batch holding a bad signature leaves every event
   * to {@link verify}, which names the bad one.
   */
  preverify(events: readonly WireEvent<E>[], check: (ev: WireEvent<E>) => boolean): void {
    if (this.identity === undefined || events.length < BATCH_VERIFY_MIN) return;
    const items: SignedMessage[] = [];
    for (const ev of events) {
      const signature = ev.signature;
      if (signature === undefined || !check(ev)) continue;
      const publicKey = this.keyOf(peerIdOf(ev.source));
      if (publicKey === undefined) continue;
      let message: Uint8Array;
      try {
        message = this.signedBytes(ev);
      } catch {
        continue;
      }
      items.push({ publicKey, message, signature });
    }
    preverifySignatures(items);
  }

  /** The bytes a presence update's signature covers (`body`: its data without the signature). */
  private presenceBytes(source: string, seq: number, body: readonly unknown[]): Uint8Array {
    return presenceSignedBytes(this.room, source, seq, msgpackPayloadCodec.encode(body));
  }

  /** This peer's signature of its own presence update (`undefined` in a trusted room). */
  signPresence(source: string, seq: number, body: readonly unknown[]): Uint8Array | undefined {
    const identity = this.identity;
    if (identity === undefined) return undefined;
    return ed25519.sign(this.presenceBytes(source, seq, body), identity.secretKey);
  }

  /** `true` when `signature` is the key of `source`'s peer id signing this presence update. */
  verifyPresence(source: string, seq: number, body: readonly unknown[], signature: Uint8Array): boolean {
    const key = this.keyOf(peerIdOf(source));
    if (key === undefined) return false;
    let message: Uint8Array;
    try {
      message = this.presenceBytes(source, seq, body);
    } catch {
      return false;
    }
    return verifySignature(key, message, signature);
  }

  /** `true` when `a` and `b` (same source and seq) carry the same tick and payload. */
  sameContent(a: WireEvent<E>, b: WireEvent<E>): boolean {
    if (a.tick !== b.tick) return false;
    try {
      return equalBytes(this.codec.payloadBytes(a.payload), this.codec.payloadBytes(b.payload));
    } catch {
      return false;
    }
  }

  /** This peer's `auth` for a link: its signature over both ids and nonces, and the admission code. */
  proof(ownNonce: Uint8Array, theirId: string, theirNonce: Uint8Array): AuthFrame {
    const identity = this.identity!;
    const bytes = authSignedBytes(this.room, identity.peerId, ownNonce, theirId, theirNonce);
    const mac = this.secret === undefined ? new Uint8Array(0) : hmac(sha256, this.secret, bytes);
    return { type: 'auth', signature: ed25519.sign(bytes, identity.secretKey), mac };
  }

  /** Check a neighbour's `auth`: its signature, then this room's admission rules. */
  checkProof(theirId: string, theirNonce: Uint8Array, ownNonce: Uint8Array, f: AuthFrame): AuthVerdict {
    const key = this.keyOf(theirId);
    if (key === undefined) return 'bad-signature';
    const bytes = authSignedBytes(this.room, theirId, theirNonce, this.identity!.peerId, ownNonce);
    if (!verifySignature(key, bytes, f.signature)) return 'bad-signature';
    if (this.secret !== undefined && !equalBytes(hmac(sha256, this.secret, bytes), f.mac))
      return 'not-admitted';
    if (this.allowed !== undefined && !this.allowed.has(theirId)) return 'not-admitted';
    return 'ok';
  }
}
