import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEPT_PRINTS } from '../src/history-print.js';
import {
  type HistoryPrint,
  type RectangleKey,
  rectangleApp,
  Timeline,
  type TimelineEvent,
} from '../src/index.js';
import { keyEvent } from './helpers.js';

const ev = keyEvent;

const options = { snapshotEvery: 10, maxSnapshots: 400, printEvery: 50 };

/** Events of `sources` sources, source i acting every `3 + i` ticks from tick `i` to 1,000. */
function history(sources: number): TimelineEvent<RectangleKey>[] {
  const out: TimelineEvent<RectangleKey>[] = [];
  for (let i = 0; i < sources; i++) {
    let seq = 0;
    for (let t = i + 1; t < 1_000; t += 3 + i) out.push(ev(t, `s${i}`, ++seq));
  }
  return out;
}

/** Run `events` (inserted in `order`) to tick 1,000, compacting to `tick - lag` every `every` ticks. */
function run(
  events: readonly TimelineEvent<RectangleKey>[],
  every: number,
  lag: number,
  extra: Partial<typeof options & { forgetSourcesAfter: number }> = {},
): { tl: Timeline<ReturnType<typeof rectangleApp.init>, RectangleKey>; seen: Map<number, HistoryPrint> } {
  const tl = new Timeline(rectangleApp, { ...options, ...extra });
  tl.insertMany(events);
  const seen = new Map<number, HistoryPrint>();
  for (let t = every; t <= 1_000; t += every) {
    tl.advance(t - tl.tick);
    if (t > lag) tl.compact(t - lag);
    for (const p of tl.prints()) seen.set(p.tick, p);
  }
  return { tl, seen };
}

describe('Timeline prints: a history settled prefix, the same whenever it was compacted', () => {
  it('prints the events folded before each mark, keeping the newest KEPT_PRINTS', () => {
    const { tl, seen } = run(history(3), 10, 200, { printEvery: 10 });
    const prints = tl.prints();
    // Marks 10 to 800 passed (the base is at 800): the newest 64 are kept.
    expect(KEPT_PRINTS).toBe(64);
    expect(prints.map((p) => p.tick)).toEqual(Array.from({ length: 64 }, (_, i) => 170 + 10 * i));
    const all = history(3);
    for (const p of seen.values()) expect(p.count).toBe(all.filter((e) => e.tick < p.tick).length);
    expect(new Set([...seen.values()].map((p) => p.digest)).size).toBe(seen.size);
  });

  it('two timelines of one history print the same at every mark both passed, however and whenever they compacted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 100, max: 400 }),
        fc.integer({ min: 100, max: 400 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (sources, everyA, everyB, lagA, lagB, seed) => {
          const events = history(sources);
          const shuffled = [...events].sort(
            (a, b) => ((a.seq * 7919 + a.tick * seed) % 97) - ((b.seq * 7919 + b.tick * seed) % 97),
          );
          const a = run(events, everyA, lagA).seen;
          const b = run(shuffled, everyB, lagB, { forgetSourcesAfter: 60 }).seen;
          let common = 0;
          for (const [tick, p] of a) {
            const q = b.get(tick);
            if (q === undefined) continue;
            common++;
            expect(q).toEqual(p);
          }
          expect(common).toBeGreaterThan(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a history lacking one event prints differently at every mark after it, and the same before', () => {
    const events = history(2);
    const missing = events.find((e) => e.tick === 301)!;
    const a = run(events, 10, 200).seen;
    const b = run(
      events.filter((e) => e !== missing),
      10,
      200,
    ).seen;
    for (const [tick, p] of a) {
      const q = b.get(tick)!;
      if (tick <= missing.tick) expect(q).toEqual(p);
      else {
        expect(q.count).toBe(p.count - 1);
        expect(q.digest).not.toBe(p.digest);
      }
    }
  });

  it('the same count with another event prints another digest', () => {
    const events = history(2);
    const i = events.findIndex((e) => e.tick === 301);
    const other = [...events];
    other[i] = { ...events[i]!, tick: 302 };
    const a = run(events, 10, 200).seen.get(800)!;
    const b = run(other, 10, 200).seen.get(800)!;
    expect(b.count).toBe(a.count);
    expect(b.digest).not.toBe(a.digest);
  });

  it('a timeline joined from a snapshot prints on as the one it came from', () => {
    const events = history(3);
    const tl = new Timeline(rectangleApp, options);
    tl.insertMany(events);
    tl.advance(520);
    tl.compact(320);
    const joined = Timeline.fromSnapshot(rectangleApp, tl.baseSnapshot(), options);
    joined.insertMany(events.filter((e) => e.tick >= 320));
    for (const t of [600, 800, 1_000]) {
      tl.advance(t - tl.tick);
      joined.advance(t - joined.tick);
      tl.compact(t - 200);
      joined.compact(t - 200);
    }
    // The snapshot carries the prints kept at earlier marks: the joiner keeps the same ones.
    expect(joined.prints()).toEqual(tl.prints());
    expect(tl.prints().length).toBe(16);
    expect(tl.prints().filter((p) => p.tick < 300).length).toBe(5);
  });

  it('a snapshot without prints (or at another spacing) leaves the joiner without prints', () => {
    const tl = new Timeline(rectangleApp, options);
    tl.insertMany(history(2));
    tl.advance(500);
    tl.compact(300);
    const { print: _omit, ...bare } = tl.baseSnapshot();
    const joined = Timeline.fromSnapshot(rectangleApp, bare, options);
    joined.advance(400);
    joined.compact(600);
    expect(joined.prints()).toEqual([]);
    const other = Timeline.fromSnapshot(rectangleApp, tl.baseSnapshot(), { ...options, printEvery: 40 });
    other.advance(400);
    other.compact(600);
    expect(other.prints()).toEqual([]);
  });

  it('refuses a malformed print in a snapshot', () => {
    const tl = new Timeline(rectangleApp, options);
    tl.advance(100);
    tl.compact(60);
    const snap = tl.baseSnapshot();
    expect(() =>
      Timeline.fromSnapshot(
        rectangleApp,
        { ...snap, print: { ...snap.print!, open: [[1, 2]] as never } },
        options,
      ),
    ).toThrow(/print/);
    expect(() =>
      Timeline.fromSnapshot(
        rectangleApp,
        { ...snap, print: { ...snap.print!, kept: [[1, 2]] as never } },
        options,
      ),
    ).toThrow(/print/);
    expect(() => new Timeline(rectangleApp, { ...options, printEvery: 0 })).toThrow(/printEvery/);
  });

  it('kept prints a snapshot carries out of order, past its mark or growing past its count: no prints', () => {
    const tl = new Timeline(rectangleApp, options);
    tl.insertMany(history(2));
    tl.advance(500);
    tl.compact(300);
    const snap = tl.baseSnapshot();
    expect(snap.print!.kept!.length).toBeGreaterThan(1);
    const [k0, k1] = snap.print!.kept!;
    const bad = [
      [k1!, k0!],
      [k0!, [snap.print!.mark, k1![1], k1![2]] as const],
      [k0!, [k1![0], snap.print!.count + 1, k1![2]] as const],
      [[k0![0] + 1, k0![1], k0![2]] as const],
    ];
    for (const kept of bad) {
      const joined = Timeline.fromSnapshot(
        rectangleApp,
        { ...snap, print: { ...snap.print!, kept } },
        options,
      );
      joined.advance(400);
      joined.compact(600);
      expect(joined.prints()).toEqual([]);
    }
  });
});
