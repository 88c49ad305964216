import { bytesPayloadCodec, createCodec } from '@symmetric/codec';
import type { App } from '@symmetric/core';
import { RectangleKeys, type RectangleState, rectangleApp } from '@symmetric/core';
import { isPeerError, PeerError } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';
import { RawPeer } from './helpers/raw-peer.js';

describe('bad input at the boundary', () => {
  it('garbage bytes: typed CODEC error, counter, link closed, peer keeps running and converges', async () => {
    const net = loopback(10);
    const c = await cluster(net, { delay: 200 });
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    const raw = await new RawPeer(net.transport('evil'), 'evil').start();
    raw.dial('a');
    c.run(500);
    expect(a.stats().neighbours).toBe(2);
    raw.sendRaw('a', new Uint8Array([0xff, 0x13, 0x37, 0x00, 0x42]));
    a.emit(RectangleKeys.up);
    c.run(1000);
    const codecErrors = c.errors.filter((e) => e.code === 'CODEC');
    expect(codecErrors).toHaveLength(1);
    expect(codecErrors[0]).toBeInstanceOf(PeerError);
    expect(isPeerError(codecErrors[0], 'CODEC')).toBe(true);
    expect(codecErrors[0]!.codecCode).toBeTypeOf('string');
    expect(a.stats().errors.CODEC).toBe(1);
    expect(a.stats().neighbours).toBe(1);
    expect(raw.closed).toHaveLength(1);
    b.emit(RectangleKeys.left);
    c.run(3000);
    expect(a.stats().events).toBe(2);
    expect(b.stats().events).toBe(2);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(a.status).toBe('live');
  });

  it('a frame before hello, a second hello: PROTOCOL, link closed', async () => {
    const net = loopback(10);
    const c = await cluster(net);
    const a = await c.add('a');
    const raw = await new RawPeer(net.transport('r1'), 'r1').start();
    raw.dial('a');
    c.run(100);
    raw.send('a', {
      type: 'hello',
      version: 1,
      room: 'test',
      fps: 50,
      peerId: 'r1',
      capabilities: 0,
      appId: '',
    });
    c.run(200);
    expect(a.stats().errors.PROTOCOL).toBe(1);
    expect(raw.closed).toHaveLength(1);
    expect(a.stats().links).toBe(0);
  });

  it('wrong room, wrong fps, wrong app id, own id: typed mismatch errors on both sides, link closed', async () => {
    const cases = [
      { code: 'ROOM_MISMATCH', opts: { room: 'other' } },
      { code: 'FPS_MISMATCH', opts: { fps: 60 } },
      { code: 'APP_MISMATCH', opts: { appId: 'v2' } },
    ] as const;
    for (const { code, opts } of cases) {
      const net = loopback(10);
      const c = await cluster(net, { delay: 200 });
      const a = await c.add('a');
      const b = await c.add('b', {}, ['a']);
      const odd = await c.add('odd', opts, ['a']);
      c.run(1000);
      expect(a.stats().errors[code]).toBe(1);
      expect(odd.stats().errors[code]).toBe(1);
      expect(a.stats().links).toBe(1);
      expect(a.neighbours().map((n) => n.peerId)).toEqual(['b']);
      a.emit(RectangleKeys.down);
      c.run(2500);
      expect(b.stats().events).toBe(1);
      expect(odd.stats().events).toBe(0);
      expect(a.hash()).toBe(b.hash());
    }
    const net = loopback(10);
    const c = await cluster(net);
    const a = await c.add('a');
    const raw = await new RawPeer(net.transport('twin'), 'twin', { peerId: 'a' }).start();
    raw.dial('a');
    c.run(200);
    expect(a.stats().errors.SELF_LINK).toBe(1);
    expect(a.stats().links).toBe(0);
  });

  it('an undecodable payload drops only the frame; a far-future event closes the link', async () => {
    const net = loopback(10);
    const c = await cluster(net);
    const a = await c.add('a');
    const raw = await new RawPeer(net.transport('r'), 'r').start();
    raw.dial('a');
    c.run(200);
    // A valid events frame whose payload byte is 9 (not a rectangle key): BAD_PAYLOAD, not fatal.
    const bytes = createCodec({ payload: bytesPayloadCodec })
      .encoder()
      .encode({ type: 'events', events: [{ source: 'z', seq: 1, tick: 10, payload: new Uint8Array([9]) }] });
    raw.sendRaw('a', bytes);
    c.run(300);
    const errs = c.errors.filter((e) => e.code === 'CODEC');
    expect(errs.length).toBe(1);
    expect(a.stats().links).toBe(1);
    raw.send('a', { type: 'events', events: [{ source: 'q', seq: 1, tick: 1e12, payload: 1 }] });
    c.run(400);
    expect(a.stats().errors.OUT_OF_RANGE).toBe(1);
    expect(a.stats().links).toBe(0);
    expect(a.stats().events).toBe(0);
  });

  it('no hello within the handshake timeout: HANDSHAKE_TIMEOUT', async () => {
    const net = loopback(10);
    const c = await cluster(net, { handshakeTimeoutMs: 500 });
    const a = await c.add('a');
    const t = net.transport('mute');
    await t.start({ onLink: () => {}, onFrame: () => {}, onClose: () => {}, onError: () => {} });
    await t.dial('a');
    c.run(1000);
    expect(a.stats().errors.HANDSHAKE_TIMEOUT).toBe(1);
    expect(a.stats().links).toBe(0);
  });

  it('local misuse throws typed errors', async () => {
    const net = loopback(10);
    const c = await cluster(net);
    const a = await c.add('a');
    expect(() => a.emit(7 as never)).toThrow(PeerError);
    expect(a.stats().errors.INVALID_PAYLOAD).toBe(1);
    await c.remove('a');
    expect(() => a.emit(1 as never)).toThrowError(expect.objectContaining({ code: 'STOPPED' }));
    await expect(c.add('x', { fps: -1 })).rejects.toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});

describe('desync detection', () => {
  it('reports the tick and the peers when a non-deterministic app diverges', async () => {
    const net = loopback(10);
    const c = await cluster<RectangleState, number>(net, {
      delay: 100,
      history: 'full',
      settleTicks: 50,
      hashIntervalMs: 200,
      desyncConfirmMs: 1000,
    });
    await c.add('a');
    await c.add('b', {}, ['a']);
    // c's app moves twice as far on "right": a deliberately non-deterministic replica.
    const broken: App<RectangleState, number> = {
      ...rectangleApp,
      event(s, key, ctx) {
        rectangleApp.event(s, key as 0, ctx);
        if (key === RectangleKeys.right) s.x += 1;
      },
    };
    const cc = await c.add('c', { app: broken }, ['b']);
    const desyncs: { tick: number; peers: readonly string[] }[] = [];
    for (const p of c.peers.values()) p.on('desync', (d) => desyncs.push({ tick: d.tick, peers: d.peers }));
    c.run(2000);
    expect(desyncs).toEqual([]);
    c.peers.get('a')!.emit(RectangleKeys.right);
    c.run(6000);
    expect(desyncs.length).toBeGreaterThan(0);
    const first = desyncs[0]!;
    expect(first.tick % 50).toBe(0);
    expect(first.tick).toBeGreaterThan(100);
    // Only the b—c link disagrees; a and b agree with each other.
    for (const d of desyncs) expect([...d.peers].sort()).toEqual(['b', 'c']);
    expect(cc.stats().desyncs).toBeGreaterThan(0);
    expect(c.peers.get('a')!.stats().desyncs).toBe(0);
    expect(c.peers.get('a')!.stats().hashesCompared).toBeGreaterThan(0);
  });

  it('raises no false desync when a partition longer than the settle window heals', async () => {
    const net = loopback(20);
    const c = await cluster(net, { delay: 100, settleTicks: 25, hashIntervalMs: 200, desyncConfirmMs: 3000 });
    await c.add('a');
    await c.add('b', { dial: ['a'], redial: { minMs: 100, maxMs: 200 } });
    const desyncs: unknown[] = [];
    for (const p of c.peers.values()) p.on('desync', (d) => desyncs.push(d));
    c.run(1000);
    net.cut('a', 'b');
    c.peers.get('a')!.emit(RectangleKeys.left);
    c.run(2000);
    c.peers.get('b')!.emit(RectangleKeys.up);
    c.run(5000); // both reported hashes of ticks that the other side's events will change
    net.heal('a', 'b');
    c.run(12_000);
    expect(c.peers.get('a')!.stats().hashesCompared).toBeGreaterThan(0);
    expect(desyncs).toEqual([]);
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});
