import { createStreamRandom } from '@symmetric/core';
import type { CloseInfo, Link, Transport, TransportHandler } from '@symmetric/transport';
import { TransportError } from '@symmetric/transport';
import { runTransportConformance } from '@symmetric/transport/conformance';
import { WebSocketTransport } from '@symmetric/transport-ws';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type LatencyModel,
  LatencyTransportError,
  latencyTransport,
  mergeLatency,
  sampleLatencyMs,
} from '../src/real/latency.js';

// ---------------------------------------------------------------------------------------------
// A minimal in-memory transport pair: synchronous, FIFO, so every delay seen is the wrapper's.

class FakeLink implements Link {
  open = true;
  peer: FakeLink | undefined;
  constructor(
    readonly id: string,
    readonly direction: 'inbound' | 'outbound',
    readonly owner: FakeTransport,
    readonly remoteAddress: string,
  ) {}
  readonly remotePeerId = undefined;
  send(frame: Uint8Array): boolean {
    if (!this.open) return false;
    const p = this.peer!;
    p.owner.handler?.onFrame(p, frame.slice());
    return true;
  }
  close(reason = 'closed'): void {
    if (!this.open) return;
    this.open = false;
    this.owner.handler?.onClose(this, { local: true, reason });
    const p = this.peer!;
    if (p.open) {
      p.open = false;
      p.owner.handler?.onClose(p, { local: false, reason });
    }
  }
}

const registry = new Map<string, FakeTransport>();
let nextId = 0;

class FakeTransport implements Transport {
  readonly name = 'fake';
  handler: TransportHandler | undefined;
  readonly all: FakeLink[] = [];
  constructor(readonly address: string) {}
  async start(handler: TransportHandler): Promise<void> {
    this.handler = handler;
    registry.set(this.address, this);
  }
  async dial(address: string): Promise<Link> {
    const remote = registry.get(address);
    if (remote === undefined) throw new TransportError('DIAL_FAILED', `no ${address}`);
    const a = new FakeLink(`l${nextId++}`, 'outbound', this, address);
    const b = new FakeLink(`l${nextId++}`, 'inbound', remote, this.address);
    a.peer = b;
    b.peer = a;
    this.all.push(a);
    remote.all.push(b);
    remote.handler?.onLink(b);
    this.handler?.onLink(a);
    return a;
  }
  addresses(): string[] {
    return [this.address];
  }
  links(): Link[] {
    return this.all.filter((l) => l.open);
  }
  async stop(): Promise<void> {
    for (const l of this.all) l.close('stop');
    registry.delete(this.address);
  }
}

/** Records callbacks with their arrival time. */
class Recorder implements TransportHandler {
  readonly links: Link[] = [];
  readonly frames: { link: Link; frame: Uint8Array; at: number }[] = [];
  readonly closes: { link: Link; info: CloseInfo; framesBefore: number }[] = [];
  readonly errors: { error: TransportError; link: Link | undefined }[] = [];
  onLink(link: Link): void {
    this.links.push(link);
  }
  onFrame(link: Link, frame: Uint8Array): void {
    this.frames.push({ link, frame, at: performance.now() });
  }
  onClose(link: Link, info: CloseInfo): void {
    this.closes.push({ link, info, framesBefore: this.frames.length });
  }
  onError(error: TransportError, link?: Link): void {
    this.errors.push({ error, link });
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
async function until(p: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!p()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

let addr = 0;
/** Two wrapped fake transports, a dialled link between them, and the receiver's recorder. */
async function pair(model: LatencyModel, seed = 1) {
  const a = new FakeTransport(`a${addr++}`);
  const b = new FakeTransport(`b${addr++}`);
  const wa = latencyTransport(a, model, seed);
  const wb = latencyTransport(b, model, seed + 1);
  const ra = new Recorder();
  const rb = new Recorder();
  await wa.start(ra);
  await wb.start(rb);
  const link = await wa.dial(b.address);
  return { a, b, wa, wb, ra, rb, link, remote: rb.links[0]! };
}

const seq = (i: number): Uint8Array => Uint8Array.of(i & 0xff, (i >> 8) & 0xff);
const seqOf = (f: Uint8Array): number => f[0]! | (f[1]! << 8);

// ---------------------------------------------------------------------------------------------

describe('sampleLatencyMs', () => {
  it('normal samples have the model mean and s.d., and are truncated at 0', () => {
    const r = createStreamRandom(42, 't');
    const xs = Array.from({ length: 20_000 }, () =>
      sampleLatencyMs({ dist: 'normal', meanMs: 50, sdMs: 10 }, r),
    );
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    expect(mean).toBeGreaterThan(49.7);
    expect(mean).toBeLessThan(50.3);
    expect(sd).toBeGreaterThan(9.7);
    expect(sd).toBeLessThan(10.3);
    const wide = Array.from({ length: 2000 }, () =>
      sampleLatencyMs({ dist: 'normal', meanMs: 1, sdMs: 10 }, r),
    );
    expect(Math.min(...wide)).toBe(0);
    expect(wide.filter((x) => x === 0).length).toBeGreaterThan(700); // ~46 % of the mass is below 0
  });

  it('constant and uniform models stay in range (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        (seed, lo) => {
          const r = createStreamRandom(seed, 'p');
          expect(sampleLatencyMs({ dist: 'constant', ms: lo }, r)).toBe(lo);
          const x = sampleLatencyMs({ dist: 'uniform', minMs: lo, maxMs: lo + 10 }, r);
          expect(x).toBeGreaterThanOrEqual(lo);
          expect(x).toBeLessThan(lo + 10);
        },
      ),
    );
  });
});

describe('latencyTransport', () => {
  it('keeps FIFO per link even when samples would reorder frames', async () => {
    // s.d. 40 ms around 30 ms: consecutive samples often invert; the floor must hold order.
    const { link, rb, wb } = await pair({ dist: 'normal', meanMs: 30, sdMs: 40 });
    const sentAt: number[] = [];
    for (let i = 0; i < 400; i++) {
      sentAt.push(performance.now());
      link.send(seq(i));
      if (i % 50 === 49) await sleep(3);
    }
    await until(() => rb.frames.length === 400, '400 frames');
    expect(rb.frames.map((f) => seqOf(f.frame))).toEqual(Array.from({ length: 400 }, (_, i) => i));
    // Delivery times never go backwards.
    for (let i = 1; i < 400; i++) expect(rb.frames[i]!.at).toBeGreaterThanOrEqual(rb.frames[i - 1]!.at);
    const s = wb.stats();
    expect(s.framesIn).toBe(400);
    expect(s.framesDelivered).toBe(400);
    expect(s.framesDropped).toBe(0);
  });

  it('delays frames by the model: mean and spread roughly right', async () => {
    const { link, rb, wb } = await pair({ dist: 'normal', meanMs: 40, sdMs: 5 }, 9);
    // Spaced sends (6 ms apart) so the FIFO floor seldom binds.
    const sentAt: number[] = [];
    for (let i = 0; i < 150; i++) {
      sentAt.push(performance.now());
      link.send(seq(i));
      await sleep(6);
    }
    await until(() => rb.frames.length === 150, '150 frames');
    const delays = rb.frames.map((f, i) => f.at - sentAt[i]!);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(Math.min(...delays)).toBeGreaterThan(40 - 5 * 4); // no frame skips the wait
    expect(mean).toBeGreaterThan(38);
    expect(mean).toBeLessThan(50); // timer lateness adds a little
    const s = wb.stats();
    expect(s.sampledMeanMs).toBeGreaterThan(38);
    expect(s.sampledMeanMs).toBeLessThan(42);
    expect(s.actualMeanMs).toBeGreaterThanOrEqual(s.sampledMeanMs - 0.5);
    expect(s.actualSdMs).toBeGreaterThan(2);
    expect(s.actualSdMs).toBeLessThan(10);
    expect(s.latenessMeanMs).toBeGreaterThanOrEqual(0);
  });

  it('a remote close arrives after the frames sent before it, exactly once', async () => {
    const { link, rb, remote } = await pair({ dist: 'constant', ms: 30 });
    for (let i = 0; i < 5; i++) link.send(seq(i));
    link.close('bye');
    expect(link.open).toBe(false);
    expect(link.send(seq(9))).toBe(false);
    // Still in flight: nothing reported yet, and the receiving side reads as closing.
    expect(rb.frames).toHaveLength(0);
    expect(rb.closes).toHaveLength(0);
    expect(remote.open).toBe(false);
    await until(() => rb.closes.length === 1, 'remote close');
    expect(rb.frames.map((f) => seqOf(f.frame))).toEqual([0, 1, 2, 3, 4]);
    expect(rb.closes[0]).toMatchObject({
      link: remote,
      info: { local: false, reason: 'bye' },
      framesBefore: 5,
    });
    await sleep(50);
    expect(rb.closes).toHaveLength(1);
  });

  it('a local close drops frames not yet due and reports onClose once, with local: true', async () => {
    const { link, ra, rb, remote, wb } = await pair({ dist: 'constant', ms: 40 });
    for (let i = 0; i < 3; i++) link.send(seq(i));
    remote.close('enough');
    expect(remote.open).toBe(false);
    expect(rb.closes).toEqual([{ link: remote, info: { local: true, reason: 'enough' }, framesBefore: 0 }]);
    remote.close('again');
    await sleep(80);
    expect(rb.frames).toHaveLength(0);
    expect(rb.closes).toHaveLength(1);
    expect(wb.stats().framesDropped).toBe(3);
    // The other side learns of it.
    expect(ra.closes).toHaveLength(1);
    expect(ra.closes[0]!.info.local).toBe(false);
    expect(ra.closes[0]!.link).toBe(link);
  });

  it('closing locally while a remote close waits for queued frames reports local: true once', async () => {
    const { link, rb, remote } = await pair({ dist: 'constant', ms: 40 });
    link.send(seq(1));
    link.close('remote-bye');
    remote.close('mine');
    expect(rb.closes).toEqual([{ link: remote, info: { local: true, reason: 'mine' }, framesBefore: 0 }]);
    await sleep(80);
    expect(rb.closes).toHaveLength(1);
    expect(rb.frames).toHaveLength(0);
  });

  it('passes links, errors and stop through, always with the same wrapped link object', async () => {
    const { a, wa, ra, link, rb, wb, remote } = await pair({ dist: 'constant', ms: 5 });
    expect(ra.links).toEqual([link]); // dial resolves to the object onLink got
    expect(wa.links()).toEqual([link]);
    expect(wb.links()).toEqual([remote]);
    expect(wa.addresses()).toEqual(a.addresses());
    expect(wa.name).toBe('fake');
    expect(wa.inner).toBe(a);
    expect(link.id).toBe(a.all[0]!.id);
    expect(link.direction).toBe('outbound');
    expect(remote.direction).toBe('inbound');
    // An error on a link reaches the owner with the wrapper.
    const err = new TransportError('PROTOCOL', 'bad frame');
    a.handler!.onError(err, a.all[0]!);
    a.handler!.onError(err);
    expect(ra.errors).toEqual([
      { error: err, link },
      { error: err, link: undefined },
    ]);
    link.send(seq(7));
    link.send(seq(8));
    await wb.stop();
    expect(rb.closes).toHaveLength(1);
    expect(rb.closes[0]!.info.local).toBe(true);
    expect(rb.frames).toHaveLength(0); // the two frames were still in flight
    expect(wb.links()).toEqual([]);
    await until(() => ra.closes.length === 1, 'a sees the close');
    await wa.stop();
    expect(ra.closes).toHaveLength(1);
  });

  it('taps every delivered frame, in delivery order, with the wrapped link', async () => {
    const a = new FakeTransport(`a${addr++}`);
    const b = new FakeTransport(`b${addr++}`);
    const tapped: { link: Link; n: number }[] = [];
    const wa = latencyTransport(a, { dist: 'uniform', minMs: 1, maxMs: 8 }, 5);
    const wb = latencyTransport(b, { dist: 'uniform', minMs: 1, maxMs: 8 }, 6, {
      tap: (link, frame) => tapped.push({ link, n: seqOf(frame) }),
    });
    const rb = new Recorder();
    await wa.start(new Recorder());
    await wb.start(rb);
    const link = await wa.dial(b.address);
    for (let i = 0; i < 20; i++) link.send(seq(i));
    await until(() => rb.frames.length === 20, '20 frames');
    expect(tapped.map((t) => t.n)).toEqual(rb.frames.map((f) => seqOf(f.frame)));
    expect(tapped.every((t) => t.link === rb.links[0])).toBe(true);
    await wa.stop();
    await wb.stop();
  });

  it('rejects bad models and a second start with typed errors', async () => {
    const inner = new FakeTransport(`x${addr++}`);
    for (const bad of [
      { dist: 'normal', meanMs: -1, sdMs: 1 },
      { dist: 'normal', meanMs: 5, sdMs: Number.NaN },
      { dist: 'uniform', minMs: 5, maxMs: 1 },
      { dist: 'constant', ms: Number.POSITIVE_INFINITY },
      { dist: 'pareto' },
    ]) {
      expect(() => latencyTransport(inner, bad as LatencyModel, 1)).toThrow(LatencyTransportError);
      try {
        latencyTransport(inner, bad as LatencyModel, 1);
      } catch (e) {
        expect((e as LatencyTransportError).code).toBe('BAD_LATENCY');
      }
    }
    const t = latencyTransport(inner, { dist: 'constant', ms: 1 }, 1);
    await t.start(new Recorder());
    await expect(t.start(new Recorder())).rejects.toMatchObject({ code: 'ALREADY_STARTED' });
    await t.stop();
  });

  it('mergeLatency combines per-transport counters frame-weighted', () => {
    const m = mergeLatency([
      {
        framesIn: 2,
        framesDelivered: 2,
        framesDropped: 0,
        sampledMeanMs: 10,
        actualMeanMs: 10,
        actualSdMs: 0,
        latenessMeanMs: 1,
        latenessMaxMs: 2,
      },
      {
        framesIn: 2,
        framesDelivered: 2,
        framesDropped: 1,
        sampledMeanMs: 20,
        actualMeanMs: 20,
        actualSdMs: 0,
        latenessMeanMs: 3,
        latenessMaxMs: 5,
      },
    ]);
    expect(m).toMatchObject({
      framesIn: 4,
      framesDelivered: 4,
      framesDropped: 1,
      sampledMeanMs: 15,
      actualMeanMs: 15,
    });
    expect(m.actualSdMs).toBeCloseTo(Math.sqrt(100 / 3), 3); // values 10,10,20,20
    expect(m.latenessMeanMs).toBe(2);
    expect(m.latenessMaxMs).toBe(5);
  });
});

// The wrapped WebSocket transport still honours the whole transport contract.
runTransportConformance('latency(ws)', {
  create: async () =>
    latencyTransport(
      new WebSocketTransport({ listen: { port: 0 } }),
      { dist: 'normal', meanMs: 3, sdMs: 1 },
      addr++,
    ),
  maxFrameBytes: 1 << 20,
  timeoutMs: 10_000,
});
