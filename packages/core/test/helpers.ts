import fc from 'fast-check';
import type { App, EventContext, TickContext } from '../src/index.js';
import {
  type RectangleKey,
  RectangleKeys,
  Timeline,
  type TimelineEvent,
  type TimelineOptions,
} from '../src/index.js';

/**
 * An order-sensitive test app that also draws from ctx.random and keeps a growing array, and
 * has no snapshot/restore (so the default structuredClone path is exercised).
 */
export interface MixState {
  h: number;
  n: number;
  r: number;
  last: [string, number][];
  tags: Map<string, number>;
}

export const mixApp: App<MixState, number> = {
  init(seed: number): MixState {
    return { h: seed | 0, n: 0, r: 0, last: [], tags: new Map() };
  },
  tick(s: MixState, ctx: TickContext): void {
    s.h = Math.imul(s.h ^ ctx.tick, 0x01000193) | 0;
    if (ctx.tick % 3 === 0) s.r = (s.r ^ ctx.random.uint32()) | 0;
  },
  event(s: MixState, p: number, ctx: EventContext): void {
    s.h = Math.imul(s.h ^ (p + ctx.seq * 7 + ctx.source.charCodeAt(0) * 131), 0x01000193) | 0;
    s.n++;
    s.r = (s.r + ctx.random.int(1000)) | 0;
    s.last.push([ctx.source, ctx.seq]);
    if (s.last.length > 6) s.last.shift();
    s.tags.set(ctx.source, (s.tags.get(ctx.source) ?? 0) + p);
  },
};

/** Sources whose code-unit order differs from locale order (case, accents, astral chars). */
export const SOURCES = ['a', 'B', 'b', 'é', 'z', '\u{1F600}', 'peer-10', 'peer-9'];

export interface RawEvent {
  tick: number;
  source: string;
  payload: number;
}

/** Assign seq 1..n per source in tick order (a source's ticks are non-decreasing). */
export function withSeqs(raw: RawEvent[]): TimelineEvent<number>[] {
  const bySource = new Map<string, RawEvent[]>();
  for (const r of raw) {
    const list = bySource.get(r.source) ?? [];
    list.push(r);
    bySource.set(r.source, list);
  }
  const out: TimelineEvent<number>[] = [];
  for (const [source, list] of bySource) {
    list.sort((a, b) => a.tick - b.tick);
    list.forEach((r, i) => {
      out.push({ tick: r.tick, source, seq: i + 1, payload: r.payload });
    });
  }
  return out;
}

export function eventsArb(maxTick = 60, maxLength = 40): fc.Arbitrary<TimelineEvent<number>[]> {
  return fc
    .array(
      fc.record({
        tick: fc.integer({ min: 0, max: maxTick }),
        source: fc.constantFrom(...SOURCES),
        payload: fc.integer({ min: 0, max: 4 }),
      }),
      { maxLength },
    )
    .map(withSeqs);
}

/** When (and how) each event reaches a peer. */
export interface Delivery {
  /** Delay relative to the event's tick; negative = early (scheduled), positive = late. */
  delay: number;
  /** Tie-break among events delivered at the same tick (random order). */
  key: number;
}

export function deliveriesArb(n: number, minDelay = -20, maxDelay = 30): fc.Arbitrary<Delivery[]> {
  return fc.array(
    fc.record({
      delay: fc.integer({ min: minDelay, max: maxDelay }),
      key: fc.integer({ min: 0, max: 1 << 20 }),
    }),
    { minLength: n, maxLength: n },
  );
}

export interface Scheduled<E> {
  at: number;
  event: TimelineEvent<E>;
}

/** Events grouped by the tick at which they are delivered, in random order within a tick. */
export function schedule<E>(events: TimelineEvent<E>[], deliveries: Delivery[]): Scheduled<E>[][] {
  const items = events.map((event, i) => ({
    at: Math.max(0, event.tick + deliveries[i]!.delay),
    key: deliveries[i]!.key,
    i,
    event,
  }));
  items.sort((a, b) => a.at - b.at || a.key - b.key || a.i - b.i);
  const groups: Scheduled<E>[][] = [];
  for (const it of items) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[0]!.at === it.at) last.push({ at: it.at, event: it.event });
    else groups.push([{ at: it.at, event: it.event }]);
  }
  return groups;
}

export function endTickOf<E>(events: TimelineEvent<E>[], groups: Scheduled<E>[][]): number {
  let end = 0;
  for (const e of events) end = Math.max(end, e.tick + 1);
  for (const g of groups) end = Math.max(end, g[0]!.at + 1);
  return end;
}

/** The reference: every event known from the start, simulated straight to `end`. */
export function inOrder<S, E>(
  app: App<S, E>,
  events: TimelineEvent<E>[],
  end: number,
  options: TimelineOptions = {},
): Timeline<S, E> {
  const tl = new Timeline(app, options);
  tl.insertMany(events);
  tl.advance(end);
  return tl;
}

/** The rectangle app's four keys, in the order {@link keyEvent} cycles through them. */
const KEYS = [RectangleKeys.left, RectangleKeys.up, RectangleKeys.right, RectangleKeys.down];

/** A rectangle key event of `source`'s `seq` at `tick` (the key from tick and seq). */
export function keyEvent(tick: number, source: string, seq: number): TimelineEvent<RectangleKey> {
  return { tick, source, seq, payload: KEYS[(tick + seq) % 4]! };
}
