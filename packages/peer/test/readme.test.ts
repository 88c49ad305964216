import { rectangleKeyCodec } from '@symmetric/codec';
import { RectangleKeys, rectangleApp } from '@symmetric/core';
import { createPeer } from '@symmetric/peer';
import { LoopbackNetwork } from '@symmetric/transport-loopback';
import { expect, it } from 'vitest';

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) =>
    (globalThis as unknown as { setTimeout(f: () => void, ms: number): void }).setTimeout(resolve, ms),
  );

it('the README example runs as written', async () => {
  const net = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 20 } });
  const make = (id: string) =>
    createPeer({
      app: rectangleApp,
      payloadCodec: rectangleKeyCodec,
      transports: [net.transport(id)],
      room: 'demo',
      delay: 100, // Δ in ms, or 'auto'
      now: () => net.now(),
    });
  const a = make('a');
  const b = make('b');
  await a.attach();
  await b.attach();
  b.dial('a');

  const frame = (ms: number) => {
    for (let t = net.now(); t < ms; t += 20) {
      net.runUntil(t + 20);
      a.step(t + 20);
      b.step(t + 20);
    }
  };
  frame(1000); // handshake, SYNC, both 'live'
  a.emit(RectangleKeys.right);
  frame(1500); // b's key lands after a's on every peer (same-tick events are ordered by source id)
  b.emit(RectangleKeys.up);
  frame(3000);
  expect([a.status, b.status, a.hash() === b.hash()]).toEqual(['live', 'live', true]);
  expect(a.state).toEqual(b.state);
  expect(a.state.dy).toBe(-1);
});

it('start()/stop() on real timers over a real-time loopback network', async () => {
  const net = new LoopbackNetwork({ time: 'real', latency: { dist: 'constant', ms: 5 } });
  const mk = (id: string) =>
    createPeer({
      app: rectangleApp,
      payloadCodec: rectangleKeyCodec,
      transports: [net.transport(id)],
      room: 'rt',
      delay: 60,
    });
  const a = mk('a');
  const b = createPeer({
    app: rectangleApp,
    payloadCodec: rectangleKeyCodec,
    transports: [net.transport('b')],
    room: 'rt',
    delay: 60,
    dial: ['a'],
  });
  let renders = 0;
  a.on('render', () => renders++);
  await a.start();
  await b.start();
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await sleep(10);
  };
  await until(() => a.status === 'live' && b.status === 'live');
  expect([a.status, b.status]).toEqual(['live', 'live']);
  a.emit(RectangleKeys.left);
  await until(() => b.stats().events === 1);
  expect(b.stats().events).toBe(1);
  const rendersBefore = renders;
  await sleep(200);
  // About 10 frames in 200 ms at 50 fps; a loaded machine may merge frames (one render per step).
  expect(renders - rendersBefore).toBeGreaterThanOrEqual(2);
  expect(renders - rendersBefore).toBeLessThanOrEqual(20);
  const left: string[] = [];
  a.on('peer:leave', (i) => left.push(i.peerId));
  await b.stop();
  await until(() => left.length === 1);
  expect(left).toEqual([b.id]);
  expect(b.status).toBe('stopped');
  await a.stop();
});
