import { type RectangleKey, RectangleKeys, type RectangleState } from '@symmetric/core';
import type { Peer as AnyPeer, PeerOptions } from '@symmetric/peer';
import { expect } from 'vitest';
import { Attacker } from './attacker.js';
import { type Cluster as AnyCluster, cluster, distinct, loopback } from './harness.js';

/** A peer of the rectangle app. */
export type Peer = AnyPeer<RectangleState, RectangleKey>;
/** A cluster of rectangle peers. */
export type Cluster = AnyCluster<RectangleState, RectangleKey>;

/**
 * Three honest, authenticated peers in a line a - b - c, and a hostile neighbour m (real key,
 * real codec) linked to a and c, all settled: 25 s in, past the clocks' `establishAfterMs`.
 */
export async function roomWithAttacker(
  options: Partial<PeerOptions<RectangleState, RectangleKey>> = {},
): Promise<{ c: Cluster; a: Peer; b: Peer; cc: Peer; m: Attacker }> {
  const net = loopback(10);
  const c = await cluster(net, { trusted: false, delay: 300, ...options });
  const a = await c.add('a');
  const b = await c.add('b', {}, ['a']);
  const cc = await c.add('c', {}, ['b']);
  c.run(600);
  const m = await new Attacker(c.net.transport('m') as never, 'm').start();
  m.dial('a');
  m.dial('c');
  c.run(25_000);
  return { c, a, b, cc, m };
}

/** Every honest peer emits `n` events, spread until `untilMs`; returns how many were emitted. */
export function honestTraffic(c: Cluster, peers: readonly Peer[], n: number, untilMs: number): number {
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
export function honestHeld(p: Peer, honest: readonly Peer[]): number {
  let n = 0;
  for (const h of honest) {
    const emitted = h.stats().eventsEmitted;
    for (let seq = 1; seq <= emitted; seq++) if (knownOf(p).has(h.source, seq)) n++;
  }
  return n;
}

/** The honest peers agree on one state and each holds every honest event. */
export function expectConverged(c: Cluster, honest: readonly Peer[]): void {
  const hashes = new Map<string, string>();
  for (const [address, p] of c.peers)
    if (honest.includes(p as Peer)) hashes.set(address, c.hashes().get(address)!);
  expect(distinct(hashes)).toHaveLength(1);
  const total = honest.reduce((s, h) => s + h.stats().eventsEmitted, 0);
  for (const p of honest) expect(honestHeld(p, honest)).toBe(total);
}
