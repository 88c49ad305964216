import { type RectangleKey, RectangleKeys, type RectangleState } from '@symmetric/core';
import {
  type Peer as AnyPeer,
  generateIdentity,
  identityFromSecretKey,
  type PeerExcludedInfo,
  peerIdFromPublicKey,
  publicKeyOfPeerId,
} from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { Attacker } from './helpers/attacker.js';
import { type Cluster as AnyCluster, cluster, distinct, loopback } from './helpers/harness.js';

type Peer = AnyPeer<RectangleState, RectangleKey>;
type Cluster = AnyCluster<RectangleState, RectangleKey>;

/** Three honest, authenticated peers in a line a - b - c. */
async function honestLine(): Promise<{ c: Cluster; a: Peer; b: Peer; cc: Peer }> {
  const net = loopback(10);
  const c = await cluster(net, { trusted: false, delay: 300 });
  const a = await c.add('a');
  const b = await c.add('b', {}, ['a']);
  const cc = await c.add('c', {}, ['b']);
  c.run(600);
  return { c, a, b, cc };
}

/** Every honest peer emits `n` events, spread over time; returns how many were emitted. */
function honestTraffic(c: Cluster, peers: readonly Peer[], n: number, untilMs: number): number {
  const keys = [RectangleKeys.left, RectangleKeys.up, RectangleKeys.right, RectangleKeys.down];
  let k = 0;
  const start = c.now();
  const every = (untilMs - start) / (n + 1);
  let next = start + every;
  c.run(untilMs, (t) => {
    while (t >= next && k < n * peers.length) {
      peers[k % peers.length]!.emit(keys[k % 4]!);
      k++;
      next += every / peers.length;
    }
  });
  return k;
}

/** The event ids `p` knows (held, pending or refused). */
function knownOf(p: Peer): { has(source: string, seq: number): boolean } {
  return (p as unknown as { ctx: { eventIds: { has(source: string, seq: number): boolean } } }).ctx.eventIds;
}

/** Events of honest sources held by `p`: each honest source's seqs are 1..eventsEmitted. */
function honestHeld(p: Peer, honest: readonly Peer[]): number {
  let n = 0;
  for (const h of honest) {
    const emitted = h.stats().eventsEmitted;
    for (let seq = 1; seq <= emitted; seq++) if (knownOf(p).has(h.source, seq)) n++;
  }
  return n;
}

function expectConverged(c: Cluster, honest: readonly Peer[]): void {
  const hashes = new Map<string, string>();
  for (const [address, p] of c.peers)
    if (honest.includes(p as Peer)) hashes.set(address, c.hashes().get(address)!);
  expect(distinct(hashes)).toHaveLength(1);
  const total = honest.reduce((s, h) => s + h.stats().eventsEmitted, 0);
  for (const p of honest) expect(honestHeld(p, honest)).toBe(total);
  for (const p of honest) expect(p.stats().errors.SEQ_CONFLICT ?? 0).toBe(0);
}

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

describe('a hostile peer in an authenticated room (loopback, virtual time)', () => {
  it('events injected under another peer’s source are refused by signature, nobody blames the owner', async () => {
    const { c, a, b, cc } = await honestLine();
    const m = await new Attacker(c.net.transport('m') as never, 'm').start();
    m.dial('a');
    m.dial('c');
    c.run(1200);
    expect(a.neighbours().map((n) => n.peerId)).toContain(m.identity.peerId);
    // Forged: b's source, seqs far above b's own, signed with m's key (the only key m has).
    const forged = [1, 2, 3].map((i) =>
      m.sign({ source: b.source, seq: 100 + i, tick: a.tick + 20, payload: RectangleKeys.down }),
    );
    m.send('a', { type: 'events', events: forged });
    m.send('c', { type: 'events', events: forged });
    honestTraffic(c, [a, b, cc], 6, 5000);
    c.run(8000);
    for (const p of [a, cc]) {
      expect(p.stats().errors.BAD_SIGNATURE).toBe(1);
      expect(p.stats().signaturesRejected).toBeGreaterThanOrEqual(1);
    }
    expect(m.linked('a')).toBe(false);
    expect(m.linked('c')).toBe(false);
    for (const p of [a, b, cc]) expect(knownOf(p).has(b.source, 101)).toBe(false);
    expectConverged(c, [a, b, cc]);
  });

  it('a relayed event altered on the way is refused; the true one arrives by repair', async () => {
    const { c, a, b, cc } = await honestLine();
    const m = await new Attacker(c.net.transport('m') as never, 'm').start();
    m.dial('b');
    m.dial('c');
    c.run(1200);
    // c hears the room only through m for a while.
    c.net.cut('b', 'c');
    let altered = 0;
    m.onFrame = (frame, from) => {
      if (from !== 'b' || frame.type !== 'events') return;
      const events = frame.events.map((ev) => {
        if (altered > 0 || ev.source !== a.source) return ev;
        altered++;
        const payload = ev.payload === RectangleKeys.left ? RectangleKeys.right : RectangleKeys.left;
        return { ...ev, payload };
      });
      m.send('c', { type: 'events', events });
    };
    a.emit(RectangleKeys.up);
    c.run(c.now() + 500);
    expect(altered).toBe(1);
    expect(cc.stats().errors.BAD_SIGNATURE).toBe(1);
    expect(m.linked('c')).toBe(false);
    c.net.heal('b', 'c');
    cc.dial('b');
    honestTraffic(c, [a, b, cc], 4, c.now() + 4000);
    c.run(c.now() + 4000);
    expectConverged(c, [a, b, cc]);
  });

  it('an equivocating source is proven, excluded on every honest peer, and they converge', async () => {
    const { c, a, b, cc } = await honestLine();
    const m = await new Attacker(c.net.transport('m') as never, 'm').start();
    m.dial('a');
    m.dial('c');
    c.run(1200);
    const excluded: PeerExcludedInfo[] = [];
    for (const p of [a, b, cc]) p.on('peer:excluded', (i) => excluded.push(i));
    const tick = a.tick + 30;
    // Same (source, seq), different payloads, both validly signed: one to a, the other to c.
    m.send('a', {
      type: 'events',
      events: [m.sign({ source: m.source, seq: 1, tick, payload: RectangleKeys.left })],
    });
    m.send('c', {
      type: 'events',
      events: [m.sign({ source: m.source, seq: 1, tick, payload: RectangleKeys.right })],
    });
    m.send('a', {
      type: 'events',
      events: [m.sign({ source: m.source, seq: 2, tick, payload: RectangleKeys.up })],
    });
    honestTraffic(c, [a, b, cc], 6, 5000);
    c.run(8000);
    expect(excluded).toHaveLength(3);
    for (const i of excluded)
      expect(i).toEqual({ peerId: m.identity.peerId, source: m.source, fromSeq: 1, reason: 'equivocation' });
    for (const p of [a, b, cc]) {
      expect(p.stats().equivocations).toBe(1);
      expect(p.stats().errors.EQUIVOCATION).toBe(1);
    }
    expectConverged(c, [a, b, cc]);
  });

  it('a hello claiming an honest peer’s id cannot prove it: refused, the real link stays', async () => {
    const { c, a, b, cc } = await honestLine();
    const joined: string[] = [];
    a.on('peer:join', (i) => joined.push(i.peerId));
    const m = await new Attacker(c.net.transport('m') as never, 'm', { claimId: b.id }).start();
    m.dial('a');
    m.dial('c');
    c.run(1500);
    expect(joined).toEqual([]);
    for (const p of [a, cc]) expect(p.stats().errors.AUTH_FAILED).toBe(1);
    expect(a.neighbours().map((n) => n.peerId)).toEqual([b.id]);
    expect(cc.neighbours().map((n) => n.peerId)).toEqual([b.id]);
    // The refusal says why, in a bye, to the impostor.
    const byes = m.received
      .filter((r) => r.frame.type === 'bye')
      .map((r) => (r.frame as { reason: string }).reason);
    expect(byes).toHaveLength(2);
    for (const reason of byes) expect(reason).toMatch(/^AUTH_FAILED: /);
    honestTraffic(c, [a, b, cc], 8, 6000);
    c.run(9000);
    expectConverged(c, [a, b, cc]);
  });

  it('a captured handshake replayed on a new link fails (the proof binds the receiver’s nonce)', async () => {
    const { c, a, b, cc } = await honestLine();
    // m poses as an ordinary peer and lets b dial it, recording what b sends.
    const m = await new Attacker(c.net.transport('m') as never, 'm').start();
    b.dial('m');
    c.run(1200);
    const captured = m.received.filter((r) => r.from === 'b').map((r) => r.bytes);
    expect(captured.map((_, i) => m.received.filter((r) => r.from === 'b')[i]!.frame.type)).toContain('auth');
    // Replay b's hello, challenge, auth (and whatever followed) to a, from another address.
    const replayer = await new Attacker(c.net.transport('r') as never, 'r', { replay: captured }).start();
    replayer.dial('a');
    c.run(2000);
    expect(a.stats().errors.AUTH_FAILED).toBe(1);
    expect(a.neighbours().map((n) => n.peerId)).toEqual([b.id]);
    expect(replayer.linked('a')).toBe(false);
    honestTraffic(c, [a, b, cc], 6, 5000);
    c.run(8000);
    expectConverged(c, [a, b, cc]);
  });

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
