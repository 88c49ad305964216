/** Room keys for libp2p private networks (pnet). */
import { ConfigError } from './errors.js';

const SWARM_KEY_HEADER = '/key/swarm/psk/1.0.0/\n/base16/\n';

/**
 * Turns a room key into a libp2p swarm key (`/key/swarm/psk/1.0.0/\n/base16/\n<64 hex>`).
 * A swarm key file is used as is; any other string or bytes are hashed (SHA-256 over a
 * domain-separated prefix) to the 32-byte pre-shared key, so every peer given the same room
 * key derives the same network key.
 */
export async function roomKeyToSwarmKey(roomKey: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof roomKey === 'string' ? new TextEncoder().encode(roomKey) : roomKey;
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new ConfigError('BAD_KEY', 'roomKey must be a non-empty string or Uint8Array');
  }
  const text = new TextDecoder().decode(bytes);
  if (text.startsWith('/key/swarm/psk/1.0.0/')) {
    if (!/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-fA-F]{64}\s*$/.test(text)) {
      throw new ConfigError('BAD_KEY', 'malformed swarm key file (expected base16 with 64 hex digits)');
    }
    return bytes;
  }
  const prefix = new TextEncoder().encode('symmetric/pnet/room-key/v1\n');
  const input = new Uint8Array(prefix.length + bytes.length);
  input.set(prefix, 0);
  input.set(bytes, prefix.length);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return new TextEncoder().encode(SWARM_KEY_HEADER + hex);
}
