import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventColumns } from '../src/event-columns.js';
import { objectKeys } from '../src/event-keys.js';
import type { App, TimelineEvent } from '../src/index.js';
import { SourceSlotMap } from '../src/source-slots.js';
import { Timeline } from '../src/timeline.js';

const SOURCES = ['b', 'a', 'peer-c', 'Z', 'a2'];

type Shape = 'plain' | 'restamp' | 'extra' | 'signed' | 'badSigned';

type Op =
  | {
      kind: 'add';
      source: number;
      seq: number;
      tick: number;
      payload: unknown;
      whole: Shape;
      sig: Uint8Array;
    }
  | { kind: 'drop'; pick: number };

const numberArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 5000 }), weight: 8 },
  // Beyond 32 bits: the columns widen to 64-bit floats from then on.
  { arbitrary: fc.integer({ min: 2 ** 31 - 2, max: Number.MAX_SAFE_INTEGER }), weight: 1 },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      source: fc.nat(SOURCES.length - 1),
      seq: numberArb,
      tick: numberArb,
      payload: fc.oneof(
        fc.integer(),
        fc.string(),
        fc.constant({ key: 'left' }),
        // Numbers an integer column would not give back exactly, and a bigint.
        fc.constantFrom(undefined, -0, 0.5, 2 ** 40, Number.NaN, 1n, true),
      ),
      whole: fc.constantFrom<Shape>(
        'plain',
        'plain',
        'plain',
        'restamp',
        'extra',
        'signed',
        'signed',
        'badSigned',
      ),
      sig: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }), weight: 2 },
);

/** The event object of `o`: plain, a re-stamp, with a field of the host's, or with a `sig` of 4 bytes (or 3). */
function eventOf(o: Extract<Op, { kind: 'add' }>): TimelineEvent<unknown> {
  const base = { source: SOURCES[o.source]!, seq: o.seq, tick: o.tick, payload: o.payload };
  if (o.whole === 'plain') return base;
  if (o.whole === 'restamp') return { ...base, restamps: 1 };
  if (o.whole === 'extra') return { ...base, signature: new Uint8Array([1, 2]) } as TimelineEvent<unknown>;
  return { ...base, sig: o.whole === 'signed' ? o.sig : o.sig.slice(1) } as TimelineEvent<unknown>;
}

describe('EventColumns (held events by handle)', () => {
  it('reads back every held event as a map of event objects does, across growth, reuse and widening', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(opArb, { minLength: 50, maxLength: 400, size: 'max' }),
        (withField, ops) => {
          const registry = new SourceSlotMap();
          const slots = SOURCES.map((s) => registry.acquire(s));
          // With a bytes field, a 4-byte `sig` is held in its column; without, such an event is kept whole.
          const field = withField ? { name: 'sig', length: 4 } : undefined;
          const cols = new EventColumns<unknown>(registry, field);
          const model = new Map<number, TimelineEvent<unknown>>();
          for (const o of ops) {
            if (o.kind === 'add') {
              const e = eventOf(o);
              const h = cols.add(e, slots[o.source]!);
              expect(model.has(h)).toBe(false);
              model.set(h, e);
            } else if (model.size > 0) {
              const held = [...model.keys()];
              const h = held[o.pick % held.length]!;
              cols.drop(h);
              model.delete(h);
            }
            expect(cols.size).toBe(model.size);
          }
          const held = [...model.entries()];
          for (const [h, e] of held) {
            expect(cols.seqOf(h)).toBe(e.seq);
            expect(cols.tickOf(h)).toBe(e.tick);
            expect(cols.sourceOf(h)).toBe(e.source);
            expect(cols.slotOf(h)).toBe(registry.slotOf(e.source));
            expect(cols.payloadOf(h)).toBe(e.payload);
            expect(cols.restampsOf(h)).toBe(e.restamps);
            const back = cols.event(h);
            expect(back).toEqual(e);
            // An object with fields beyond the four comes back as itself, but for one whose only
            // extra is the bytes field (of its length): an equal copy, in the decoder's field order.
            const sig = (e as { sig?: Uint8Array }).sig;
            if (field !== undefined && Object.keys(e).length === 5 && sig?.length === 4) {
              expect(back).not.toBe(e);
              expect((back as { sig?: Uint8Array }).sig).not.toBe(sig);
              expect(Object.keys(back)).toEqual(['source', 'seq', 'tick', 'payload', 'sig']);
            } else if (Object.keys(e).length !== 4) expect(back).toBe(e);
          }
          for (let i = 0; i < Math.min(held.length, 40); i++)
            for (let j = 0; j < Math.min(held.length, 40); j++) {
              const [a, ea] = held[i]!;
              const [b, eb] = held[j]!;
              expect(cols.before(a, b)).toBe(objectKeys.before(ea, eb));
            }
        },
      ),
    );
  });

  it('reuse the handle dropped last and never hand out a held one', () => {
    const registry = new SourceSlotMap();
    const slot = registry.acquire('a');
    const cols = new EventColumns<number>(registry);
    const hs = Array.from({ length: 100 }, (_, i) =>
      cols.add({ source: 'a', seq: i + 1, tick: i, payload: i }, slot),
    );
    expect(new Set(hs).size).toBe(100);
    cols.drop(hs[10]!);
    cols.drop(hs[20]!);
    expect(cols.add({ source: 'a', seq: 500, tick: 1, payload: 0 }, slot)).toBe(hs[20]);
    expect(cols.add({ source: 'a', seq: 501, tick: 1, payload: 0 }, slot)).toBe(hs[10]);
    expect(cols.add({ source: 'a', seq: 502, tick: 1, payload: 0 }, slot)).toBe(100);
    expect(cols.handles).toBe(101);
  });
});

describe('Timeline: the events it holds', () => {
  const app: App<{ n: number }, number> = {
    init: () => ({ n: 0 }),
    tick: () => undefined,
    event: (s, p) => {
      s.n = s.n * 31 + p;
    },
  };

  it('keeps an event as inserted: fields changed on the object afterwards change nothing', () => {
    const tl = new Timeline(app, {});
    const e = { source: 'a', seq: 1, tick: 3, payload: 7 };
    tl.insert(e);
    e.payload = 9;
    (e as { tick: number }).tick = 1;
    expect(tl.eventsFrom('a', 1, 1)).toEqual([{ source: 'a', seq: 1, tick: 3, payload: 7 }]);
    tl.advance(5);
    expect(tl.state.n).toBe(7);
  });

  it('holds the bytes field a host names in a column and hands back an equal copy', () => {
    const tl = new Timeline(app, { bytesField: { name: 'signature', length: 64 } });
    const signature = new Uint8Array(64).map((_, i) => i);
    const signed = { source: 'a', seq: 1, tick: 3, payload: 7, signature };
    tl.insert(signed);
    signature[0] = 99;
    const [back] = tl.eventsFrom('a', 1, 1);
    expect(back).not.toBe(signed);
    expect(back).toEqual({ ...signed, signature: new Uint8Array(64).map((_, i) => i) });
    // Bytes of another length: the event is kept whole.
    const odd = { source: 'a', seq: 2, tick: 4, payload: 8, signature: new Uint8Array(3) };
    tl.insert(odd);
    expect(tl.eventsFrom('a', 2, 2)[0]).toBe(odd);
    expect(() => new Timeline(app, { bytesField: { name: 'payload', length: 64 } })).toThrow(/bytesField/);
    expect(() => new Timeline(app, { bytesField: { name: 'sig', length: 0 } })).toThrow(/bytesField/);
  });

  it('hands back an event with fields of its host (as a signature) as that very object', () => {
    const tl = new Timeline(app, {});
    const signed = { source: 'a', seq: 1, tick: 3, payload: 7, signature: new Uint8Array(64) };
    const plain = { source: 'a', seq: 2, tick: 4, payload: 8 };
    tl.insertMany([signed, plain]);
    const [one, two] = tl.eventsFrom('a', 1, 2);
    expect(one).toBe(signed);
    expect(two).toEqual(plain);
    expect(Object.keys(two!)).toEqual(['source', 'seq', 'tick', 'payload']);
  });
});
