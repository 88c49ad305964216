import { msgpackPayloadCodec, type SnapshotChunkFrame } from '@symmetric/codec';
import type { RectangleState } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot } from '../src/snapshot-blob.js';
import type { Attacker } from './helpers/attacker.js';
import { type Cluster, expectConverged, honestTraffic, roomWithAttacker } from './helpers/honest-room.js';

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
  const blob = new Uint8Array(chunks.reduce((s, x) => s + x.data.length, 0));
  let at = 0;
  for (const x of chunks) {
    blob.set(x.data, at);
    at += x.data.length;
  }
  return blob;
}

/** The real snapshot with a made-up state: same tick, PRNG and frontier (every claim in it holds). */
function forgedState(real: Uint8Array): Uint8Array {
  const snap = decodeSnapshot<RectangleState>(real, stateCodec);
  return encodeSnapshot({ ...snap, state: { ...snap.state, x: snap.state.x + 7, y: 3 } }, stateCodec);
}

/**
 * A joiner j first hears m, which vouches with a frontier the honest peers back and is asked for
 * the snapshot; j then links to `honestLinks`, and m answers with the real snapshot's tick and
 * frontier but a made-up state. With `echo`, m sends j's own hash reports back to it (so j's
 * forged hashes look corroborated).
 */
async function joinThroughForger(honestLinks: readonly string[], echo: boolean) {
  const room = await roomWithAttacker();
  const { c, a, b, cc, m } = room;
  const honest = [a, b, cc];
  honestTraffic(c, honest, 10, c.now() + 5000);
  const real = stealSnapshot(c, m, 'a');
  const snap = decodeSnapshot(real, stateCodec);
  const asked: string[] = [];
  m.onFrame = (frame, from) => {
    if (frame.type === 'snapshot-request') asked.push(from);
    if (echo && from === 'j' && frame.type === 'hash') m.send('j', frame);
  };
  const j = await c.add('j');
  m.dial('j');
  c.run(c.now() + 40);
  m.send('j', { type: 'frontier', entries: honest.map((p) => ({ source: p.source, seq: 1 })) });
  c.run(c.now() + 40);
  expect(asked).toEqual(['j']);
  for (const to of honestLinks) j.dial(to);
  c.run(c.now() + 300);
  m.send('j', { type: 'snapshot', tick: snap.tick, index: 0, count: 1, data: forgedState(real) });
  honestTraffic(c, honest, 10, c.now() + 10_000);
  c.run(c.now() + 30_000);
  return { ...room, j, honest };
}

describe('a neighbour serving a made-up state behind a plausible frontier (loopback, virtual time)', () => {
  it('two honest neighbours contradict it (while the forger echoes the joiner’s hashes): refused, sender cut, honest snapshot taken', async () => {
    const { c, j, m, honest } = await joinThroughForger(['a', 'b'], true);
    expect(j.stats().errors.SNAPSHOT).toBe(1);
    expect(j.stats().snapshotsRefused).toBe(1);
    expect(j.stats().snapshotsAdopted).toBe(2);
    expect(m.linked('j')).toBe(false);
    expect(j.stats().desyncs).toBe(0);
    expectConverged(c, [...honest, j]);
    for (const p of honest) expect(p.stats().desyncs).toBe(0);
  });

  it('one honest neighbour against a forger that echoes the joiner’s hashes: the joiner reports to the sender only what it reported first, so the echo backs nothing: refused, sender cut', async () => {
    const { c, j, m, honest } = await joinThroughForger(['b'], true);
    expect(j.stats().errors.SNAPSHOT).toBe(1);
    expect(j.stats().snapshotsRefused).toBe(1);
    expect(j.stats().snapshotsAdopted).toBe(2);
    expect(m.linked('j')).toBe(false);
    expectConverged(c, [...honest, j]);
  });

  it('one honest neighbour contradicts a forger that does not back its own state: refused, sender cut', async () => {
    const { c, j, m, honest } = await joinThroughForger(['b'], false);
    expect(j.stats().errors.SNAPSHOT).toBe(1);
    expect(j.stats().snapshotsAdopted).toBe(2);
    expect(m.linked('j')).toBe(false);
    expectConverged(c, [...honest, j]);
  });
});

describe('a neighbour lying about the hashes of an honest snapshot (loopback, virtual time)', () => {
  it('one liar against an honest sender that backs the state: nothing refused, the honest sender kept', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    const honest = [a, b, cc];
    honestTraffic(c, honest, 10, c.now() + 5000);
    // m claims to hold what j holds (its frontier echoed), so the hashes are comparable.
    m.onFrame = (frame, from) => {
      if (from === 'j' && frame.type === 'frontier') m.send('j', frame);
      if (from === 'j' && frame.type === 'hash')
        m.send('j', {
          type: 'hash',
          reports: frame.reports.map((r) => ({ tick: r.tick, hash: `0${r.hash.slice(1)}` })),
        });
    };
    const j = await c.add('j', {}, ['b']);
    c.run(c.now() + 300);
    m.dial('j');
    honestTraffic(c, honest, 10, c.now() + 10_000);
    c.run(c.now() + 30_000);
    expect(j.stats().snapshotsAdopted).toBe(1);
    expect(j.stats().snapshotsRefused).toBe(0);
    // One word against another: raised as a desync, not taken as a reason to cut the sender.
    expect(j.stats().desyncs).toBeGreaterThan(0);
    expect(j.stats().errors.SNAPSHOT).toBeUndefined();
    expectConverged(c, [...honest, j]);
  });
});
