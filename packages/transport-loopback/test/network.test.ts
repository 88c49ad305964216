import { isTransportError, type Link } from '@symmetric/transport';
import {
  createLoopbackPair,
  type LatencyModel,
  LoopbackError,
  LoopbackNetwork,
  SeededRandom,
  type SentFrame,
  sampleLatency,
} from '@symmetric/transport-loopback';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterFrame, counterOf, meanSd, record, type Trace } from './helpers.js';

/** Two started transports in a virtual network and the A→B link (opened synchronously). */
async function virtualPair(options: ConstructorParameters<typeof LoopbackNetwork>[0] = {}) {
  const network = new LoopbackNetwork({ time: 'virtual', ...options });
  const trace: Trace[] = [];
  const ha = record(network, 'A', trace);
  const hb = record(network, 'B', trace);
  const a = network.transport('A');
  const b = network.transport('B');
  await a.start(ha);
  await b.start(hb);
  const ab = await a.dial('B');
  const ba = hb.links[0]!;
  return { network, a, b, ha, hb, ab, ba, trace };
}

/** One-way delays of `n` frames sent 1 s apart (so FIFO never holds one back). */
async function measuredDelays(model: LatencyModel, n: number, seed: number): Promise<number[]> {
  const { network, ab, hb } = await virtualPair({ latency: model, seed });
  const delays: number[] = [];
  hb.onFrameHook = (_link, frame) => {
    delays.push(network.now() - counterOf(frame) * 1000);
  };
  for (let i = 0; i < n; i++) {
    network.runUntil(i * 1000);
    ab.send(counterFrame(i));
  }
  network.runUntil(n * 1000 + 10_000);
  return delays;
}

describe('latency models', () => {
  it('constant: every frame takes exactly ms', async () => {
    const delays = await measuredDelays({ dist: 'constant', ms: 30 }, 500, 1);
    expect(delays).toHaveLength(500);
    expect(new Set(delays)).toEqual(new Set([30]));
  });

  it('uniform 20–80 ms: mean 50, s.d. 60/√12, all within [20, 80)', async () => {
    const delays = await measuredDelays({ dist: 'uniform', minMs: 20, maxMs: 80 }, 20_000, 2);
    const { mean, sd } = meanSd(delays);
    expect(mean).toBeGreaterThan(50 - 0.6);
    expect(mean).toBeLessThan(50 + 0.6);
    expect(Math.abs(sd - 60 / Math.sqrt(12))).toBeLessThan(0.4);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...delays)).toBeLessThan(80);
  });

  it('normal 50 ± 10 ms: mean and s.d. within tolerance over 20 000 frames', async () => {
    const delays = await measuredDelays({ dist: 'normal', meanMs: 50, sdMs: 10 }, 20_000, 3);
    const { mean, sd } = meanSd(delays);
    expect(Math.abs(mean - 50)).toBeLessThan(0.5);
    expect(Math.abs(sd - 10)).toBeLessThan(0.3);
    // Roughly normal: about 68 % within one s.d.
    const within = delays.filter((d) => Math.abs(d - 50) < 10).length / delays.length;
    expect(within).toBeGreaterThan(0.66);
    expect(within).toBeLessThan(0.705);
  });

  it('normal is truncated at 0: no negative delay, about P(Z < -mean/sd) of them exactly 0', async () => {
    const delays = await measuredDelays({ dist: 'normal', meanMs: 5, sdMs: 10 }, 20_000, 4);
    expect(Math.min(...delays)).toBe(0);
    const zeros = delays.filter((d) => d === 0).length / delays.length;
    expect(Math.abs(zeros - 0.3085)).toBeLessThan(0.02); // Φ(-0.5)
  });

  it('samples are a pure function of the seed (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0, max: 500, noNaN: true }), (seed, spread) => {
        const model: LatencyModel = { dist: 'uniform', minMs: 10, maxMs: 10 + spread };
        const r1 = new SeededRandom(seed);
        const r2 = new SeededRandom(seed);
        for (let i = 0; i < 50; i++) {
          const x = sampleLatency(model, r1);
          expect(x).toBe(sampleLatency(model, r2));
          expect(x).toBeGreaterThanOrEqual(10);
          expect(x).toBeLessThanOrEqual(10 + spread);
        }
      }),
    );
    const a = Array.from(
      { length: 8 },
      (
        (r) => () =>
          r.nextUint32()
      )(new SeededRandom(1)),
    );
    const b = Array.from(
      { length: 8 },
      (
        (r) => () =>
          r.nextUint32()
      )(new SeededRandom(2)),
    );
    expect(a).not.toEqual(b);
  });

  it('setLatency applies per pair, both directions, from the next frame on', async () => {
    const { network, ab, ba, ha, hb } = await virtualPair({ latency: { dist: 'constant', ms: 10 } });
    ab.send(counterFrame(1)); // at 10
    network.setLatency('B', 'A', { dist: 'constant', ms: 100 });
    ab.send(counterFrame(2)); // at 100
    ba.send(counterFrame(3)); // at 100
    network.runUntil(99);
    expect(hb.frames.get(ba)!.map(counterOf)).toEqual([1]);
    expect(ha.frames.get(ab)).toEqual([]);
    network.runUntil(100);
    expect(hb.frames.get(ba)!.map(counterOf)).toEqual([1, 2]);
    expect(ha.frames.get(ab)!.map(counterOf)).toEqual([3]);
  });
});

describe('onFrameSent', () => {
  it('reports every frame with its drawn latency and due time, and delivery is the same as without it', async () => {
    const run = async (observe: boolean) => {
      const sent: SentFrame[] = [];
      const { network, ab, hb } = await virtualPair({
        latency: { dist: 'normal', meanMs: 30, sdMs: 15 },
        seed: 4,
        ...(observe ? { onFrameSent: (f: SentFrame) => sent.push(f) } : {}),
      });
      const at: number[] = [];
      hb.onFrameHook = () => at.push(network.now());
      for (let i = 0; i < 200; i++) {
        network.runUntil(i * 3);
        ab.send(counterFrame(i));
      }
      network.runUntil(1e6);
      return { sent, at, ab };
    };
    const plain = await run(false);
    const observed = await run(true);
    expect(observed.at).toEqual(plain.at);
    expect(observed.sent).toHaveLength(200);
    observed.sent.forEach((f, i) => {
      expect(f).toMatchObject({ from: 'A', to: 'B', linkId: observed.ab.id, sentAt: i * 3 });
      expect(f.linkIndex).toBe((observed.ab as unknown as { index: number }).index);
      expect(f.dueAt).toBe(Math.max(f.sentAt + f.delayMs, i > 0 ? observed.sent[i - 1]!.dueAt : 0));
      expect(f.dueAt).toBe(observed.at[i]);
    });
  });
});

describe('FIFO', () => {
  it('under normal latency a frame is never delivered before the previous one (10 000 frames, 1 per ms)', async () => {
    const { network, ab, hb } = await virtualPair({
      latency: { dist: 'normal', meanMs: 50, sdMs: 20 },
      seed: 9,
    });
    const at: number[] = [];
    hb.onFrameHook = () => at.push(network.now());
    for (let i = 0; i < 10_000; i++) {
      network.runUntil(i);
      ab.send(counterFrame(i));
    }
    network.runUntil(1e9);
    const got = hb.frames.get(hb.links[0]!)!.map(counterOf);
    expect(got).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    for (let i = 1; i < at.length; i++) expect(at[i]!).toBeGreaterThanOrEqual(at[i - 1]!);
    // FIFO holds frames back, it never speeds them up: each waited at least... its own send time.
    at.forEach((t, i) => {
      expect(t).toBeGreaterThanOrEqual(i);
    });
  });

  it('holds for any seed, model and send pattern, in both directions (property)', async () => {
    const model = fc.oneof(
      fc.record({ dist: fc.constant('constant' as const), ms: fc.integer({ min: 0, max: 50 }) }),
      fc
        .tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 100 }))
        .map(([minMs, w]) => ({ dist: 'uniform' as const, minMs, maxMs: minMs + w })),
      fc
        .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 60 }))
        .map(([meanMs, sdMs]) => ({ dist: 'normal' as const, meanMs, sdMs })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        model,
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 })), {
          minLength: 1,
          maxLength: 200,
          size: 'max',
        }),
        async (seed, latency, script) => {
          const { network, ab, ba, ha, hb } = await virtualPair({ latency, seed });
          let t = 0;
          const sent: [number[], number[]] = [[], []];
          script.forEach(([fromA, gap], i) => {
            t += gap;
            network.runUntil(t);
            (fromA ? ab : ba).send(counterFrame(i));
            sent[fromA ? 0 : 1].push(i);
          });
          network.runUntil(t + 10_000);
          expect(hb.frames.get(ba)!.map(counterOf)).toEqual(sent[0]);
          expect(ha.frames.get(ab)!.map(counterOf)).toEqual(sent[1]);
          expect(network.nextEventAt()).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('virtual time', () => {
  it('does nothing until runUntil, then calls handlers synchronously in time order (ties: by receiver, each in send order)', async () => {
    const { network, ab, ba, trace } = await virtualPair({ latency: { dist: 'constant', ms: 5 } });
    trace.length = 0;
    ab.send(counterFrame(1));
    ba.send(counterFrame(2));
    network.setLatency('A', 'B', { dist: 'constant', ms: 2 });
    ab.send(counterFrame(3)); // FIFO: not before frame 1 (due at 5)
    expect(network.nextEventAt()).toBe(5);
    expect(trace).toEqual([]);
    network.runUntil(4.999);
    expect(trace).toEqual([]);
    expect(network.now()).toBe(4.999);
    network.runUntil(5);
    expect(trace.map((e) => (e.kind === 'frame' ? `${e.who}@${e.at}:${e.bytes}` : e.kind))).toEqual([
      'B@5:0,0,0,1',
      'B@5:0,0,0,3',
      'A@5:0,0,0,2',
    ]);
    expect(network.nextEventAt()).toBeUndefined();
    network.runUntil(3); // never backwards
    expect(network.now()).toBe(5);
  });

  it('opens links synchronously inside dial (both onLinks), or after a latency sample with connectLatency', async () => {
    const net1 = new LoopbackNetwork({ time: 'virtual' });
    const h1 = record(net1, 'x');
    const h2 = record(net1, 'y');
    await net1.transport('x').start(h1);
    const y = net1.transport('y');
    await y.start(h2);
    void y.dial('x');
    expect(h1.links.map((l) => l.direction)).toEqual(['inbound']);
    expect(h2.links.map((l) => l.direction)).toEqual(['outbound']);

    const net2 = new LoopbackNetwork({
      time: 'virtual',
      connectLatency: true,
      latency: { dist: 'constant', ms: 40 },
    });
    const g1 = record(net2, 'x');
    const g2 = record(net2, 'y');
    await net2.transport('x').start(g1);
    const y2 = net2.transport('y');
    await y2.start(g2);
    let resolved: Link | undefined;
    void y2.dial('x').then((l) => {
      resolved = l;
    });
    expect(network2Links()).toBe(0);
    expect(net2.nextEventAt()).toBe(40);
    net2.runUntil(39);
    expect(network2Links()).toBe(0);
    net2.runUntil(40);
    expect(network2Links()).toBe(2);
    await Promise.resolve();
    expect(resolved).toBe(g2.links[0]);
    function network2Links() {
      return g1.links.length + g2.links.length;
    }
  });

  it('is deterministic: the same seed gives an identical delivery trace, another seed a different one', async () => {
    async function run(seed: number): Promise<string> {
      const network = new LoopbackNetwork({
        time: 'virtual',
        seed,
        latency: { dist: 'normal', meanMs: 30, sdMs: 15 },
        connectLatency: true,
      });
      const trace: Trace[] = [];
      const names = ['p0', 'p1', 'p2', 'p3', 'p4'];
      const transports = names.map((name) => network.transport(name));
      const handlers = names.map((name) => record(network, name, trace));
      for (const [i, h] of handlers.entries()) {
        // Gossip: forward each frame, counter + 1, on the link picked by the counter.
        h.onFrameHook = (_link, frame) => {
          const c = counterOf(frame);
          const links = transports[i]!.links();
          if (c < 400 && links.length > 0) links[c % links.length]!.send(counterFrame(c + 1));
        };
        await transports[i]!.start(h);
      }
      for (let i = 0; i < names.length; i++) {
        for (let j = i + 1; j < names.length; j++) void transports[i]!.dial(names[j]!).catch(() => {});
      }
      network.runUntil(200);
      for (const t of transports) for (const l of t.links()) l.send(counterFrame(0));
      network.runUntil(1_000);
      network.cut('p0', 'p1');
      network.partition([['p2'], ['p3', 'p4']]);
      network.runUntil(2_000);
      network.healAll();
      void transports[0]!.dial('p1').catch(() => {});
      network.runUntil(1e6);
      return JSON.stringify({ trace, stats: network.stats() });
    }
    const first = await run(42);
    expect(first.length).toBeGreaterThan(10_000);
    expect(await run(42)).toBe(first);
    expect(await run(43)).not.toBe(first);
  });

  it('runUntil is refused on a real-time network and from inside a handler', async () => {
    expect(() => new LoopbackNetwork().runUntil(1)).toThrow(LoopbackError);
    try {
      new LoopbackNetwork({ time: 'real' }).runUntil(1);
    } catch (error) {
      expect((error as LoopbackError).code).toBe('WRONG_TIME_MODE');
    }
    const { network, ab, hb } = await virtualPair();
    hb.onFrameHook = () => network.runUntil(10);
    ab.send(counterFrame(1));
    network.runUntil(0);
    expect(hb.errors).toHaveLength(1);
    expect(hb.errors[0]!.code).toBe('INTERNAL');
    expect((hb.errors[0]!.cause as LoopbackError).code).toBe('REENTRANT');
    expect(network.stats().handlerErrors).toBe(1);
  });
});

describe('frames', () => {
  it('are copied on send: the sender may reuse its buffer', async () => {
    const { network, ab, hb, ba } = await virtualPair({ latency: { dist: 'constant', ms: 1 } });
    const buffer = new Uint8Array([1, 2, 3]);
    ab.send(buffer);
    buffer[0] = 9;
    ab.send(buffer);
    buffer.fill(0);
    network.runUntil(1);
    expect(hb.frames.get(ba)!.map((f) => Array.from(f))).toEqual([
      [1, 2, 3],
      [9, 2, 3],
    ]);
  });

  it('with copyFrames: false are delivered as sent (the same array, in order)', async () => {
    const { network, ab, hb, ba } = await virtualPair({
      latency: { dist: 'constant', ms: 1 },
      copyFrames: false,
    });
    const first = new Uint8Array([1, 2, 3]);
    const second = new Uint8Array([4]);
    ab.send(first);
    ab.send(second);
    network.runUntil(1);
    const got = hb.frames.get(ba)!;
    expect(got).toHaveLength(2);
    expect(got[0]).toBe(first);
    expect(got[1]).toBe(second);
    expect(() => new LoopbackNetwork({ copyFrames: 'no' as unknown as boolean })).toThrow(/copyFrames/);
  });

  it('rejects oversized and non-byte frames with typed errors and counts them', async () => {
    const { network, ab } = await virtualPair({ maxFrameBytes: 8 });
    expect(ab.send(new Uint8Array(8))).toBe(true);
    expect(() => ab.send(new Uint8Array(9))).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(() => ab.send('nope' as unknown as Uint8Array)).toThrow(
      expect.objectContaining({ code: 'PROTOCOL' }),
    );
    expect(ab.open).toBe(true);
    expect(network.stats()).toMatchObject({ framesSent: 1, bytesSent: 8, framesRejected: 2 });
  });

  it('to a closed link end are dropped and counted; frames sent before a close arrive before it', async () => {
    const { network, ab, ba, ha, hb } = await virtualPair({ latency: { dist: 'constant', ms: 10 } });
    ab.send(counterFrame(1));
    ba.send(counterFrame(2));
    ab.close('done'); // A: onClose now; B: after frame 1, at 10
    expect(ab.open).toBe(false);
    expect(ha.closes.get(ab)).toEqual({ local: true, reason: 'done' });
    expect(ab.send(counterFrame(3))).toBe(false);
    expect(ba.open).toBe(true);
    network.runUntil(10);
    expect(hb.frames.get(ba)!.map(counterOf)).toEqual([1]);
    expect(hb.closes.get(ba)).toEqual({ local: false, reason: 'done' });
    expect(ha.frames.get(ab)).toEqual([]); // frame 2 reached a closed end
    expect(network.stats()).toMatchObject({ framesSent: 2, framesDelivered: 1, framesDropped: 1 });
  });
});

describe('cut, heal, partition', () => {
  it('cut closes both ends at once, drops frames in flight, refuses dials until heal', async () => {
    const { network, a, b, ab, ba, ha, hb } = await virtualPair({ latency: { dist: 'constant', ms: 10 } });
    ab.send(counterFrame(1));
    network.cut('A', 'B');
    expect(ab.open).toBe(false);
    expect(ba.open).toBe(false);
    expect(ha.closes.get(ab)).toMatchObject({ local: false, reason: 'network cut' });
    expect(ha.closes.get(ab)!.error?.code).toBe('LINK_CLOSED');
    expect(hb.closes.get(ba)).toMatchObject({ local: false, reason: 'network cut' });
    expect(a.links()).toEqual([]);
    expect(b.links()).toEqual([]);
    const refused = await a.dial('B').catch((e: unknown) => e);
    expect(isTransportError(refused) && refused.code).toBe('DIAL_FAILED');
    const refusedBack = await b.dial('A').catch((e: unknown) => e);
    expect(isTransportError(refusedBack) && refusedBack.code).toBe('DIAL_FAILED');
    network.runUntil(100);
    expect(network.stats()).toMatchObject({ framesDropped: 1, framesDelivered: 0, dialsFailed: 2 });

    network.heal('B', 'A');
    const again = await a.dial('B');
    again.send(counterFrame(2));
    network.runUntil(200);
    expect(hb.frames.get(hb.links[1]!)!.map(counterOf)).toEqual([2]);
  });

  it('partition cuts exactly the pairs across groups; healAll restores them', async () => {
    const network = new LoopbackNetwork({ time: 'virtual' });
    const names = ['a', 'b', 'c', 'd', 'e'];
    const ts = names.map((n) => network.transport(n));
    for (const [i, t] of ts.entries()) await t.start(record(network, names[i]!));
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) await ts[i]!.dial(names[j]!);
    expect(ts.map((t) => t.links().length)).toEqual([4, 4, 4, 4, 4]);

    network.partition([
      ['a', 'b'],
      ['c', 'd'],
    ]); // e is in no group: untouched
    const linked = (x: number) =>
      ts[x]!.links()
        .map((l) => l.remoteAddress)
        .sort();
    expect(linked(0)).toEqual(['b', 'e']);
    expect(linked(2)).toEqual(['d', 'e']);
    expect(linked(4)).toEqual(['a', 'b', 'c', 'd']);
    await expect(ts[0]!.dial('c')).rejects.toMatchObject({ code: 'DIAL_FAILED' });
    await expect(ts[0]!.dial('b')).resolves.toBeDefined(); // inside a group: fine

    network.healAll();
    await expect(ts[0]!.dial('c')).resolves.toBeDefined();
    await expect(ts[3]!.dial('b')).resolves.toBeDefined();
  });

  it('rejects malformed input with LoopbackError codes', () => {
    const network = new LoopbackNetwork({ time: 'virtual' });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error instanceof LoopbackError ? error.code : `other: ${String(error)}`;
      }
      return 'no error';
    };
    expect(code(() => new LoopbackNetwork({ time: 'warp' as 'real' }))).toBe('BAD_OPTIONS');
    expect(code(() => new LoopbackNetwork({ maxFrameBytes: 0 }))).toBe('BAD_OPTIONS');
    expect(code(() => new LoopbackNetwork({ seed: Number.NaN }))).toBe('BAD_OPTIONS');
    expect(code(() => new LoopbackNetwork({ latency: { dist: 'normal', meanMs: -1, sdMs: 1 } }))).toBe(
      'BAD_LATENCY',
    );
    expect(code(() => network.setLatency('a', 'b', { dist: 'uniform', minMs: 5, maxMs: 4 }))).toBe(
      'BAD_LATENCY',
    );
    expect(code(() => network.setLatency('a', 'b', { dist: 'pareto' } as unknown as LatencyModel))).toBe(
      'BAD_LATENCY',
    );
    expect(code(() => network.setLatency('a', 'b', { dist: 'constant', ms: Number.POSITIVE_INFINITY }))).toBe(
      'BAD_LATENCY',
    );
    expect(code(() => network.transport(''))).toBe('BAD_ADDRESS');
    expect(code(() => network.cut('a', ''))).toBe('BAD_ADDRESS');
    expect(code(() => network.partition([['a'], [3 as unknown as string]]))).toBe('BAD_ADDRESS');
    expect(code(() => network.runUntil(Number.NaN))).toBe('BAD_OPTIONS');
  });
});

describe('transports', () => {
  it('one address is held by one started transport; a restarted peer takes it after stop', async () => {
    const network = new LoopbackNetwork({ time: 'virtual' });
    const first = network.transport('p');
    await first.start(record(network, 'first'));
    const second = network.transport('p');
    await expect(second.start(record(network, 'second'))).rejects.toMatchObject({ code: 'LISTEN_FAILED' });
    await expect(first.start(record(network, 'first'))).rejects.toMatchObject({ code: 'ALREADY_STARTED' });
    await first.stop();
    const h = record(network, 'second');
    await second.start(h);
    const other = network.transport('q');
    await other.start(record(network, 'q'));
    await other.dial('p');
    expect(h.links).toHaveLength(1);
  });

  it('handler exceptions go to onError (INTERNAL) and delivery continues', async () => {
    const { network, ab, ba, hb } = await virtualPair();
    hb.onFrameHook = (_l, f) => {
      if (counterOf(f) === 1) throw new Error('app bug');
    };
    ab.send(counterFrame(1));
    ab.send(counterFrame(2));
    network.runUntil(0);
    expect(hb.frames.get(ba)!.map(counterOf)).toEqual([1, 2]);
    expect(hb.errors.map((e) => e.code)).toEqual(['INTERNAL']);
    expect(network.stats().handlerErrors).toBe(1);
  });
});

describe('createLoopbackPair', () => {
  it('links the two transports once both are started, in either order, with the latency model', async () => {
    const { network, a, b } = createLoopbackPair({ time: 'virtual', latency: { dist: 'constant', ms: 25 } });
    const ha = record(network, 'a');
    const hb = record(network, 'b');
    await b.start(hb); // a is not up yet: nothing to dial
    expect(hb.links).toHaveLength(0);
    await a.start(ha);
    expect(ha.links.map((l) => l.direction)).toEqual(['inbound']);
    expect(hb.links.map((l) => l.direction)).toEqual(['outbound']);
    hb.links[0]!.send(counterFrame(7));
    network.runUntil(24);
    expect(ha.frames.get(ha.links[0]!)).toEqual([]);
    network.runUntil(25);
    expect(ha.frames.get(ha.links[0]!)!.map(counterOf)).toEqual([7]);

    network.cut('a', 'b');
    network.heal('a', 'b'); // b re-dials
    expect(a.links()).toHaveLength(1);
    expect(b.links()).toHaveLength(1);
  });

  it('re-dials after cuts and heals in the same turn (no microtask in between)', async () => {
    for (const connectLatency of [false, true]) {
      const { network, a, b } = createLoopbackPair({
        time: 'virtual',
        connectLatency,
        latency: { dist: 'constant', ms: 10 },
      });
      await a.start(record(network, 'a'));
      await b.start(record(network, 'b'));
      network.runUntil(10);
      expect(b.links()).toHaveLength(1);
      // Twice, synchronously: the second heal must dial again although no promise callback ran.
      for (let round = 0; round < 2; round++) {
        network.cut('a', 'b');
        expect(b.links()).toHaveLength(0);
        network.heal('a', 'b');
        if (connectLatency) network.runUntil(network.now() + 10);
        expect(b.links()).toHaveLength(1);
        expect(a.links()).toHaveLength(1);
      }
      // Cut and heal twice while a dial is still under way: one link, no duplicate dial.
      network.cut('a', 'b');
      network.heal('a', 'b');
      network.cut('a', 'b');
      network.heal('a', 'b');
      network.runUntil(network.now() + 10);
      expect(b.links()).toHaveLength(1);
      expect(network.stats().dialsFailed).toBe(0);
    }
  });

  it('keeps its connectTo link when the other side restarts within one latency', async () => {
    const network = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 50 } });
    const a = network.transport('a', { connectTo: ['b'] });
    const b1 = network.transport('b');
    await a.start(record(network, 'a'));
    await b1.start(record(network, 'b1'));
    expect(a.links()).toHaveLength(1);
    network.runUntil(100);
    // b crashes and a new transport starts at its address before a hears of the close.
    await b1.stop();
    const b2 = network.transport('b');
    const hb2 = record(network, 'b2');
    await b2.start(hb2);
    expect(a.links()).toHaveLength(1); // still the old link (its close is in flight)
    expect(hb2.links).toHaveLength(0);
    network.runUntil(150); // the close arrives: a dials the new b at once
    expect(a.links()).toHaveLength(1);
    expect(hb2.links).toHaveLength(1);
    expect(a.links()[0]!.open).toBe(true);
    // A deliberate close by a transport that is still listening is not re-dialled.
    hb2.links[0]!.close('go away');
    network.runUntil(300);
    expect(a.links()).toHaveLength(0);
  });

  it('works in real time with latency', async () => {
    const { network, a, b } = createLoopbackPair({
      latency: { dist: 'uniform', minMs: 5, maxMs: 15 },
      seed: 3,
    });
    const ha = record(network, 'a');
    const hb = record(network, 'b');
    await a.start(ha);
    await b.start(hb);
    const sentAt = network.now();
    b.links()[0]!.send(counterFrame(1));
    await new Promise<void>((resolve) => {
      ha.onFrameHook = () => resolve();
    });
    expect(network.now() - sentAt).toBeGreaterThanOrEqual(5 - 1); // timers may round by < 1 ms
    await a.stop();
    await b.stop();
    expect(hb.closes.size).toBe(1);
  });
});
