/**
 * Identity helpers: the libp2p Ed25519 key is the Symmetric identity, its peer id string the
 * Symmetric peer id, and the same key signs events.
 */
import {
  generateKeyPair,
  generateKeyPairFromSeed,
  privateKeyFromProtobuf,
  privateKeyToProtobuf,
} from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { ConfigError } from './errors.js';

/** A new random Ed25519 identity. */
export async function generateIdentity(): Promise<PrivateKey> {
  return generateKeyPair('Ed25519');
}

/** The identity as bytes (libp2p's protobuf key encoding, 68 bytes for Ed25519) to store it. */
export function identityToBytes(key: PrivateKey): Uint8Array {
  return privateKeyToProtobuf(key);
}

/** Reads {@link identityToBytes} output; throws {@link ConfigError} `BAD_KEY` for anything else or non-Ed25519 keys. */
export function identityFromBytes(bytes: Uint8Array): PrivateKey {
  let key: PrivateKey;
  try {
    key = privateKeyFromProtobuf(bytes);
  } catch (cause) {
    throw new ConfigError('BAD_KEY', 'not a libp2p private key (protobuf encoding expected)', { cause });
  }
  if (key.type !== 'Ed25519') throw new ConfigError('BAD_KEY', `Ed25519 key expected, got ${key.type}`);
  return key;
}

/**
 * The Ed25519 identity of a 32-byte seed: the form a Symmetric peer store keeps a key in
 * (`StoredKey.privateKey`), so a peer restarted from its store keeps its libp2p peer id.
 * Throws {@link ConfigError} `BAD_KEY` unless `seed` is 32 bytes.
 */
export async function identityFromSeed(seed: Uint8Array): Promise<PrivateKey> {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new ConfigError('BAD_KEY', 'an Ed25519 seed is 32 bytes');
  }
  return generateKeyPairFromSeed('Ed25519', seed);
}

/** Accepts a key object or its bytes; checks it is Ed25519. */
export function toIdentity(key: PrivateKey | Uint8Array): PrivateKey {
  if (key instanceof Uint8Array) return identityFromBytes(key);
  if (key === null || typeof key !== 'object' || key.type !== 'Ed25519') {
    throw new ConfigError('BAD_KEY', 'privateKey must be an Ed25519 libp2p PrivateKey or its protobuf bytes');
  }
  return key;
}

/** The peer id string (`12D3KooW…`) of a key: the Symmetric peer id. */
export function peerIdOf(key: PrivateKey): string {
  return peerIdFromPrivateKey(key).toString();
}

/**
 * The key as a Symmetric peer identity (the shape `createPeer({ identity })` takes): the 32-byte
 * seed, the public key and the peer id. Ed25519 only.
 */
export function symmetricIdentity(key: PrivateKey): {
  readonly peerId: string;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
} {
  const k = toIdentity(key);
  return { peerId: peerIdOf(k), publicKey: k.publicKey.raw.slice(), secretKey: k.raw.slice(0, 32) };
}

/** Signs `data` with `key` (64-byte Ed25519 signature). */
export async function signWith(key: PrivateKey, data: Uint8Array): Promise<Uint8Array> {
  return await key.sign(data);
}

/**
 * `true` when `signature` is `peerId`'s Ed25519 signature of `data`. Never throws: a malformed
 * peer id, a non-Ed25519 id or a malformed signature give `false`.
 */
export async function verifySignature(
  peerId: string,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    const id = peerIdFromString(peerId);
    if (id.type !== 'Ed25519' || id.publicKey === undefined) return false;
    return await id.publicKey.verify(data, signature);
  } catch {
    return false;
  }
}
