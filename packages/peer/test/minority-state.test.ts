import { msgpackPayloadCodec, type SnapshotChunkFrame } from '@symmetric/codec';
import type { RectangleState } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot } from '../src/snapshot-blob.js';
import type { Attacker } from './helpers/attacker.js';
import {
  type Cluster,
  expectConverged,
  honestHeld,
  honestTraffic,
  type Peer,
  roomWithAttacker,
} from './helpers/honest-room.js';

const stateCodec = msgpackPayloadCodec as never;

/** m asks `from` for its snapshot and keeps the blob. */
function stealSnapshot(c: Cluster, m: Attacker, from: string): Uint8Array {
  const chunks: SnapshotChunkFrame[] = [];
  const before = m.onFrame;
  m.onFrame = (frame, sender) => {
    if (sender === from && frame.type === 'snapshot') chunks.push(frame);
    before?.(frame, sender);
  };
  m.send(from, { type: 'snapshot-request' });
  c.run(c.now() + 200);
  m.onFrame = before;
  const total = chunks.reduce((s, x) => s + x.data.length, 0);
  const blob = new Uint8Array(total);
  let at = 0;
  for (const x of chunks) {
    blob.set(x.data, at);
    at += x.data.length;
  }
  return blob;
}

/** A made-up snapshot: the real one's tick and PRNG, a false state, every honest source "held" up to 2^40. */
function forged(real: Uint8Array, honest: readonly Peer[]): Uint8Array {
  const snap = decodeSnapshot<RectangleState>(real, stateCodec);
  return encodeSnapshot(
    {
      ...snap,
      state: { x: 1, y: 1, dx: 0, dy: 0 },
      frontier: honest.map((p) => [p.source, 2 ** 40] as const),
      lastTicks: honest.map(() => snap.tick - 1),
    },
    stateCodec,
  );
}

/** m answers every snapshot request with `blob`. */
function serve(m: Attacker, blob: Uint8Array, tick: number): void {
  m.onFrame = (frame, from) => {
    if (frame.type === 'snapshot-request')
      m.send(from, { type: 'snapshot', tick, index: 0, count: 1, data: blob });
  };
}

describe('a neighbour lying about state (authenticated room, loopback, virtual time)', () => {
  it('a frontier claiming 2^40 of every source and a made-up snapshot: nobody adopts it, no honest event is lost', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    const honest = [a, b, cc];
    honestTraffic(c, honest, 10, c.now() + 5000);
    const real = stealSnapshot(c, m, 'a');
    const tick = decodeSnapshot(real, stateCodec).tick;
    serve(m, forged(real, honest), tick);
    for (const to of ['a', 'c'])
      m.send(to, { type: 'frontier', entries: honest.map((p) => ({ source: p.source, seq: 2 ** 40 })) });
    honestTraffic(c, honest, 20, c.now() + 20_000);
    c.run(c.now() + 5000);
    for (const p of honest) expect(p.stats().snapshotsAdopted).toBe(0);
    expectConverged(c, honest);
    const total = honest.reduce((s, h) => s + h.stats().eventsEmitted, 0);
    for (const p of honest) expect(honestHeld(p, honest)).toBe(total);
  });

  it('a joiner offered a made-up snapshot refuses it, cuts the sender, and joins from an honest neighbour', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    const honest = [a, b, cc];
    honestTraffic(c, honest, 10, c.now() + 5000);
    const real = stealSnapshot(c, m, 'a');
    const tick = decodeSnapshot(real, stateCodec).tick;
    // m vouches to the joiner first (a frontier), is asked for the snapshot, and answers late,
    // once the joiner also hears b.
    const asked: string[] = [];
    m.onFrame = (frame, from) => {
      if (frame.type === 'snapshot-request') asked.push(from);
    };
    const j = await c.add('j');
    m.dial('j');
    c.run(c.now() + 40);
    m.send('j', { type: 'frontier', entries: honest.map((p) => ({ source: p.source, seq: 1 })) });
    c.run(c.now() + 40);
    expect(asked).toEqual(['j']);
    j.dial('b');
    c.run(c.now() + 300);
    m.send('j', { type: 'snapshot', tick, index: 0, count: 1, data: forged(real, honest) });
    honestTraffic(c, honest, 10, c.now() + 10_000);
    c.run(c.now() + 5000);
    expect(j.stats().errors.SNAPSHOT).toBeGreaterThanOrEqual(1);
    expect(m.linked('j')).toBe(false);
    expectConverged(c, [...honest, j]);
  });

  it('an undecodable snapshot blob is refused, counted, its sender cut, and the joiner joins from another', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    honestTraffic(c, [a, b, cc], 6, c.now() + 3000);
    m.onFrame = (frame, from) => {
      if (frame.type === 'snapshot-request')
        m.send(from, {
          type: 'snapshot',
          tick: 100,
          index: 0,
          count: 1,
          data: new Uint8Array([0xc1, 0xff, 0x00]),
        });
    };
    const j = await c.add('j');
    m.dial('j');
    c.run(c.now() + 100);
    m.send('j', { type: 'frontier', entries: [{ source: a.source, seq: 1 }] });
    c.run(c.now() + 40);
    j.dial('b');
    c.run(c.now() + 3000);
    expect(j.stats().errors.SNAPSHOT).toBe(1);
    expect(j.stats().snapshotsRefused).toBe(1);
    expect(m.linked('j')).toBe(false);
    honestTraffic(c, [a, b, cc], 4, c.now() + 4000);
    c.run(c.now() + 3000);
    expectConverged(c, [a, b, cc, j]);
  });

  it('a snapshot declaring 65,536 chunks is refused at its first chunk and its sender cut', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    m.onFrame = (frame, from) => {
      if (frame.type === 'snapshot-request')
        m.send(from, { type: 'snapshot', tick: 1, index: 0, count: 65_536, data: new Uint8Array(262_144) });
    };
    const j = await c.add('j');
    m.dial('j');
    c.run(c.now() + 100);
    m.send('j', { type: 'frontier', entries: [{ source: a.source, seq: 1 }] });
    c.run(c.now() + 40);
    j.dial('b');
    c.run(c.now() + 3000);
    expect(j.stats().errors.SNAPSHOT).toBe(1);
    expect(m.linked('j')).toBe(false);
    honestTraffic(c, [a, b, cc], 4, c.now() + 4000);
    c.run(c.now() + 3000);
    expectConverged(c, [a, b, cc, j]);
  });
});
