import type { WireEvent } from '@symmetric/codec';
import { describe, expect, it } from 'vitest';
import { nothingRelayed, RelayQueue, type RelayTarget, sameEvent } from '../src/relay-queue.js';

type Ev = WireEvent<number>;
const ev = (source: string, seq: number, extra: Partial<Ev> = {}): Ev => ({
  source,
  seq,
  tick: 100 + seq,
  payload: 1,
  ...extra,
});

/** A link stand-in: what it holds, and the frames the queue sent on it. */
function link(endsTurns = false): RelayTarget<number> & { sent: Ev[][] } {
  return { relayed: nothingRelayed<number>(), relayedOwned: false, endsTurns, sent: [] };
}

function queue() {
  return new RelayQueue<number, ReturnType<typeof link>>((l, events) => l.sent.push([...events]));
}

describe('relay queue: withdrawing what a neighbour sent itself', () => {
  it('drops only the held events the copies match, keeping the order of the rest', () => {
    const q = queue();
    const l = link();
    const batch = [ev('x', 1), ev('y', 1), ev('z', 1)];
    q.add(l, batch);
    expect(q.withdraw(l, [ev('y', 1)], sameEvent)).toBe(1);
    // The caller's array is not changed: it may be held for other links too.
    expect(batch.map((e) => e.source)).toEqual(['x', 'y', 'z']);
    q.flush();
    expect(l.sent.map((f) => f.map((e) => e.source))).toEqual([['x', 'z']]);
  });

  it('a link whose every held event is withdrawn sends no frame', () => {
    const q = queue();
    const a = link();
    const b = link();
    q.add(a, [ev('x', 1)]);
    q.add(b, [ev('x', 1)]);
    q.add(a, [ev('x', 2)]);
    expect(q.withdraw(a, [ev('x', 2), ev('x', 1)], sameEvent)).toBe(2);
    expect(a.relayed).toHaveLength(0);
    q.flush();
    expect(a.sent).toEqual([]);
    expect(b.sent.map((f) => f.map((e) => e.seq))).toEqual([[1]]);
  });

  it('withdraws nothing for copies of other events, and what is added afterwards still leaves', () => {
    const q = queue();
    const l = link();
    q.add(l, [ev('x', 1)]);
    expect(q.withdraw(l, [ev('x', 2), ev('y', 1)], sameEvent)).toBe(0);
    expect(q.withdraw(l, [ev('x', 1)], sameEvent)).toBe(1);
    q.add(l, [ev('x', 3)]);
    q.flush();
    expect(l.sent.map((f) => f.map((e) => e.seq))).toEqual([[3]]);
  });
});

describe('sameEvent', () => {
  const sig = (...bytes: number[]) => Uint8Array.from(bytes);

  it('is the same source, seq, tick and re-stamp, and the same signature bytes', () => {
    expect(sameEvent(ev('x', 1), ev('x', 1))).toBe(true);
    expect(sameEvent(ev('x', 1, { signature: sig(1, 2) }), ev('x', 1, { signature: sig(1, 2) }))).toBe(true);
    expect(sameEvent(ev('x', 1), ev('x', 2))).toBe(false);
    expect(sameEvent(ev('x', 1), ev('y', 1))).toBe(false);
    expect(sameEvent(ev('x', 1), ev('x', 1, { tick: 5 }))).toBe(false);
    expect(sameEvent(ev('x', 3, { restamps: 1 }), ev('x', 3))).toBe(false);
  });

  it('two signatures that differ are two events (an equivocation the neighbour must see)', () => {
    expect(sameEvent(ev('x', 1, { signature: sig(1, 2) }), ev('x', 1, { signature: sig(1, 3) }))).toBe(false);
    expect(sameEvent(ev('x', 1, { signature: sig(1, 2) }), ev('x', 1, { signature: sig(1) }))).toBe(false);
    expect(sameEvent(ev('x', 1, { signature: sig(1, 2) }), ev('x', 1))).toBe(false);
  });
});

describe('relay queue: turns', () => {
  it('tells its owner when it starts holding events, once per turn', () => {
    let held = 0;
    const q = new RelayQueue<number, ReturnType<typeof link>>(
      (l, events) => l.sent.push([...events]),
      () => held++,
    );
    const a = link(true);
    const b = link(true);
    q.add(a, [ev('x', 1)]);
    q.add(b, [ev('x', 1)]);
    q.add(a, [ev('y', 1)]);
    expect(held).toBe(1);
    q.flush();
    q.add(b, [ev('z', 1)]);
    expect(held).toBe(2);
    q.flush();
    expect(a.sent.map((f) => f.map((e) => e.source))).toEqual([['x', 'y']]);
    expect(b.sent.map((f) => f.map((e) => e.source))).toEqual([['x'], ['z']]);
  });

  it('ends the turn itself once the microtasks run, unless the transport ends its turns', async () => {
    const q = queue();
    const own = link(false);
    q.add(own, [ev('x', 1)]);
    await Promise.resolve();
    expect(own.sent).toHaveLength(1);
    const ended = link(true);
    q.add(ended, [ev('y', 1)]);
    await Promise.resolve();
    await Promise.resolve();
    expect(ended.sent).toHaveLength(0);
    q.flush();
    expect(ended.sent).toHaveLength(1);
  });
});
