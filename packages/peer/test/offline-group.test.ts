import type { PeerOptions } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { type Log, logApp, logCodec } from './fixtures/log-app.js';
import { cluster, distinct, loopback } from './helpers/harness.js';

const base: Partial<PeerOptions<Log, string>> = {
  app: logApp,
  payloadCodec: logCodec,
  fps: 50,
  delay: 100,
  history: { horizonTicks: 100 },
  hashIntervalMs: 500,
  desyncConfirmMs: 1500,
};

describe('a group cut off together past the horizon', () => {
  const cutOff = async (order: readonly string[]) => {
    const net = loopback(20);
    const c = await cluster<Log, string>(net, base);
    // The room: a, b, d. The group: x and y, linked to each other, x also to a.
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    const d = await c.add('d', {}, ['a', 'b']);
    const x = await c.add('x', { redial: { minMs: 200, maxMs: 400 } }, ['a']);
    const y = await c.add('y', {}, ['x']);
    c.run(1500);
    net.cut('x', 'a');
    // 6 s apart (three horizons of 2 s), everyone emitting.
    const emitted: string[] = [];
    for (let k = 0; k < 10; k++) {
      const p = order[k % order.length]!;
      const e = `${p}${k}`;
      c.peers.get(p)!.emit(e);
      emitted.push(e);
      c.run(2000 + k * 500);
    }
    c.run(8000);
    net.heal('x', 'a');
    x.dial('a');
    c.run(50_000);
    return { c, emitted, peers: [a, b, d, x, y] as const };
  };

  it('two peers that met while cut off from the room merge back: one history, none of their events lost', async () => {
    const { c, emitted, peers } = await cutOff(['a', 'x', 'b', 'y', 'd']);
    const [a, , , x, y] = peers;
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(new Set(peers.map((p) => p.state.log.join(','))).size).toBe(1);
    expect(peers.map((p) => p.stats().desyncs)).toEqual([0, 0, 0, 0, 0]);
    expect(peers.map((p) => p.stats().eventsDropped)).toEqual([0, 0, 0, 0, 0]);
    // Every event of either side is held once, applied or stamped again: the group's events the
    // room had settled when the histories met come back re-stamped by their own peer (an event
    // from a neighbour on another history is taken only if it is not settled).
    expect([...a.state.log].sort()).toEqual([...emitted].sort());
    expect([x, y].map((p) => p.stats().eventsRestamped)).toEqual([2, 2]);
  });

  it('a group whose history ranks higher: the room re-bases on it, every event held exactly once', async () => {
    const { c, emitted, peers } = await cutOff(['x', 'y', 'a', 'x', 'y']);
    const [a, b, d] = peers;
    expect([b, d].map((p) => p.stats().resyncs)).toEqual([1, 1]);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(new Set(peers.map((p) => p.state.log.join(','))).size).toBe(1);
    expect(peers.map((p) => p.stats().desyncs)).toEqual([0, 0, 0, 0, 0]);
    expect(peers.map((p) => p.stats().eventsDropped)).toEqual([0, 0, 0, 0, 0]);
    // a's events reach the group's history once: both were settled there when the histories
    // met, so a stamps them again.
    expect([...a.state.log].sort()).toEqual([...emitted].sort());
    expect(a.stats().eventsRestamped).toBe(2);
  });
});
