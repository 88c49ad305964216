/**
 * The offline merge across several re-bases in a row (OfflineWork on its own): a history the
 * peer adopted may itself be replaced before the room settles on one, so the own events it
 * folded in stay kept, and each user action is merged back once per history that lacks it.
 */
import type { TimelineEvent } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import type { PeerContext } from '../src/context.js';
import { OfflineWork } from '../src/offline.js';

const SOURCE = 'p~1';

/** An OfflineWork of a peer with one neighbour and a horizon of 100 ticks, and what it stamps. */
function work() {
  const stamped: TimelineEvent<string>[] = [];
  let tick = 0;
  let seq = 0;
  const stats = { eventsEmittedOffline: 0, eventsDropped: 0, eventsRestamped: 0 };
  const ctx = {
    source: SOURCE,
    options: { horizonTicks: 100 },
    stats,
    neighbours: () => [{}],
    report: () => {},
  } as unknown as PeerContext<unknown, string>;
  const w: OfflineWork<unknown, string> = new OfflineWork(ctx, 'restamp', {
    emit: (payload, restamps) => stamp(payload, restamps),
    tick: () => tick,
    roomHolds: () => 0,
    settled: () => ({ base: 0, holds: false }),
  });
  const stamp = (payload: string, restamps?: number): void => {
    seq++;
    const e: TimelineEvent<string> =
      restamps === undefined
        ? { tick, source: SOURCE, seq, payload }
        : { tick, source: SOURCE, seq, payload, restamps };
    stamped.push(e);
    w.stamped(e);
  };
  return {
    w,
    stamped,
    stats,
    at: (t: number) => {
      tick = t;
    },
    stamp,
  };
}

describe('the offline merge over re-bases in a row', () => {
  it('own events one history folded in are merged back when the next history lacks them', () => {
    const { w, stamped, at, stamp } = work();
    for (const [t, payload] of [
      [10, 'a'],
      [20, 'b'],
      [30, 'c'],
      [40, 'd'],
    ] as const) {
      at(t);
      stamp(payload);
    }
    at(150);
    // A re-base on a history that folded in all four: nothing to merge.
    w.rebased([], 100, 4);
    expect(stamped).toHaveLength(4);
    at(160);
    // Then one on a history that holds only the first (the room settled on it): the other
    // three are merged back, each naming the event it stands for.
    w.rebased([], 120, 1);
    expect(stamped.slice(4).map((e) => [e.payload, e.restamps])).toEqual([
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ]);
  });

  it('a user action is merged back once per history that lacks it, never by one that holds an earlier stamp of it', () => {
    const { w, stamped, stats, at, stamp } = work();
    at(10);
    stamp('a');
    at(20);
    stamp('b');
    at(150);
    w.rebased([], 100, 0); // lacks both: re-stamped as seqs 3 and 4 at tick 150
    expect(stamped.slice(2).map((e) => [e.seq, e.restamps])).toEqual([
      [3, 1],
      [4, 2],
    ]);
    at(250);
    // A history that folded in the originals and not their re-stamps: the actions are held.
    w.rebased([], 200, 2);
    expect(stamped).toHaveLength(4);
    at(350);
    // A history that holds neither: each action once more, from its newest stamp.
    w.rebased([], 300, 0);
    expect(stamped.slice(4).map((e) => [e.payload, e.restamps])).toEqual([
      ['a', 3],
      ['b', 4],
    ]);
    expect(stats.eventsRestamped).toBe(4);
    expect(stats.eventsDropped).toBe(0);
  });
});
