import { rectangleKeyCodec } from '@symmetric/codec';
import { type RectangleKey, rectangleApp } from '@symmetric/core';
import { createPeer, isPeerError, type PeerStats } from '@symmetric/peer';
import { LoopbackNetwork } from '@symmetric/transport-loopback';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BroadcastBus, withBroadcast } from './helpers/bus.js';
import { type Cluster, cluster, distinct, loopback } from './helpers/harness.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

type Mode = 'flood' | 'broadcast';

interface RoomRun {
  readonly c: Cluster<unknown, RectangleKey>;
  readonly bus: BroadcastBus;
  /** Stats deltas over the emission window (plus tail), summed over peers. */
  readonly framesSent: number;
  readonly eventsSent: number;
  readonly duplicates: number;
  readonly stats: PeerStats[];
}

/** Peers `p0..p(n-1)` linked by `edges` (dialled from the lower index), `events` emits 60 ms apart. */
async function runRoom(
  mode: Mode,
  n: number,
  edges: readonly [number, number][],
  options: { events: number; dropRate?: number; seed?: number; tailMs?: number },
): Promise<RoomRun> {
  const net = loopback(10, 2, options.seed ?? 3);
  const bus = new BroadcastBus({
    now: () => net.now(),
    latencyMs: 15,
    dropRate: options.dropRate ?? 0,
    seed: options.seed ?? 3,
  });
  const c = (await cluster(net, { delay: 300, dissemination: mode })) as unknown as Cluster<
    unknown,
    RectangleKey
  >;
  const names = Array.from({ length: n }, (_, i) => `p${i}`);
  for (let i = 0; i < n; i++) {
    const dials = edges.filter(([a, b]) => b === i && a < i).map(([a]) => names[a]!);
    const transports =
      mode === 'broadcast' ? [withBroadcast(net.transport(names[i]!), bus.channel(names[i]!))] : undefined;
    await c.add(names[i]!, transports === undefined ? {} : { transports }, dials);
  }
  const tick = (t: number): void => bus.runUntil(t);
  c.run(2000, tick);
  const before = [...c.peers.values()].map((p) => p.stats());
  const start = c.now();
  for (let k = 0; k < options.events; k++) {
    c.peers.get(names[(k * 7) % n]!)!.emit((k % 5) as RectangleKey);
    c.run(start + (k + 1) * 60, tick);
  }
  c.run(start + options.events * 60 + (options.tailMs ?? 4000), tick);
  const after = [...c.peers.values()].map((p) => p.stats());
  const delta = (f: (s: PeerStats) => number): number => sum(after.map((s, i) => f(s) - f(before[i]!)));
  return {
    c,
    bus,
    framesSent: delta((s) => s.framesSent),
    eventsSent: delta((s) => s.eventsSent),
    duplicates: delta((s) => s.duplicatesDropped),
    stats: after,
  };
}

function complete(n: number): [number, number][] {
  const edges: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push([i, j]);
  return edges;
}

function ring(n: number): [number, number][] {
  const edges: [number, number][] = [];
  for (let i = 0; i + 1 < n; i++) edges.push([i, i + 1]);
  edges.push([0, n - 1]);
  return edges;
}

function expectConverged(run: RoomRun, events: number): void {
  for (const p of run.c.peers.values()) {
    expect(p.stats().events).toBe(events);
    expect(p.status).toBe('live');
  }
  expect(distinct(run.c.hashes())).toHaveLength(1);
}

describe("dissemination: 'broadcast' over a room channel", () => {
  it('converges on a dense graph with far fewer link frames per event than flooding', async () => {
    const n = 10;
    const events = 40;
    const flood = await runRoom('flood', n, complete(n), { events });
    const broadcast = await runRoom('broadcast', n, complete(n), { events });
    expectConverged(flood, events);
    expectConverged(broadcast, events);
    expect(flood.c.errors).toEqual([]);
    expect(broadcast.c.errors).toEqual([]);
    // Flooding on K10: each event crosses every link at least once (45 links), at most twice.
    expect(flood.eventsSent).toBeGreaterThanOrEqual(events * 45);
    // Broadcast: every own event published once, delivered by the channel, never forwarded on links.
    const b = broadcast.stats.map((s) => s.broadcast);
    expect(sum(b.map((s) => s.eventsPublished))).toBe(events);
    // Nearly every copy comes from the channel (a few from repairs that raced it).
    expect(sum(b.map((s) => s.eventsReceived))).toBeGreaterThanOrEqual(events * (n - 1) * 0.9);
    expect(sum(b.map((s) => s.fallbacks))).toBe(0);
    expect(broadcast.eventsSent).toBeLessThan(events); // repairs only (announcements racing the channel)
    // All link frames (SYNC, hashes and announcements included) over the same window.
    const perEvent = { flood: flood.framesSent / events, broadcast: broadcast.framesSent / events };
    expect(perEvent.broadcast).toBeLessThan(perEvent.flood / 2);
    // Same app, same emits: the same final state in both modes.
    expect(distinct(flood.c.hashes())).toEqual(distinct(broadcast.c.hashes()));
  });

  it('converges when the channel loses messages (30 %, and all of them), on a ring and a full mesh: links repair', async () => {
    const n = 7;
    const events = 24;
    const ring7 = ring(n);
    for (const [dropRate, edges] of [
      [0.3, ring7],
      [1, ring7],
      [0.3, complete(n)],
      [1, complete(n)],
    ] as const) {
      const run = await runRoom('broadcast', n, edges, { events, dropRate, seed: 11, tailMs: 12_000 });
      expectConverged(run, events);
      expect(run.c.errors).toEqual([]);
      expect(run.bus.dropped).toBeGreaterThan(0);
      const b = run.stats.map((s) => s.broadcast);
      expect(sum(b.map((s) => s.announcements))).toBeGreaterThan(0);
      // What the channel lost came over links: pushed on announcements, or pulled.
      expect(sum(run.stats.map((s) => s.repairsSent))).toBeGreaterThan(0);
      if (edges === ring7) expect(sum(b.map((s) => s.pulls))).toBeGreaterThan(0); // one holder per gap: pulled
      if (dropRate === 1) expect(sum(b.map((s) => s.received))).toBe(0);
    }
  });

  it('property: any connected graph, any loss rate, any emit pattern: every peer ends with every event and one state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 0, max: 20 }).map((x) => x / 20),
        fc.array(fc.tuple(fc.nat(), fc.nat(2)), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        async (n, dropRate, extra, seed) => {
          // A random tree (each node dials an earlier one) plus a few extra edges.
          const edges = new Map<string, [number, number]>();
          for (let i = 1; i < n; i++) {
            const j = (seed * (i + 3)) % i;
            edges.set(`${j}-${i}`, [j, i]);
          }
          for (const [a, b] of extra) {
            const x = a % n;
            const y = (x + 1 + b) % n;
            if (x !== y) edges.set(`${Math.min(x, y)}-${Math.max(x, y)}`, [Math.min(x, y), Math.max(x, y)]);
          }
          const events = 3 + (seed % 10);
          const run = await runRoom('broadcast', n, [...edges.values()], {
            events,
            dropRate,
            seed,
            tailMs: 6000 + 1500 * n,
          });
          expectConverged(run, events);
          expect(run.c.errors).toEqual([]);
        },
      ),
      { numRuns: 15, seed: 42 },
    );
  });

  it('bridges: a flooding neighbour on a transport without a channel gets the room’s events and its own reach the room', async () => {
    const net = loopback(10);
    const side = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 10 } });
    const bus = new BroadcastBus({ now: () => net.now(), latencyMs: 15 });
    const c = await cluster(net, { delay: 300, dissemination: 'broadcast' });
    const names = ['a', 'b', 'c'];
    for (const name of names) {
      const own = withBroadcast(net.transport(name), bus.channel(name));
      await c.add(
        name,
        name === 'a' ? { transports: [own, side.transport('a')] } : { transports: [own] },
        [],
      );
    }
    // No links between a, b, c at all: the channel is their only path. w floods to a on `side`.
    await c.add('w', { dissemination: 'flood', transports: [side.transport('w')] }, []);
    c.peers.get('w')!.dial('a');
    const tick = (t: number): void => {
      side.runUntil(t);
      bus.runUntil(t);
    };
    c.run(2000, tick);
    c.peers.get('w')!.emit(1);
    c.peers.get('b')!.emit(2);
    c.run(2300, tick);
    c.peers.get('c')!.emit(3);
    c.peers.get('a')!.emit(4);
    c.run(6000, tick);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(4);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors).toEqual([]);
    // a published w's event on the channel (bridged) and flooded b's and c's to w.
    expect(c.peers.get('a')!.stats().broadcast.eventsPublished).toBe(2);
    expect(c.peers.get('a')!.stats().eventsSent).toBe(3);
  });

  it('bad channel input is a typed, counted BROADCAST error; the peer keeps running (fast-check)', async () => {
    const run = await runRoom('broadcast', 3, complete(3), { events: 3, tailMs: 1500 });
    const [valid] = run.bus.published;
    expect(valid).toBeDefined();
    const header = valid!.subarray(0, 10);
    const target = run.c.peers.get('p1')!;
    let injected = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64, size: 'max' }),
          fc.uint8Array({ maxLength: 64, size: 'max' }).map((body) => Uint8Array.from([...header, ...body])),
          fc.tuple(fc.nat(valid!.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
            const copy = valid!.slice();
            copy[at] = copy[at]! ^ x;
            return copy;
          }),
        ),
        (message) => {
          const errorsBefore = run.c.errors.length;
          const s0 = target.stats().broadcast;
          run.bus.inject('p1', message, 'mallory');
          injected++;
          const s1 = target.stats().broadcast;
          expect(s1.received).toBe(s0.received + 1);
          const newErrors = run.c.errors.slice(errorsBefore);
          if (s1.rejected === s0.rejected + 1) {
            expect(newErrors.map((e) => e.code)).toEqual(['BROADCAST']);
            expect(newErrors[0]!.peerId).toBe('mallory');
          } else {
            // A mutation that still decodes: at most a far-future event is refused.
            expect(s1.rejected).toBe(s0.rejected);
            for (const e of newErrors) expect(e.code).toBe('OUT_OF_RANGE');
          }
        },
      ),
      { numRuns: 200, seed: 7 },
    );
    expect(injected).toBe(200);
    expect(target.stats().errors.BROADCAST).toBeGreaterThan(150);
    const rejected = run.c.errors.filter((e) => e.code === 'BROADCAST');
    expect(rejected.every((e) => isPeerError(e, 'BROADCAST'))).toBe(true);
    // A message of another room (same layout, different tag) is refused as such.
    const foreign = valid!.slice();
    foreign[5] = foreign[5]! ^ 1;
    run.bus.inject('p1', foreign, 'elsewhere');
    expect(run.c.errors.at(-1)!.message).toMatch(/another room/);
    // Still running and converging.
    run.c.peers.get('p0')!.emit(0);
    run.c.run(run.c.now() + 2000, (t) => run.bus.runUntil(t));
    expect(target.status).toBe('live');
    const counts = new Set([...run.c.peers.values()].map((p) => p.stats().events));
    expect(counts.size).toBe(1);
  });

  it('validates the option', () => {
    const net = loopback(5);
    const base = { app: rectangleApp, payloadCodec: rectangleKeyCodec, room: 'r' };
    expect(() =>
      createPeer({ ...base, transports: [net.transport('x')], dissemination: 'broadcast' }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    const bus = new BroadcastBus({ now: () => 0 });
    const t = withBroadcast(net.transport('y'), bus.channel('y'));
    expect(() =>
      createPeer({ ...base, transports: [t], dissemination: { mode: 'broadcast', announceMs: 0 } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() =>
      createPeer({ ...base, transports: [t], dissemination: { mode: 'broadcast', announceFanout: 0.5 } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() =>
      createPeer({ ...base, transports: [t], dissemination: 'gossip' as unknown as 'flood' }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    const ok = createPeer({
      ...base,
      transports: [t],
      dissemination: { mode: 'broadcast', announceMs: 500 },
    });
    expect(ok.stats().broadcast).toEqual({
      published: 0,
      eventsPublished: 0,
      fallbacks: 0,
      received: 0,
      eventsReceived: 0,
      rejected: 0,
      announcements: 0,
      pulls: 0,
    });
  });
});
