/**
 * Conformance checks of what a store keeps: identity, own and held events, their order, and
 * input validation.
 */
import { equal, ok, throwsCode } from './assert.js';
import { type CheckContext, event, identity, ME, ordered, SCOPE } from './context.js';

/** A check body over a fresh context. */
export type CheckBody = (ctx: CheckContext) => Promise<void>;

/** The basics group: `[name, body]` pairs. */
export const basicChecks: readonly (readonly [string, CheckBody])[] = [
  [
    'a fresh store loads empty',
    async (ctx) => {
      const store = await ctx.open();
      equal(store.scope, SCOPE, 'scope');
      const state = await store.load();
      equal(state.identity, undefined, 'identity');
      equal(state.snapshot, undefined, 'snapshot');
      equal(state.events, [], 'events');
      equal(state.ownLastSeq, 0, 'ownLastSeq');
      equal(state.dropped, [], 'dropped');
      equal(store.durableTicket, 0, 'durableTicket');
    },
  ],
  [
    'the identity comes back with its key bytes; a new incarnation replaces it',
    async (ctx) => {
      const store = await ctx.open();
      store.setIdentity(identity(0));
      equal((await store.load()).identity, identity(0), 'identity');
      store.setIdentity(identity(3));
      equal((await store.load()).identity, identity(3), 'identity after the new incarnation');
      store.setIdentity(identity(4, ME, false));
      equal((await store.load()).identity, identity(4, ME, false), 'identity without a key');
    },
  ],
  [
    'an identity of another room, app or peer id, or going back in incarnation, is refused (BAD_IDENTITY)',
    async (ctx) => {
      const store = await ctx.open();
      throwsCode(
        () => store.setIdentity({ ...identity(0), room: 'other' }),
        'BAD_IDENTITY',
        'other room',
        /other/,
      );
      throwsCode(
        () => store.setIdentity({ ...identity(0), appId: 'other' }),
        'BAD_IDENTITY',
        'other app',
        /other/,
      );
      store.setIdentity(identity(2));
      throwsCode(
        () => store.setIdentity(identity(2, 'peer-else')),
        'BAD_IDENTITY',
        'other peer',
        /peer-else/,
      );
      throwsCode(() => store.setIdentity(identity(1)), 'BAD_IDENTITY', 'incarnation going back');
      throwsCode(
        () => store.setIdentity({ ...identity(0), incarnation: -1 }),
        'BAD_INPUT',
        'negative incarnation',
      );
      equal((await store.load()).identity, identity(2), 'the identity is unchanged');
    },
  ],
  [
    'own events need an identity (NO_IDENTITY), its source (BAD_INPUT) and rising seqs (BAD_SEQ)',
    async (ctx) => {
      const store = await ctx.open();
      throwsCode(() => store.appendOwn(event(ME, 1, 0)), 'NO_IDENTITY', 'before the identity');
      store.setIdentity(identity());
      throwsCode(() => store.appendOwn(event('peer-else', 1, 0)), 'BAD_INPUT', 'another source');
      store.appendOwn(event(ME, 1, 5));
      store.appendOwn(event(ME, 3, 5));
      throwsCode(() => store.appendOwn(event(ME, 3, 6)), 'BAD_SEQ', 'the same seq again');
      throwsCode(() => store.appendOwn(event(ME, 2, 6)), 'BAD_SEQ', 'a lower seq');
      const state = await store.load();
      equal(state.events, [event(ME, 1, 5), event(ME, 3, 5)], 'events');
      equal(state.ownLastSeq, 3, 'ownLastSeq');
    },
  ],
  [
    'malformed input is refused synchronously (BAD_INPUT) and nothing of the call is stored',
    async (ctx) => {
      const store = await ctx.open();
      store.setIdentity(identity());
      const bad: [string, () => unknown][] = [
        ['negative tick', () => store.putEvents([event('a', 1, -1)])],
        ['seq 0', () => store.putEvents([event('a', 0, 1)])],
        ['fractional seq', () => store.putEvents([event('a', 1.5, 1)])],
        ['empty source', () => store.putEvents([event('', 1, 1)])],
        ['bytes not a Uint8Array', () => store.putEvents([{ ...event('a', 1, 1), bytes: [1, 2] as never }])],
        [
          'a bad event after a good one',
          () => store.putEvents([event('a', 1, 1), event('a', 2, Number.NaN)]),
        ],
        ['own event with a fractional tick', () => store.appendOwn(event(ME, 1, 0.5))],
        [
          'snapshot with a negative tick',
          () => store.putSnapshot({ tick: -1, bytes: new Uint8Array(), frontier: new Map() }),
        ],
        [
          'snapshot frontier not a Map',
          () => store.putSnapshot({ tick: 1, bytes: new Uint8Array(), frontier: { a: 1 } as never }),
        ],
        [
          'snapshot frontier with a negative seq',
          () => store.putSnapshot({ tick: 1, bytes: new Uint8Array(), frontier: new Map([['a', -1]]) }),
        ],
        ['compact at a negative tick', () => store.compact(-1)],
      ];
      for (const [what, fn] of bad) throwsCode(fn, 'BAD_INPUT', what);
      const state = await store.load();
      equal(state.events, [], 'events');
      equal(state.snapshot, undefined, 'snapshot');
      equal(state.ownLastSeq, 0, 'ownLastSeq');
    },
  ],
  [
    'events round trip byte for byte (empty, 1 MiB, every byte value; unicode sources) in (tick, source, seq) order',
    async (ctx) => {
      const store = await ctx.open();
      const big = new Uint8Array(1 << 20).map((_, i) => (i * 31 + 7) & 255);
      const all = new Uint8Array(256).map((_, i) => i);
      const events = [
        event('zoë', 1, 10, new Uint8Array()),
        event('b', 2, 3, big),
        event('b', 1, 3, all),
        event('a', 9, 3),
        event('😀-peer', 1, 0),
        event('\u{ff21}', 1, 0),
        event('a', 1, 20),
        event('b', 3, 3),
      ];
      store.putEvents(events.slice(0, 4));
      store.putEvents(events.slice(4));
      const state = await store.load();
      equal(state.events, ordered(events), 'events in (tick, source, seq) order');
      equal(state.events.length, 8, 'count');
    },
  ],
  [
    'a (source, seq) already held keeps its first bytes and tick',
    async (ctx) => {
      const store = await ctx.open();
      store.putEvents([event('a', 1, 5, Uint8Array.of(1))]);
      await store.flush();
      store.putEvents([event('a', 1, 6, Uint8Array.of(2)), event('a', 2, 6)]);
      store.putEvents([event('a', 2, 7, Uint8Array.of(3))]);
      const state = await store.load();
      equal(state.events, [event('a', 1, 5, Uint8Array.of(1)), event('a', 2, 6)], 'first writes win');
    },
  ],
  [
    'the store keeps its own copies: buffers changed after a call change nothing stored',
    async (ctx) => {
      const store = await ctx.open();
      const bytes = Uint8Array.of(1, 2, 3);
      const snapBytes = Uint8Array.of(9, 9);
      const frontier = new Map([['a', 1]]);
      const key = identity();
      store.setIdentity(key);
      store.putEvents([event('a', 1, 1, bytes)]);
      store.putSnapshot({ tick: 1, bytes: snapBytes, frontier });
      bytes[0] = 99;
      snapBytes[0] = 99;
      frontier.set('a', 5);
      key.key?.privateKey.fill(0);
      const state = await store.load();
      equal(state.identity, identity(), 'identity');
      equal(
        state.snapshot,
        { tick: 1, bytes: Uint8Array.of(9, 9), frontier: new Map([['a', 1]]) },
        'snapshot',
      );
      ok(state.events.length === 0, 'the event is folded into the snapshot');
      store.putSnapshot({ tick: 0, bytes: new Uint8Array(), frontier: new Map() });
      const loaded = await store.load();
      loaded.snapshot?.bytes.fill(0);
      equal((await store.load()).snapshot?.bytes, Uint8Array.of(9, 9), 'a loaded buffer is the caller’s');
    },
  ],
  [
    'ownLastSeq is the highest own seq ever stored, also from own events received back, and survives compaction',
    async (ctx) => {
      const store = await ctx.open();
      store.setIdentity(identity());
      store.appendOwn(event(ME, 1, 1));
      store.appendOwn(event(ME, 2, 2));
      equal((await store.load()).ownLastSeq, 2, 'after two appends');
      store.putEvents([event(ME, 7, 3), event('other', 50, 3)]);
      equal((await store.load()).ownLastSeq, 7, 'raised by an own event received back');
      throwsCode(() => store.appendOwn(event(ME, 7, 4)), 'BAD_SEQ', 'seq 7 is taken now');
      store.compact(100);
      const state = await store.load();
      equal(state.events, [], 'compacted');
      equal(state.ownLastSeq, 7, 'ownLastSeq kept through compaction');
    },
  ],
];
