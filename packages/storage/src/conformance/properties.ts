/**
 * Property checks (fast-check): random sequences of writes, flushes and reopenings reload as a
 * reference model says, and arbitrary events round trip byte for byte.
 */
import fc from 'fast-check';
import type { StoredEvent, StoredSnapshot, StoredState } from '../types.js';
import { equal } from './assert.js';
import type { CheckBody } from './basics.js';
import { event, identity, ME, ordered } from './context.js';

type Op =
  | { readonly op: 'own'; readonly tick: number; readonly bytes: Uint8Array }
  | { readonly op: 'put'; readonly events: readonly StoredEvent[] }
  | { readonly op: 'snapshot'; readonly snapshot: StoredSnapshot }
  | { readonly op: 'compact'; readonly beforeTick: number }
  | { readonly op: 'flush' }
  | { readonly op: 'reopen' };

const SOURCES = [ME, 'a', 'b', 'ü'];
const tick = fc.integer({ min: 0, max: 40 });
const bytes = fc.uint8Array({ maxLength: 24 });
const stored = fc
  .record({ source: fc.constantFrom(...SOURCES), seq: fc.integer({ min: 1, max: 12 }), tick, bytes })
  .map((e): StoredEvent => e);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('own' as const), tick, bytes }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('put' as const), events: fc.array(stored, { maxLength: 4 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('snapshot' as const),
      snapshot: fc
        .record({
          tick,
          bytes,
          frontier: fc.array(fc.tuple(fc.constantFrom(...SOURCES), fc.integer({ min: 0, max: 12 })), {
            maxLength: 3,
          }),
        })
        .map((s): StoredSnapshot => ({ tick: s.tick, bytes: s.bytes, frontier: new Map(s.frontier) })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const), beforeTick: tick }) },
  { weight: 1, arbitrary: fc.constant({ op: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reopen' as const }) },
);

/** The reference model: what a store must hold after a sequence of writes. */
class Model {
  readonly events = new Map<string, StoredEvent>();
  readonly snapshots = new Map<number, StoredSnapshot>();
  ownLastSeq = 0;

  put(e: StoredEvent): void {
    const key = `${e.source}\u0000${e.seq}`;
    if (!this.events.has(key)) this.events.set(key, { ...e, bytes: e.bytes.slice() });
    if (e.source === ME && e.seq > this.ownLastSeq) this.ownLastSeq = e.seq;
  }

  compact(beforeTick: number): void {
    for (const [k, e] of this.events) if (e.tick < beforeTick) this.events.delete(k);
    const at = [...this.snapshots.keys()].filter((t) => t <= beforeTick);
    if (at.length > 0) {
      const keep = Math.max(...at);
      for (const t of [...this.snapshots.keys()]) if (t < keep) this.snapshots.delete(t);
    }
  }

  state(): Omit<StoredState, 'dropped' | 'identity'> {
    const ticks = [...this.snapshots.keys()];
    const snapshot = ticks.length === 0 ? undefined : this.snapshots.get(Math.max(...ticks));
    const events = ordered(
      [...this.events.values()].filter((e) => e.seq > (snapshot?.frontier.get(e.source) ?? 0)),
    );
    return { snapshot, events, ownLastSeq: this.ownLastSeq };
  }
}

/** The properties group (fast-check). */
export function propertyChecks(runs: number): readonly (readonly [string, CheckBody])[] {
  return [
    [
      `random writes, flushes and reopenings reload as the reference model says (${runs} runs)`,
      async (ctx) => {
        await fc.assert(
          fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
            const location = await ctx.location();
            let store = await ctx.open(location, { maxBatchDelayMs: 5 });
            store.setIdentity(identity());
            const model = new Model();
            for (const o of ops) {
              switch (o.op) {
                case 'own': {
                  const e = event(ME, model.ownLastSeq + 1, o.tick, o.bytes);
                  store.appendOwn(e);
                  model.put(e);
                  break;
                }
                case 'put':
                  store.putEvents(o.events);
                  for (const e of o.events) model.put(e);
                  break;
                case 'snapshot':
                  store.putSnapshot(o.snapshot);
                  model.snapshots.set(o.snapshot.tick, o.snapshot);
                  break;
                case 'compact':
                  store.compact(o.beforeTick);
                  model.compact(o.beforeTick);
                  break;
                case 'flush':
                  await store.flush();
                  break;
                case 'reopen':
                  await store.close();
                  store = await ctx.open(location, { maxBatchDelayMs: 5 });
                  break;
              }
            }
            const { dropped, identity: id, ...state } = await store.load();
            await store.close();
            equal(dropped, [], 'nothing dropped');
            equal(id, identity(), 'identity');
            equal(state, model.state(), 'the loaded state');
          }),
          { numRuns: runs },
        );
      },
    ],
    [
      `arbitrary events (any bytes, any source, any safe seq and tick) round trip (${runs} runs)`,
      async (ctx) => {
        const arb = fc.record({
          source: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
          seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          tick: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          bytes: fc.uint8Array({ maxLength: 300 }),
        });
        await fc.assert(
          fc.asyncProperty(
            fc.uniqueArray(arb, { maxLength: 30, selector: (e) => `${e.source}\u0000${e.seq}` }),
            async (events) => {
              const store = await ctx.open();
              store.putEvents(events);
              const state = await store.load();
              await store.close();
              equal(state.events, ordered(events), 'events');
            },
          ),
          { numRuns: runs },
        );
      },
    ],
  ];
}
