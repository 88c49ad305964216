import { RectangleKeys } from '@symmetric/core';
import type { Link, Transport, TransportHandler } from '@symmetric/transport';
import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';
import { RawPeer } from './helpers/raw-peer.js';

/** Wraps a transport so its links claim an authenticated remote peer id (as libp2p's do). */
function authenticating(inner: Transport, idOf: (address: string) => string): Transport {
  const wrap = (l: Link): Link =>
    new Proxy(l, { get: (t, k) => (k === 'remotePeerId' ? idOf(t.remoteAddress) : Reflect.get(t, k, t)) });
  const wrapped = new WeakMap<Link, Link>();
  const w = (l: Link): Link => {
    let x = wrapped.get(l);
    if (x === undefined) wrapped.set(l, (x = wrap(l)));
    return x;
  };
  return {
    name: inner.name,
    start: (h: TransportHandler) =>
      inner.start({
        onLink: (l) => h.onLink(w(l)),
        onFrame: (l, f) => h.onFrame(w(l), f),
        onClose: (l, i) => h.onClose(w(l), i),
        onError: (e, l) => h.onError(e, l === undefined ? undefined : w(l)),
      }),
    dial: async (a) => w(await inner.dial(a)),
    addresses: () => inner.addresses(),
    links: () => inner.links().map(w),
    stop: () => inner.stop(),
  };
}

describe('links', () => {
  it('both sides dialling each other keep exactly one link (the same one) and converge', async () => {
    const net = loopback(15);
    const c = await cluster(net, { delay: 200 });
    const a = await c.add('a');
    const b = await c.add('b');
    a.dial('b');
    b.dial('a');
    c.run(1000);
    expect(a.neighbours()).toHaveLength(1);
    expect(b.neighbours()).toHaveLength(1);
    expect(a.stats().links).toBe(1);
    // The link dialled by the smaller id ('a') survives on both ends.
    expect(a.neighbours()[0]!.direction).toBe('outbound');
    expect(b.neighbours()[0]!.direction).toBe('inbound');
    a.emit(RectangleKeys.left);
    b.emit(RectangleKeys.right);
    c.run(3000);
    expect(a.stats().events).toBe(2);
    expect(b.stats().events).toBe(2);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors).toEqual([]);
  });

  it('a hello that contradicts the transport-authenticated id is refused (PEER_ID_MISMATCH)', async () => {
    const net = loopback(10);
    const c = await cluster(net);
    const ids: Record<string, string> = { liar: 'someone-else' };
    const a = await c.add('a', {
      transports: [authenticating(net.transport('a'), (addr) => ids[addr] ?? addr)],
    });
    const liar = await new RawPeer(net.transport('liar'), 'liar').start();
    liar.dial('a');
    const honest = await new RawPeer(net.transport('honest'), 'honest').start();
    honest.dial('a');
    c.run(300);
    expect(a.stats().errors.PEER_ID_MISMATCH).toBe(1);
    expect(a.neighbours().map((n) => n.peerId)).toEqual(['honest']);
  });

  it('redials a configured address after its link drops', async () => {
    const net = loopback(10);
    const c = await cluster(net, { redial: { minMs: 100, maxMs: 200 } });
    await c.add('a');
    const b = await c.add('b', { dial: ['a'] });
    c.run(500);
    expect(b.neighbours()).toHaveLength(1);
    net.cut('a', 'b');
    c.run(1000);
    expect(b.neighbours()).toHaveLength(0);
    expect(b.stats().errors.DIAL_FAILED ?? 0).toBe(0); // failures settle asynchronously
    net.heal('a', 'b');
    c.run(2000);
    expect(b.neighbours().map((n) => n.peerId)).toEqual(['a']);
  });
});
