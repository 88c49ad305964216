import {
  generateIdentity,
  identityFromSecretKey,
  peerIdFromPublicKey,
  publicKeyOfPeerId,
} from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { cluster, loopback } from './helpers/harness.js';
import { runHostileScenarios, virtualClock } from './hostile/scenarios.js';

describe('peer ids are keys', () => {
  it('the id is the libp2p Ed25519 form of the public key, and a stored key gives the same id', () => {
    const id = generateIdentity();
    expect(id.peerId).toMatch(/^12D3KooW/);
    expect(peerIdFromPublicKey(id.publicKey)).toBe(id.peerId);
    expect(publicKeyOfPeerId(id.peerId)).toEqual(id.publicKey);
    expect(identityFromSecretKey(id.secretKey).peerId).toBe(id.peerId);
    expect(publicKeyOfPeerId('p1')).toBeUndefined();
    expect(publicKeyOfPeerId('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N')).toBeUndefined();
  });
});

runHostileScenarios('loopback (virtual time)', {
  world: async () => {
    const net = loopback(10);
    return {
      clock: virtualClock(net),
      node: async (name) => ({ transport: net.transport(name) }),
      addressOf: (name) => name,
    };
  },
});

describe('admission to an authenticated room (loopback, virtual time)', () => {
  it('a trusted peer is refused by an authenticated room, once, with the reason on both sides', async () => {
    const net = loopback(10);
    const c = await cluster(net, { delay: 200 });
    const a = await c.add('a', { trusted: false, redial: { minMs: 100, maxMs: 60_000 } });
    const t = await c.add('t', { redial: { minMs: 100, maxMs: 60_000 }, dial: ['a'] });
    let hellos = 0;
    t.on('peer:join', () => hellos++);
    c.run(10_000);
    expect(a.stats().errors.AUTH_FAILED).toBe(1);
    expect(t.stats().errors.REFUSED).toBe(1);
    expect(c.errors.find((e) => e.code === 'REFUSED')?.message).toMatch(
      /AUTH_FAILED: the neighbour does not authenticate/,
    );
    // After the verdict the address is redialled at the slowest pace (60 s), not every 100 ms.
    expect(hellos).toBe(1);
    expect(a.stats().neighbours).toBe(0);
  });

  it('admission: a peer without the room secret, or whose key is not listed, is refused (NOT_ADMITTED)', async () => {
    const net = loopback(10);
    const c = await cluster(net, { trusted: false, delay: 200 });
    const a = await c.add('a', { admission: { secret: 'sesame' } });
    const b = await c.add('b', { admission: { secret: 'sesame' } }, ['a']);
    const x = await c.add('x', { admission: { secret: 'wrong' } }, ['a']);
    const [p, q, r] = [generateIdentity(), generateIdentity(), generateIdentity()];
    const allowedPeers = [p.peerId, q.peerId];
    const pp = await c.add('p', { identity: p, admission: { allowedPeers } });
    const qq = await c.add('q', { identity: q, admission: { allowedPeers } }, ['p']);
    const rr = await c.add('r', { identity: r, admission: { allowedPeers } }, ['p']);
    c.run(2000);
    expect(a.neighbours().map((n) => n.peerId)).toEqual([b.id]);
    expect(a.stats().errors.NOT_ADMITTED).toBe(1);
    expect(x.stats().errors.NOT_ADMITTED).toBe(1);
    expect(x.stats().neighbours).toBe(0);
    expect(pp.neighbours().map((n) => n.peerId)).toEqual([qq.id]);
    expect(pp.stats().errors.NOT_ADMITTED).toBe(1);
    expect(rr.stats().neighbours).toBe(0);
  });
});
