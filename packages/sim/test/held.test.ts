import { rectangleApp, type TimelineEvent } from '@symmetric/core';
import type { OfflineMerge } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { ActionLedger, AppliedLog } from '../src/held.js';

/** Run a merge policy the way the runtime does (a string policy is not callable). */
const merge = (
  policy: OfflineMerge<number>,
  dropped: readonly TimelineEvent<number>[],
): readonly number[] => {
  if (typeof policy !== 'function') throw new Error('the ledger wraps every policy in a function');
  return policy(dropped);
};
const ev = (source: string, seq: number, payload = 0): TimelineEvent<number> => ({
  tick: 10,
  source,
  seq,
  payload,
});

describe('user actions and what a peer holds', () => {
  it('a re-stamp merges its user action: counted once, held once', () => {
    const ledger = new ActionLedger();
    ledger.stamped(0, ev('a', 1));
    ledger.stamped(0, ev('a', 2));
    ledger.stamped(1, ev('b', 1));
    // A re-base drops a:2; the default policy emits its payload again, stamped as a:3.
    expect(merge(ledger.wrap<number>(0, undefined), [ev('a', 2, 4)])).toEqual([4]);
    ledger.stamped(0, ev('a', 3));
    expect(ledger.actions).toBe(3);
    expect(ledger.check(['1:a', '3:a', '1:b'])).toEqual({ missing: 0, twice: 0 });
    // Holding the original and its re-stamp is one action held twice.
    expect(ledger.check(['1:a', '2:a', '3:a', '1:b'])).toEqual({ missing: 0, twice: 1 });
    // Neither the original nor its re-stamp: one action lost.
    expect(ledger.check(['1:a', '1:b'])).toEqual({ missing: 1, twice: 0 });
    // A re-stamp of a re-stamp still merges the first action.
    merge(ledger.wrap<number>(0, 'restamp'), [ev('a', 3, 4)]);
    ledger.stamped(0, ev('a', 4));
    expect(ledger.actions).toBe(3);
    expect(ledger.check(['1:a', '4:a', '1:b'])).toEqual({ missing: 0, twice: 0 });
  });

  it("'drop' merges nothing back; a function's payloads merge the dropped events in order", () => {
    const ledger = new ActionLedger();
    ledger.stamped(0, ev('a', 1));
    ledger.stamped(0, ev('a', 2));
    expect(merge(ledger.wrap<number>(0, 'drop'), [ev('a', 1)])).toEqual([]);
    ledger.stamped(0, ev('a', 3));
    expect(ledger.actions).toBe(3);
    const policy = (dropped: readonly TimelineEvent<number>[]) =>
      dropped.slice(0, 1).map((e) => e.payload + 1);
    expect(merge(ledger.wrap<number>(0, policy), [ev('a', 2, 1), ev('a', 3, 2)])).toEqual([2]);
    ledger.stamped(0, ev('a', 4));
    expect(ledger.actions).toBe(3);
    expect(ledger.check(['1:a', '3:a', '4:a'])).toEqual({ missing: 0, twice: 0 });
  });

  it('the applied log keeps the last pass over each tick, so a rollback does not count twice', () => {
    const log = new AppliedLog();
    const app = log.observe(rectangleApp);
    const state = app.init(1);
    const random = { int: () => 0, float: () => 0 } as never;
    app.event(state, 1, { tick: 5, random, source: 'a', seq: 1 });
    app.tick(state, { tick: 5, random });
    app.tick(state, { tick: 6, random });
    // Rolled back to tick 5 with a late event: tick 5 simulated again with both.
    app.event(state, 1, { tick: 5, random, source: 'a', seq: 1 });
    app.event(state, 2, { tick: 5, random, source: 'b', seq: 1 });
    app.tick(state, { tick: 5, random });
    app.tick(state, { tick: 6, random });
    expect(log.applied().sort()).toEqual(['1:a', '1:b']);
  });
});
