import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';

/**
 * Two sides of a line cut off longer than the horizon, both emitting, then healed: one side
 * re-bases on the other's history, hop by hop (a snapshot can only come from a neighbour that
 * re-based already). The request timeout is long here (5 s), so a hop that waited for it would
 * show.
 */
const splitLine = async (healAtMs = 9000) => {
  const net = loopback(20);
  const c = await cluster(net, {
    delay: 150,
    history: { horizonTicks: 100 },
    offlineMerge: 'drop',
    requestTimeoutMs: 5000,
  });
  const line = ['a', 'b', 'c', 'd', 'e', 'f'];
  for (let i = 0; i < line.length; i++) await c.add(line[i]!, {}, i > 0 ? [line[i - 1]!] : []);
  c.run(1500);
  net.cut('c', 'd');
  for (let k = 0; k < 12; k++) {
    c.peers.get(line[k % line.length]!)!.emit((k % 5) as 0 | 1 | 2 | 3 | 4);
    c.run(2000 + k * 400);
  }
  c.run(healAtMs); // 7 s apart by default, the horizon is 2 s: each side folded what only it holds
  net.heal('c', 'd');
  c.peers.get('d')!.dial('c');
  return c;
};

describe('a history re-based on travels at the pace of round trips', () => {
  it('a neighbour that re-based is asked at once for what it announced: the next hop does not wait a request timeout', async () => {
    const c = await splitLine();
    const peers = [...c.peers.values()];
    // Every hop, the healed link's included, learns what the other side folded from its
    // neighbour's answer, within round trips (one history about 0.4 s after the heal): one hop
    // waiting the 5 s request timeout would take past 3 s.
    c.run(9000 + 3000);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(new Set(peers.map((p) => p.stats().events)).size).toBe(1);
    expect(peers.map((p) => p.stats().desyncs)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(peers.reduce((n, p) => n + p.stats().resyncs, 0)).toBeGreaterThanOrEqual(3);
  });

  it('sides apart for over five horizons, quiet for the last three, end on one history', async () => {
    // 11.5 s apart, the newest event at 6.4 s: each side still lists the sources only it holds
    // events of (they are forgotten only at the forget age), so the histories are ranked and
    // healed as after a shorter cut.
    const c = await splitLine(13_000);
    const peers = [...c.peers.values()];
    c.run(13_000 + 8000);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(new Set(peers.map((p) => p.stats().events)).size).toBe(1);
    expect(peers.map((p) => p.stats().desyncs)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('sides apart past the forget age, each forgetting the sources only it held, end on one history: ranked on their prints', async () => {
    // 28.5 s apart (over fourteen horizons), the newest event at 6.4 s: both sides forgot every
    // source only they held events of, so their frontiers list the same. The prints of what each
    // settled differ and rank them.
    const c = await splitLine(30_000);
    const peers = [...c.peers.values()];
    c.run(30_000 + 8000);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(new Set(peers.map((p) => p.stats().events)).size).toBe(1);
    expect(peers.map((p) => p.stats().desyncs)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(peers.reduce((n, p) => n + p.stats().resyncs, 0)).toBeGreaterThanOrEqual(3);
  });
});
