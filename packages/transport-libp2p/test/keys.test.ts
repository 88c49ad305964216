import { identityFromSecretKey } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { identityFromSeed, isConfigError, peerIdOf, symmetricIdentity } from '../src/index.js';

describe('identityFromSeed', () => {
  it('gives back the key a peer store keeps: the same seed, public key and peer id', async () => {
    const seed = new Uint8Array(32).map((_, i) => (i * 7 + 3) & 0xff);
    const key = await identityFromSeed(seed);
    const sym = symmetricIdentity(key);
    const peer = identityFromSecretKey(seed);
    expect(sym.secretKey).toEqual(seed);
    expect(sym.publicKey).toEqual(peer.publicKey);
    expect(peerIdOf(key)).toBe(peer.peerId);
    expect(peerIdOf(await identityFromSeed(seed))).toBe(peer.peerId);
  });

  it('refuses anything but 32 bytes with BAD_KEY', async () => {
    for (const bad of [new Uint8Array(31), new Uint8Array(64), 'seed' as unknown as Uint8Array]) {
      const e = await identityFromSeed(bad).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(isConfigError(e) && e.code === 'BAD_KEY').toBe(true);
    }
  });
});
