/**
 * Conformance checks of snapshots, compaction, durability (tickets, batches, flush, close,
 * crash) and reopening.
 */
import type { StoredSnapshot } from '../types.js';
import { equal, ok, rejectsCode, throwsCode } from './assert.js';
import type { CheckBody } from './basics.js';
import { event, identity, ME, settle } from './context.js';

function snapshot(tick: number, frontier: [string, number][], fill = tick): StoredSnapshot {
  return { tick, bytes: new Uint8Array(40).fill(fill & 255), frontier: new Map(frontier) };
}

/** The snapshots group. */
export const snapshotChecks: readonly (readonly [string, CheckBody])[] = [
  [
    'the newest snapshot comes back with its frontier; the events it folded in are left out',
    async (ctx) => {
      const store = await ctx.open();
      store.putEvents([
        event('a', 1, 1),
        event('a', 2, 2),
        event('a', 3, 12),
        event('b', 1, 3),
        event('b', 2, 30),
      ]);
      store.putSnapshot(snapshot(5, [['a', 1]]));
      store.putSnapshot(
        snapshot(10, [
          ['a', 2],
          ['b', 1],
          ['c', 4],
        ]),
      );
      store.putSnapshot(snapshot(8, [['a', 1]]));
      const state = await store.load();
      equal(
        state.snapshot,
        snapshot(10, [
          ['a', 2],
          ['b', 1],
          ['c', 4],
        ]),
        'the newest snapshot',
      );
      equal(state.events, [event('a', 3, 12), event('b', 2, 30)], 'events above its frontier');
    },
  ],
  [
    'a snapshot at the same tick replaces the one stored',
    async (ctx) => {
      const store = await ctx.open();
      store.putSnapshot(snapshot(10, [['a', 1]], 1));
      await store.flush();
      store.putSnapshot(snapshot(10, [['a', 2]], 2));
      equal((await store.load()).snapshot, snapshot(10, [['a', 2]], 2), 'the later one');
    },
  ],
];

/** The compaction group. */
export const compactionChecks: readonly (readonly [string, CheckBody])[] = [
  [
    'compact removes events before the tick; the newest snapshot and the events above its frontier stay',
    async (ctx) => {
      const location = await ctx.location();
      const store = await ctx.open(location);
      store.putEvents([event('a', 1, 1), event('a', 2, 9), event('a', 3, 10), event('b', 1, 11)]);
      store.putSnapshot(snapshot(4, [['a', 1]]));
      store.putSnapshot(snapshot(8, [['a', 1]]));
      store.putSnapshot(snapshot(12, [['a', 3]]));
      store.compact(10);
      const state = await store.load();
      equal(state.snapshot, snapshot(12, [['a', 3]]), 'the newest snapshot');
      equal(state.events, [event('b', 1, 11)], 'events above its frontier');
      await store.close();
      equal(await (await ctx.open(location)).load(), state, 'the same after reopening');
    },
  ],
  [
    'compact keeps the newest snapshot at or before its tick, drops the older ones',
    async (ctx) => {
      const store = await ctx.open();
      store.putEvents([event('a', 1, 1), event('a', 2, 9), event('a', 3, 10)]);
      store.putSnapshot(snapshot(4, [['a', 1]]));
      store.putSnapshot(snapshot(8, [['a', 1]]));
      store.compact(9);
      const state = await store.load();
      equal(state.snapshot?.tick, 8, 'the tick-8 snapshot stays');
      equal(state.events, [event('a', 2, 9), event('a', 3, 10)], 'events from tick 9 on');
      store.putSnapshot(snapshot(2, []));
      store.compact(9);
      equal((await store.load()).snapshot?.tick, 8, 'a later, older snapshot is compacted away again');
    },
  ],
  [
    'writes apply in call order: an event put before compact goes, one put after it stays',
    async (ctx) => {
      const store = await ctx.open();
      store.putEvents([event('a', 1, 3)]);
      store.compact(5);
      store.putEvents([event('a', 2, 4)]);
      equal((await store.load()).events, [event('a', 2, 4)], 'only the later event');
    },
  ],
];

/** The durability group (the crash check is registered only when the harness can crash a store). */
export const durabilityChecks: readonly (readonly [string, CheckBody])[] = [
  [
    'tickets count up; durableTicket, whenDurable and onDurable report each batch; flush makes all durable',
    async (ctx) => {
      const store = await ctx.open();
      const heard: number[] = [];
      const off = store.onDurable((t) => heard.push(t));
      const t1 = store.setIdentity(identity());
      const t2 = store.appendOwn(event(ME, 1, 1));
      const t3 = store.putEvents([event('a', 1, 1)]);
      ok(t1 >= 1 && t2 === t1 + 1 && t3 === t2 + 1, `tickets count up by one (${t1}, ${t2}, ${t3})`);
      ok(store.durableTicket < t1, 'nothing is durable before the store wrote');
      await store.whenDurable(t2);
      ok(store.durableTicket >= t2, 'durableTicket reached the awaited ticket');
      await store.flush();
      equal(store.durableTicket, t3, 'flush made the last ticket durable');
      ok(heard.length >= 1 && heard[heard.length - 1] === t3, `onDurable heard ${heard.join(',')}`);
      ok(
        heard.every((t, i) => i === 0 || t > (heard[i - 1] as number)),
        'onDurable tickets rise',
      );
      await store.whenDurable(t1); // already durable: resolves at once
      off();
      const t4 = store.putEvents([event('a', 2, 1)]);
      await store.flush();
      ok(!heard.includes(t4), 'an unsubscribed listener hears nothing');
      await rejectsCode(store.whenDurable(t4 + 10), 'BAD_INPUT', 'a ticket never issued');
      const stats = store.stats();
      equal([stats.queued, stats.durableTicket, stats.pending], [t4, t4, 0], 'stats');
      await store.flush(); // nothing queued: resolves
    },
  ],
  [
    'writes of one synchronous burst share batches (1 000 appends, at most a few commits)',
    async (ctx) => {
      const store = await ctx.open();
      store.setIdentity(identity());
      await store.flush();
      const before = store.stats().commits;
      let last = 0;
      for (let seq = 1; seq <= 1000; seq++) last = store.appendOwn(event(ME, seq, seq));
      await store.whenDurable(last);
      const commits = store.stats().commits - before;
      ok(commits >= 1 && commits <= 4, `1 000 appends took ${commits} commits`);
      const state = await store.load();
      equal(state.events.length, 1000, 'all appended');
      equal(state.ownLastSeq, 1000, 'ownLastSeq');
    },
  ],
  [
    'maxBatchDelayMs holds a batch back until it is due or flushed',
    async (ctx) => {
      const store = await ctx.open(undefined, { maxBatchDelayMs: 600_000 });
      store.putEvents([event('a', 1, 1)]);
      const t = store.putEvents([event('a', 2, 1)]);
      await settle(5);
      equal(store.durableTicket, 0, 'nothing written while the batch is not due');
      equal(store.stats().pending, 2, 'pending');
      await store.flush();
      equal(store.durableTicket, t, 'flush wrote it');
    },
  ],
  [
    'maxBatchRecords writes a batch once that many writes are queued',
    async (ctx) => {
      const store = await ctx.open(undefined, { maxBatchDelayMs: 600_000, maxBatchRecords: 10 });
      let last = 0;
      for (let seq = 1; seq <= 10; seq++) last = store.putEvents([event('a', seq, 1)]);
      await store.whenDurable(last);
      equal(store.durableTicket, last, 'written without a flush');
    },
  ],
  [
    'load waits for queued writes; close writes them, then every call throws CLOSED; close is idempotent',
    async (ctx) => {
      const location = await ctx.location();
      const store = await ctx.open(location, { maxBatchDelayMs: 600_000 });
      store.setIdentity(identity());
      store.appendOwn(event(ME, 1, 1));
      equal((await store.load()).events, [event(ME, 1, 1)], 'load saw the queued append');
      store.appendOwn(event(ME, 2, 2));
      await Promise.all([store.close(), store.close()]);
      await store.close();
      throwsCode(() => store.putEvents([event('a', 1, 1)]), 'CLOSED', 'putEvents');
      throwsCode(() => store.appendOwn(event(ME, 3, 3)), 'CLOSED', 'appendOwn');
      await rejectsCode(store.load(), 'CLOSED', 'load');
      const reopened = await ctx.open(location);
      const state = await reopened.load();
      equal(state.events, [event(ME, 1, 1), event(ME, 2, 2)], 'close wrote the queued append');
      equal(state.ownLastSeq, 2, 'ownLastSeq');
    },
  ],
  [
    'close and reopen: identity, newest snapshot, events and own last seq all come back',
    async (ctx) => {
      const location = await ctx.location();
      const store = await ctx.open(location);
      store.setIdentity(identity(1));
      store.appendOwn(event(ME, 1, 1));
      store.appendOwn(event(ME, 2, 6));
      store.putEvents([event('a', 1, 2), event('a', 2, 7)]);
      store.putSnapshot(
        snapshot(5, [
          [ME, 1],
          ['a', 1],
        ]),
      );
      const before = await store.load();
      await store.close();
      const reopened = await ctx.open(location);
      const after = await reopened.load();
      equal(after, before, 'the same state');
      equal(after.events, [event(ME, 2, 6), event('a', 2, 7)], 'events');
      throwsCode(() => reopened.appendOwn(event(ME, 2, 8)), 'BAD_SEQ', 'seq 2 is taken after reopening');
      reopened.setIdentity(identity(2));
      reopened.appendOwn(event(ME, 3, 8));
      await reopened.close();
      const third = await (await ctx.open(location)).load();
      equal(third.identity?.incarnation, 2, 'incarnation');
      equal(third.ownLastSeq, 3, 'ownLastSeq');
    },
  ],
];

/** The crash check (registered when the harness has `crash`). */
export const crashCheck: readonly [string, CheckBody] = [
  'a crash keeps every write reported durable, and the store reopens clean',
  async (ctx) => {
    const crash = ctx.harness.crash;
    if (crash === undefined) throw new Error('harness.crash is required');
    const location = await ctx.location();
    const store = await ctx.open(location, { maxBatchDelayMs: 600_000 });
    store.setIdentity(identity());
    const durable: number[] = [];
    for (let seq = 1; seq <= 20; seq++) {
      const t = store.appendOwn(event(ME, seq, seq));
      if (seq % 5 === 0) {
        await store.whenDurable(t);
        durable.push(seq);
      }
    }
    store.appendOwn(event(ME, 21, 21)); // queued, not due before the crash
    equal(store.stats().pending, 1, 'one write pending at the crash');
    await crash(store);
    const state = await (await ctx.open(location)).load();
    equal(state.dropped, [], 'nothing damaged');
    equal(state.identity, identity(), 'identity');
    const seqs = state.events.map((e) => e.seq);
    for (let seq = 1; seq <= 20; seq++) ok(seqs.includes(seq), `durable own event ${seq} is there`);
    ok(!seqs.includes(21), 'the write never made durable was not written');
    equal(state.ownLastSeq, 20, 'ownLastSeq');
  },
];
