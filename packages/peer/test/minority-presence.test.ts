import { ed25519 } from '@noble/curves/ed25519.js';
import { msgpackPayloadCodec, presenceSignedBytes } from '@symmetric/codec';
import { describe, expect, it } from 'vitest';
import type { Attacker } from './helpers/attacker.js';
import { type Cluster, type Peer, roomWithAttacker } from './helpers/honest-room.js';

/** `body` (`[user, tick, epoch]`) under `source`'s name, signed with m's own key. */
function signedByAttacker(m: Attacker, source: string, seq: number, body: unknown[]): unknown[] {
  const bytes = presenceSignedBytes('test', source, seq, msgpackPayloadCodec.encode(body));
  return [...body, ed25519.sign(bytes, m.identity.secretKey)];
}

/** m sends a presence update under b's source to a and c, seq far ahead of b's own. */
function spoof(c: Cluster, m: Attacker, b: Peer, data: unknown): void {
  for (const to of ['a', 'c'])
    m.send(to, { type: 'presence', source: b.source, seq: 1_000_000, hops: 32, data });
  c.run(c.now() + 500);
}

describe('a neighbour spoofing presence (authenticated room, loopback, virtual time)', () => {
  it("another peer's name under its source, unsigned: refused, counted, link closed", async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    b.setPresence({ name: 'bob' });
    c.run(c.now() + 1000);
    expect(a.presence().get(b.id)).toEqual({ name: 'bob' });
    spoof(c, m, b, [{ name: 'mallory' }, c.now() / 20, 0]);
    for (const p of [a, cc]) {
      expect(p.presence().get(b.id)).toEqual({ name: 'bob' });
      expect(p.stats().presenceRefused).toBe(1);
      expect(p.stats().errors.PROTOCOL).toBe(1);
    }
    expect(m.linked('a')).toBe(false);
    expect(m.linked('c')).toBe(false);
    // b's own later updates (seq far below the spoofed one) still reach everyone.
    b.setPresence({ name: 'bobby' });
    c.run(c.now() + 1000);
    for (const p of [a, cc]) expect(p.presence().get(b.id)).toEqual({ name: 'bobby' });
  });

  it("another peer's name signed with the attacker's own key: refused as a bad signature, link closed", async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    b.setPresence({ name: 'bob' });
    c.run(c.now() + 1000);
    spoof(c, m, b, signedByAttacker(m, b.source, 1_000_000, [{ name: 'mallory' }, c.now() / 20, 0]));
    for (const p of [a, cc]) {
      expect(p.presence().get(b.id)).toEqual({ name: 'bob' });
      expect(p.stats().presenceRefused).toBe(1);
      expect(p.stats().errors.BAD_SIGNATURE).toBe(1);
    }
    expect(m.linked('a')).toBe(false);
    expect(m.linked('c')).toBe(false);
  });

  it('an unsigned Δ beacon stamped at tick 0 under another source: refused, link closed, Δ untouched', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker({ delay: 'auto' });
    const before = [a.delayTicks, cc.delayTicks];
    spoof(c, m, b, [null, 0, 0]);
    for (const p of [a, cc]) {
      expect(p.stats().presenceRefused).toBe(1);
      expect(p.stats().errors.PROTOCOL).toBe(1);
    }
    expect(m.linked('a')).toBe(false);
    expect(m.linked('c')).toBe(false);
    c.run(c.now() + 5000);
    expect([a.delayTicks, cc.delayTicks]).toEqual(before);
  });

  it('signed presence flows: relayed, greeted to a new neighbour, and cleared on stop', async () => {
    const { c, a, b, cc } = await roomWithAttacker();
    a.setPresence('ann');
    c.run(c.now() + 1000);
    expect(cc.presence().get(a.id)).toBe('ann');
    const j = await c.add('j', {}, ['b']);
    c.run(c.now() + 1000);
    expect(j.presence().get(a.id)).toBe('ann');
    await a.stop();
    c.run(c.now() + 1000);
    for (const p of [b, cc, j]) expect(p.presence().has(a.id)).toBe(false);
    for (const p of [b, cc, j]) expect(p.stats().presenceRefused).toBe(0);
  });
});
