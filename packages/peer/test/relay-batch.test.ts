import { createCodec, type Frame, type FrameDecoder, rectangleKeyCodec } from '@symmetric/codec';
import { RectangleKeys } from '@symmetric/core';
import { type Link, type Transport, withLinkOverrides } from '@symmetric/transport';
import { type LatencyModel, LoopbackNetwork, type SentFrame } from '@symmetric/transport-loopback';
import { describe, expect, it } from 'vitest';
import { cluster, distinct } from './helpers/harness.js';

/** One frame a peer sent: who to whom, when it left and when it arrives, what it carried. */
interface Sent {
  readonly from: string;
  readonly to: string;
  readonly sentAt: number;
  readonly dueAt: number;
  readonly frame: Frame<number>;
}

/** A virtual loopback network whose transports log every frame sent, decoded. */
function recordingNet(latency: LatencyModel, seed = 1) {
  let last: SentFrame | undefined;
  const net = new LoopbackNetwork({ time: 'virtual', seed, latency, onFrameSent: (f) => (last = f) });
  const codec = createCodec({ payload: rectangleKeyCodec });
  const log: Sent[] = [];
  const transport = (address: string): Transport =>
    withLinkOverrides(net.transport(address), (link: Link) => {
      const decoder: FrameDecoder<number> = codec.decoder();
      return {
        send: (bytes) => {
          const frame = decoder.decode(bytes.slice());
          last = undefined;
          const ok = link.send(bytes);
          if (ok && last !== undefined) {
            const { sentAt, dueAt } = last;
            log.push({ from: address, to: link.remoteAddress, sentAt, dueAt, frame });
          }
          return ok;
        },
      };
    });
  const vnet = {
    transport,
    runUntil: (ms: number) => net.runUntil(ms),
    now: () => net.now(),
    cut: (a: string, b: string) => net.cut(a, b),
    heal: (a: string, b: string) => net.heal(a, b),
  };
  return { vnet, log };
}

/** The `events` frames of `log` from `from` to `to` sent at or after `since`. */
function eventFrames(log: readonly Sent[], from: string, to: string, since: number): Sent[] {
  return log.filter((s) => s.from === from && s.to === to && s.sentAt >= since && s.frame.type === 'events');
}

/**
 * For every event a peer passed on to a neighbour (one it did not author; the first copy on
 * that link, later ones answer repairs), the time it left minus the time it reached the peer.
 */
function relayDelays(log: readonly Sent[], authorOf: (source: string) => string): number[] {
  const arrived = new Map<string, number>();
  for (const s of log) {
    if (s.frame.type !== 'events') continue;
    for (const ev of s.frame.events) {
      const key = `${s.to} ${ev.source}#${ev.seq}`;
      const at = arrived.get(key);
      if (at === undefined || s.dueAt < at) arrived.set(key, s.dueAt);
    }
  }
  const delays: number[] = [];
  const passedOn = new Set<string>();
  for (const s of log) {
    if (s.frame.type !== 'events') continue;
    for (const ev of s.frame.events) {
      if (authorOf(ev.source) === s.from) continue;
      const copy = `${s.from} ${s.to} ${ev.source}#${ev.seq}`;
      if (passedOn.has(copy)) continue; // a later copy on the same link answers a repair
      passedOn.add(copy);
      delays.push(s.sentAt - arrived.get(`${s.from} ${ev.source}#${ev.seq}`)!);
    }
  }
  return delays;
}

/** Trusted test rooms name sources `<address>~<incarnation>`. */
const authorOf = (source: string): string => source.slice(0, source.indexOf('~'));

describe('relayed events batched per link within a delivery turn', () => {
  it('events arriving together leave in one frame per link, in the turn they arrived', async () => {
    const { vnet, log } = recordingNet({ dist: 'constant', ms: 20 });
    const c = await cluster(vnet, { delay: 300 });
    // a and d both hang off b; c hangs off b.
    await c.add('a');
    await c.add('d');
    await c.add('b', {}, ['a', 'd']);
    await c.add('c', {}, ['b']);
    c.run(1500);
    for (const p of c.peers.values()) expect(p.status).toBe('live');
    const t = c.now();
    // Three events at one instant: two from a (two frames, own events leave at once), one from d.
    c.peers.get('a')!.emit(RectangleKeys.right);
    c.peers.get('a')!.emit(RectangleKeys.up);
    c.peers.get('d')!.emit(RectangleKeys.left);
    c.run(2500);
    expect(eventFrames(log, 'a', 'b', t)).toHaveLength(2);
    expect(eventFrames(log, 'd', 'b', t)).toHaveLength(1);
    // The three frames reach b in one turn (t + 20 ms): b relays them to c in one frame, at once.
    const toC = eventFrames(log, 'b', 'c', t);
    expect(toC).toHaveLength(1);
    expect(toC[0]!.sentAt).toBe(t + 20);
    expect(toC[0]!.frame.type === 'events' && toC[0]!.frame.events.length).toBe(3);
    // Each neighbour still gets only what it lacks: a gets d's event, d gets a's two.
    const toA = eventFrames(log, 'b', 'a', t);
    const toD = eventFrames(log, 'b', 'd', t);
    expect(toA.map((s) => s.frame.type === 'events' && s.frame.events.length)).toEqual([1]);
    expect(toD.map((s) => s.frame.type === 'events' && s.frame.events.length)).toEqual([2]);
    expect(relayDelays(log, authorOf).every((d) => d === 0)).toBe(true);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(3);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors).toEqual([]);
  });

  it('an event two neighbours send in one turn is relayed to neither of them', async () => {
    const { vnet, log } = recordingNet({ dist: 'constant', ms: 20 });
    const c = await cluster(vnet, { delay: 300 });
    // A diamond: s reaches d through a and through b, each hop 20 ms.
    await c.add('s');
    await c.add('a', {}, ['s']);
    await c.add('b', {}, ['s']);
    await c.add('d', {}, ['a', 'b']);
    c.run(1500);
    for (const p of c.peers.values()) expect(p.status).toBe('live');
    const t = c.now();
    c.peers.get('s')!.emit(RectangleKeys.right);
    c.run(2500);
    // a and b pass it on to d at once; both copies reach d in one turn, so each one d would
    // have relayed to the other side of the diamond is withdrawn: d sends no events at all.
    expect(eventFrames(log, 'a', 'd', t)).toHaveLength(1);
    expect(eventFrames(log, 'b', 'd', t)).toHaveLength(1);
    expect(eventFrames(log, 'd', 'a', t)).toEqual([]);
    expect(eventFrames(log, 'd', 'b', t)).toEqual([]);
    expect(c.peers.get('d')!.stats().relaysWithdrawn).toBe(1);
    expect(c.peers.get('d')!.stats().duplicatesDropped).toBe(1);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(1);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors).toEqual([]);
  });

  it('with jitter, no relayed event leaves after the turn it arrived in, and frames carry several', async () => {
    const { vnet, log } = recordingNet({ dist: 'normal', meanMs: 30, sdMs: 15 }, 7);
    const c = await cluster(vnet, { delay: 400 });
    const names = ['p0', 'p1', 'p2', 'p3', 'p4'];
    for (let i = 0; i < names.length; i++) await c.add(names[i]!, {}, i > 0 ? [names[i - 1]!] : []);
    c.run(1000);
    const keys = [RectangleKeys.left, RectangleKeys.right, RectangleKeys.up, RectangleKeys.down];
    let k = 0;
    // Both ends of the line emit a burst every frame for a second.
    c.run(2000, () => {
      for (const end of ['p0', 'p4']) for (let j = 0; j < 2; j++) c.peers.get(end)!.emit(keys[k++ % 4]!);
    });
    c.run(4000);
    const delays = relayDelays(log, authorOf);
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.filter((d) => d !== 0)).toEqual([]);
    const relayed = log.filter(
      (s) => s.frame.type === 'events' && s.frame.events.some((ev) => authorOf(ev.source) !== s.from),
    );
    const copies = relayed.reduce((n, s) => n + (s.frame.type === 'events' ? s.frame.events.length : 0), 0);
    expect(copies).toBeGreaterThan(relayed.length);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(k);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors).toEqual([]);
  });
});
