import { ed25519 } from '@noble/curves/ed25519.js';
import type { App, EventContext } from '@symmetric/core';
import { host } from './context.js';
import { PeerError } from './errors.js';

/**
 * A peer's key pair. The peer id is derived from the public key exactly as libp2p derives an
 * Ed25519 peer id (base58btc of the identity multihash of the protobuf-encoded public key, the
 * `12D3KooW…` form), so a Symmetric peer id is also the libp2p peer id of the same key and no
 * key directory is needed: anyone holding the id holds the public key.
 */
export interface PeerIdentity {
  /** The peer id derived from {@link publicKey}. */
  readonly peerId: string;
  /** Ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** Ed25519 secret key (32-byte seed). Keep it private; store it to keep the peer id. */
  readonly secretKey: Uint8Array;
}

/** Identity multihash + protobuf `{ Type: Ed25519, Data: <32 bytes> }`, as libp2p encodes it. */
const ED25519_PEER_ID_PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20);
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = [];
  for (let k = zeros; k < bytes.length; k++) {
    let carry = bytes[k]!;
    for (let i = 0; i < digits.length; i++) {
      carry += digits[i]! << 8;
      digits[i] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = (carry / 58) | 0;
    }
  }
  let out = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) out += B58[digits[i]!];
  return out;
}

function unbase58(s: string): Uint8Array | undefined {
  let zeros = 0;
  while (zeros < s.length && s[zeros] === '1') zeros++;
  const little: number[] = [];
  for (let k = zeros; k < s.length; k++) {
    let carry = B58.indexOf(s[k]!);
    if (carry < 0) return undefined;
    for (let i = 0; i < little.length; i++) {
      carry += little[i]! * 58;
      little[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      little.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + little.length);
  for (let i = 0; i < little.length; i++) out[out.length - 1 - i] = little[i]!;
  return out;
}

/**
 * The peer id of an Ed25519 public key (the libp2p form, `12D3KooW…`).
 * @throws {@link PeerError} `INVALID_OPTION` unless `publicKey` is 32 bytes
 */
export function peerIdFromPublicKey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32)
    throw new PeerError('INVALID_OPTION', 'an Ed25519 public key is 32 bytes');
  const bytes = new Uint8Array(ED25519_PEER_ID_PREFIX.length + 32);
  bytes.set(ED25519_PEER_ID_PREFIX, 0);
  bytes.set(publicKey, ED25519_PEER_ID_PREFIX.length);
  return base58(bytes);
}

/** The Ed25519 public key a peer id was derived from, or `undefined` for any other string. */
export function publicKeyOfPeerId(peerId: string): Uint8Array | undefined {
  if (typeof peerId !== 'string' || peerId.length < 40 || peerId.length > 60) return undefined;
  const bytes = unbase58(peerId);
  if (bytes === undefined || bytes.length !== ED25519_PEER_ID_PREFIX.length + 32) return undefined;
  for (let i = 0; i < ED25519_PEER_ID_PREFIX.length; i++)
    if (bytes[i] !== ED25519_PEER_ID_PREFIX[i]) return undefined;
  const key = bytes.slice(ED25519_PEER_ID_PREFIX.length);
  return peerIdFromPublicKey(key) === peerId ? key : undefined;
}

/**
 * The identity of an Ed25519 secret key (32-byte seed): what a stored key pair is loaded with.
 * @throws {@link PeerError} `INVALID_OPTION` unless `secretKey` is 32 bytes
 */
export function identityFromSecretKey(secretKey: Uint8Array): PeerIdentity {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32)
    throw new PeerError('INVALID_OPTION', 'an Ed25519 secret key is a 32-byte seed');
  const publicKey = ed25519.getPublicKey(secretKey);
  return { peerId: peerIdFromPublicKey(publicKey), publicKey, secretKey: secretKey.slice() };
}

/**
 * A new random identity (pass it as the `identity` option, and store its `secretKey` to keep the
 * peer id across restarts).
 *
 * @example
 * ```ts
 * const identity = generateIdentity();
 * const peer = createPeer({ app, transports, room: 'demo', identity });
 * peer.id === identity.peerId; // true
 * ```
 */
export function generateIdentity(): PeerIdentity {
  const seed = new Uint8Array(32);
  host.crypto.getRandomValues(seed);
  return identityFromSecretKey(seed);
}

/** Separates the peer id from the incarnation in an event source id. */
const INCARNATION_SEPARATOR = '~';
const INCARNATION = /^[0-9A-Za-z_-]{1,32}$/;

/**
 * The identity of an authenticated peer: `identity` (checked: its peer id must be its key's),
 * or a new one; `peerId`, when given, must be that identity's.
 * @throws {@link PeerError} `INVALID_OPTION`
 * @internal
 */
export function resolveIdentity(
  identity: PeerIdentity | undefined,
  peerId: string | undefined,
): PeerIdentity {
  let id: PeerIdentity;
  if (identity === undefined) id = generateIdentity();
  else {
    if (identity === null || typeof identity !== 'object')
      throw new PeerError('INVALID_OPTION', 'identity must be a key pair (see generateIdentity)');
    id = identityFromSecretKey(identity.secretKey);
    if (id.peerId !== identity.peerId)
      throw new PeerError(
        'INVALID_OPTION',
        `identity.peerId '${identity.peerId}' is not its key's ('${id.peerId}')`,
      );
  }
  if (peerId !== undefined && peerId !== id.peerId)
    throw new PeerError(
      'INVALID_OPTION',
      `peerId '${peerId}' is not the identity's ('${id.peerId}'): in an authenticated room the id is ` +
        'derived from the key (pass identity, or trusted: true for a closed room with free ids)',
    );
  return id;
}

/** 16 random hex chars (the default peer id and incarnation). @internal */
export function randomId(): string {
  const bytes = new Uint8Array(8);
  host.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * The peer id of an event source id (`<peerId>~<incarnation>`): what the app sees as
 * `ctx.source`. A string without an incarnation is returned unchanged.
 *
 * @example
 * ```ts
 * peerIdOf('alice~5f3a9c'); // 'alice'
 * ```
 */
export function peerIdOf(source: string): string {
  const at = source.lastIndexOf(INCARNATION_SEPARATOR);
  return at < 0 ? source : source.slice(0, at);
}

/**
 * Check the peer id and incarnation and return the event source id `<peerId>~<incarnation>`.
 * @throws {@link PeerError} `INVALID_OPTION`
 * @internal
 */
export function sourceId(peerId: string, incarnation: string): string {
  if (typeof peerId !== 'string' || peerId.length === 0)
    throw new PeerError('INVALID_OPTION', 'peerId must be a non-empty string');
  if (typeof incarnation !== 'string' || !INCARNATION.test(incarnation))
    throw new PeerError('INVALID_OPTION', 'incarnation must be 1 to 32 characters of [0-9A-Za-z_-]');
  return `${peerId}${INCARNATION_SEPARATOR}${incarnation}`;
}

/**
 * Check that `source` fits the codec's id length limit.
 * @throws {@link PeerError} `INVALID_OPTION`
 * @internal
 */
export function checkSourceLength(source: string, maxIdLength: number): void {
  if (utf8Length(source) > maxIdLength)
    throw new PeerError(
      'INVALID_OPTION',
      `peerId + incarnation ('${source}') is longer than the codec's maxIdLength`,
    );
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * The app as the timeline runs it: `ctx.source` of an event is the peer id of its source (the
 * incarnation is an identity detail of the runtime), everything else is the app's own. Events
 * `excluded` says count for nothing (an equivocating source's) leave the state as it is.
 * @internal
 */
export function withPeerIdSources<S, E>(
  app: App<S, E>,
  excluded?: (source: string, seq: number) => boolean,
): App<S, E> {
  const ctx = { tick: 0, random: undefined as unknown as EventContext['random'], source: '', seq: 0 };
  const wrapped = Object.create(app) as App<S, E>;
  wrapped.event = (state, event, inner) => {
    if (excluded?.(inner.source, inner.seq) === true) return state;
    ctx.tick = inner.tick;
    ctx.random = inner.random;
    ctx.source = peerIdOf(inner.source);
    ctx.seq = inner.seq;
    return app.event(state, event, ctx);
  };
  return wrapped;
}
