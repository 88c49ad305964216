/**
 * Conformance checks of what a store refuses to open (another room, app or format version, a
 * damaged header) and of damaged records (detected, dropped, reported, never loaded).
 */
import { STORE_FORMAT_VERSION } from '../records.js';
import { equal, ok, rejectsCode } from './assert.js';
import type { CheckBody } from './basics.js';
import { type CheckContext, event, identity, ME, SCOPE } from './context.js';

/** Opens a store at a fresh location with some content, closes it, returns the location. */
async function filled(ctx: CheckContext): Promise<string> {
  const location = await ctx.location();
  const store = await ctx.open(location);
  store.setIdentity(identity());
  store.appendOwn(event(ME, 1, 1));
  store.putEvents([event('a', 1, 2), event('a', 2, 3)]);
  await store.close();
  return location;
}

/** The scope group (always registered). */
export const scopeChecks: readonly (readonly [string, CheckBody])[] = [
  [
    'a store of another room or app is refused (WRONG_ROOM, WRONG_APP, naming both), and still opens for its own',
    async (ctx) => {
      const location = await filled(ctx);
      await rejectsCode(
        ctx.open(location, undefined, { ...SCOPE, room: 'room-b' }),
        'WRONG_ROOM',
        'another room',
        /conformance-room.*room-b|room-b.*conformance-room/,
      );
      await rejectsCode(
        ctx.open(location, undefined, { ...SCOPE, appId: 'app-b' }),
        'WRONG_APP',
        'another app',
        /conformance-app.*app-b|app-b.*conformance-app/,
      );
      const state = await (await ctx.open(location)).load();
      equal(state.events.length, 3, 'its own room and app still open it, intact');
    },
  ],
];

/** The format check (registered when the harness has `setFormatVersion`). */
export const formatCheck: readonly [string, CheckBody] = [
  'a store of another format version is refused (UNSUPPORTED_FORMAT, naming the version)',
  async (ctx) => {
    const location = await filled(ctx);
    const set = ctx.harness.setFormatVersion;
    if (set === undefined) throw new Error('harness.setFormatVersion is required');
    await set(location, STORE_FORMAT_VERSION + 1);
    await rejectsCode(
      ctx.open(location),
      'UNSUPPORTED_FORMAT',
      'a newer format',
      new RegExp(`${STORE_FORMAT_VERSION + 1}`),
    );
    await set(location, STORE_FORMAT_VERSION);
    equal((await (await ctx.open(location)).load()).events.length, 3, 'opens again in its own format');
  },
];

/** The damage checks (registered when the harness has `damage`). */
export const damageChecks: readonly (readonly [string, CheckBody])[] = [
  [
    'a damaged header fails the open with CORRUPT',
    async (ctx) => {
      const location = await filled(ctx);
      ok(await damage(ctx, location, 'corrupt-header'), 'the header was damaged');
      await rejectsCode(ctx.open(location), 'CORRUPT', 'damaged header');
    },
  ],
  ...(['corrupt', 'tear'] as const).map((how): readonly [string, CheckBody] => [
    `a ${how === 'corrupt' ? 'corrupted' : 'torn'} last event is dropped and reported; the rest loads`,
    async (ctx) => {
      const location = await filled(ctx);
      ok(await damage(ctx, location, `${how}-last-event`), 'the last event was damaged');
      const store = await ctx.open(location);
      const state = await store.load();
      equal(state.events, [event(ME, 1, 1), event('a', 1, 2)], 'the intact events');
      equal(state.dropped.length, 1, 'one record dropped');
      equal([state.dropped[0]?.kind, state.dropped[0]?.key], ['event', 'a:2'], 'the dropped record');
      ok((state.dropped[0]?.reason ?? '') !== '', 'a reason is given');
      equal(store.stats().dropped, 1, 'stats count it');
      equal(state.ownLastSeq, 1, 'ownLastSeq');
      store.putEvents([event('a', 3, 4)]);
      equal((await store.load()).events.length, 3, 'the store keeps working');
    },
  ]),
  [
    'a damaged newest snapshot is dropped; the one before it is used',
    async (ctx) => {
      const location = await ctx.location();
      const store = await ctx.open(location);
      store.putEvents([event('a', 1, 1), event('a', 2, 6), event('a', 3, 11)]);
      store.putSnapshot({ tick: 5, bytes: Uint8Array.of(5), frontier: new Map([['a', 1]]) });
      store.putSnapshot({ tick: 10, bytes: Uint8Array.of(10), frontier: new Map([['a', 2]]) });
      await store.close();
      ok(await damage(ctx, location, 'tear-last-snapshot'), 'the last snapshot was damaged');
      const state = await (await ctx.open(location)).load();
      equal(
        state.snapshot,
        { tick: 5, bytes: Uint8Array.of(5), frontier: new Map([['a', 1]]) },
        'the older one',
      );
      equal(state.events, [event('a', 2, 6), event('a', 3, 11)], 'events above its frontier');
      equal(
        state.dropped.map((d) => [d.kind, d.key]),
        [['snapshot', '10']],
        'dropped',
      );
    },
  ],
  [
    'compaction removed the snapshots before the newest: with the newest damaged, none is left',
    async (ctx) => {
      const location = await ctx.location();
      const store = await ctx.open(location);
      store.putEvents([event('a', 1, 1), event('a', 2, 6), event('a', 3, 11)]);
      store.putSnapshot({ tick: 5, bytes: Uint8Array.of(5), frontier: new Map([['a', 1]]) });
      store.putSnapshot({ tick: 10, bytes: Uint8Array.of(10), frontier: new Map([['a', 2]]) });
      store.compact(10);
      await store.close();
      ok(await damage(ctx, location, 'corrupt-last-snapshot'), 'the last snapshot was damaged');
      const state = await (await ctx.open(location)).load();
      equal(state.snapshot, undefined, 'no snapshot left');
      equal(state.events, [event('a', 3, 11)], 'only the events compaction kept');
    },
  ],
];

async function damage(
  ctx: CheckContext,
  location: string,
  what: Parameters<NonNullable<CheckContext['harness']['damage']>>[1],
): Promise<boolean> {
  const fn = ctx.harness.damage;
  if (fn === undefined) throw new Error('harness.damage is required');
  return fn(location, what);
}
