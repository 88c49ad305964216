import { isTransportError } from '@symmetric/transport';
import { isLoopbackError, LoopbackError, LoopbackNetwork } from '@symmetric/transport-loopback';
import { describe, expect, it } from 'vitest';
import { counterFrame, counterOf, record } from './helpers.js';

describe('a stopped transport is released by its network', () => {
  it('holds only the started transports after 500 crash/restart cycles at one address', async () => {
    const network = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 20 } });
    const hub = network.transport('hub');
    const hubHandler = record(network, 'hub');
    await hub.start(hubHandler);
    expect(network.footprint()).toEqual({ transports: 1, linkEnds: 0, queued: 0, pairs: 0 });

    for (let i = 0; i < 500; i++) {
      const incarnation = network.transport('p', { connectTo: ['hub'] });
      await incarnation.start(record(network, `p${i}`));
      expect(incarnation.links()).toHaveLength(1);
      incarnation.links()[0]!.send(counterFrame(i));
      network.runUntil(network.now() + 30);
      expect(network.footprint().transports).toBe(2);
      expect(network.footprint().linkEnds).toBe(2);
      await incarnation.stop();
      network.runUntil(network.now() + 30); // the close reaches the hub
    }

    expect(network.footprint()).toEqual({ transports: 1, linkEnds: 0, queued: 0, pairs: 1 });
    expect(hubHandler.links).toHaveLength(500);
    expect(hubHandler.links.map((l) => counterOf(hubHandler.frames.get(l)![0]!))).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    );
    expect(network.stats().linksOpened).toBe(500);
  });

  it('never holds a transport that was created but not started', () => {
    const network = new LoopbackNetwork({ time: 'virtual' });
    for (let i = 0; i < 100; i++) network.transport(`idle-${i}`, { connectTo: ['elsewhere'] });
    expect(network.footprint().transports).toBe(0);
  });

  it('still re-dials a connectTo link to an address whose transport restarted, after releasing the old one', async () => {
    const network = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 50 } });
    const a = network.transport('a', { connectTo: ['b'] });
    await a.start(record(network, 'a'));
    for (let round = 0; round < 3; round++) {
      const b = network.transport('b');
      const hb = record(network, `b${round}`);
      await b.start(hb);
      network.runUntil(network.now() + 100); // linked at once (start) or when the last close arrived
      expect(hb.links).toHaveLength(1);
      await b.stop();
      expect(network.footprint().transports).toBe(1);
    }
    const last = network.transport('b');
    const hLast = record(network, 'last');
    await last.start(hLast);
    expect(hLast.links).toHaveLength(0); // the previous link's close is still in flight
    network.runUntil(network.now() + 100);
    expect(hLast.links).toHaveLength(1);
    expect(network.footprint()).toMatchObject({ transports: 2, linkEnds: 2 });
  });

  it('a stopped transport may be started again and is held again while started', async () => {
    const network = new LoopbackNetwork({ time: 'virtual' });
    const t = network.transport('t');
    for (let i = 0; i < 3; i++) {
      await t.start(record(network, 't'));
      expect(network.footprint().transports).toBe(1);
      await t.stop();
      expect(network.footprint().transports).toBe(0);
    }
  });
});

/** The engine's collector, exposed through V8 flags (Node only; `undefined` elsewhere). */
async function exposeGc(): Promise<(() => void) | undefined> {
  try {
    const v8 = (await import(`node:${'v8'}`)) as { setFlagsFromString(flags: string): void };
    const vm = (await import(`node:${'vm'}`)) as { runInNewContext(code: string): unknown };
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

const nextTurn = (): Promise<void> =>
  new Promise((resolve) =>
    (globalThis as unknown as { setTimeout(fn: () => void, ms: number): unknown }).setTimeout(resolve, 0),
  );

describe('a stopped transport can be garbage-collected', () => {
  it('neither the stopped transports nor their handlers stay reachable through the network', async () => {
    const gc = await exposeGc();
    expect(gc).toBeTypeOf('function');
    const network = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 5 } });
    const hub = network.transport('hub');
    let delivered = 0;
    await hub.start({
      onLink: () => {},
      onFrame: () => {
        delivered++;
      },
      onClose: () => {},
      onError: () => {},
    });
    const transports: WeakRef<object>[] = [];
    const handlers: WeakRef<object>[] = [];
    const cycle = async (i: number): Promise<void> => {
      const incarnation = network.transport('p', { connectTo: ['hub'] });
      const handler = record(network, `p${i}`);
      transports.push(new WeakRef(incarnation));
      handlers.push(new WeakRef(handler));
      await incarnation.start(handler);
      incarnation.links()[0]!.send(counterFrame(i));
      network.runUntil(network.now() + 10);
      await incarnation.stop();
      network.runUntil(network.now() + 10);
    };
    for (let i = 0; i < 50; i++) await cycle(i);
    expect(delivered).toBe(50);
    await nextTurn();
    gc!();
    await nextTurn();
    gc!();
    expect(transports.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(handlers.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(network.footprint().transports).toBe(1);
  });
});

describe('isLoopbackError', () => {
  it('recognises LoopbackErrors by name and code, and nothing else', () => {
    let thrown: unknown;
    try {
      new LoopbackNetwork({ seed: Number.NaN });
    } catch (error) {
      thrown = error;
    }
    expect(isLoopbackError(thrown)).toBe(true);
    expect((thrown as LoopbackError).code).toBe('BAD_OPTIONS');
    expect(isTransportError(thrown)).toBe(false);
    expect(isLoopbackError(new Error('plain'))).toBe(false);
    expect(isLoopbackError({ name: 'LoopbackError', code: 'BAD_OPTIONS' })).toBe(false);
    expect(isLoopbackError(new LoopbackError('REENTRANT', 'x'))).toBe(true);
  });
});
