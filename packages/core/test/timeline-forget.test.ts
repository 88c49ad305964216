import { describe, expect, it } from 'vitest';
import { type RectangleKey, rectangleApp, Timeline, type TimelineEvent } from '../src/index.js';
import { keyEvent } from './helpers.js';

const ev = keyEvent;

/** A room where source `gone` acts at ticks 5..40 only and `stay` every 50 ticks to 2,000. */
function history(): TimelineEvent<RectangleKey>[] {
  const out: TimelineEvent<RectangleKey>[] = [];
  for (let i = 1; i <= 8; i++) out.push(ev(i * 5, 'gone', i));
  for (let i = 1; i <= 40; i++) out.push(ev(i * 50, 'stay', i));
  return out;
}

const options = { snapshotEvery: 10, maxSnapshots: 400, forgetSourcesAfter: 200 };

describe('Timeline: forgetting sources gone longer than forgetSourcesAfter', () => {
  it('forgets a source once its newest event is that far before the base, and refuses its old events', () => {
    const tl = new Timeline(rectangleApp, options);
    tl.insertMany(history());
    tl.advance(1_000);
    expect(tl.compact(200)).toBe(200);
    // Newest event of `gone` at 40: not yet 200 ticks before the base.
    expect(tl.drainForgotten()).toEqual([]);
    expect(tl.baseSnapshot().frontier.map(([s]) => s)).toEqual(['gone', 'stay']);
    expect(tl.compact(250)).toBe(250);
    expect(tl.drainForgotten()).toEqual([['gone', 8, 40, 8]]);
    expect(tl.forgottenIds).toBe(8);
    expect(tl.drainForgotten()).toEqual([]);
    expect(tl.baseSnapshot().frontier).toEqual([['stay', 4]]);
    expect(tl.baseSnapshot().lastTicks).toEqual([200]);
    expect(tl.has('gone', 3)).toBe(false);
    // Its events, all before the base, stay refused: never applied a second time.
    const hash = tl.hash();
    for (let i = 1; i <= 8; i++) expect(tl.insert(ev(i * 5, 'gone', i))).toBe('too-old');
    expect(tl.hash()).toBe(hash);
  });

  it('counts as forgotten identities the seqs a source held, not those given up below its frontier', () => {
    const tl = new Timeline(rectangleApp, options);
    // `gappy` never delivered seqs 2..4: compaction gives them up.
    tl.insertMany([...history(), ev(6, 'gappy', 1), ev(30, 'gappy', 5), ev(35, 'gappy', 6)]);
    tl.advance(1_000);
    expect(tl.compact(250)).toBe(250);
    const gone = tl.drainForgotten().filter(([s]) => s === 'gappy');
    expect(gone).toEqual([['gappy', 6, 35, 3]]);
    expect(tl.forgottenIds).toBe(8 + 3);
  });

  it("counts the forgotten sources' ids (forgottenIds), and a snapshot carries the count on", () => {
    const tl = new Timeline(rectangleApp, options);
    tl.insertMany(history());
    tl.advance(1_000);
    tl.compact(200);
    expect(tl.forgottenIds).toBe(0);
    expect(tl.baseSnapshot().forgottenIds).toBeUndefined();
    tl.compact(250);
    expect(tl.forgottenIds).toBe(8);
    const snap = tl.baseSnapshot();
    expect(snap.forgottenIds).toBe(8);
    const joined = Timeline.fromSnapshot(rectangleApp, snap, options);
    expect(joined.forgottenIds).toBe(8);
    expect(() => Timeline.fromSnapshot(rectangleApp, { ...snap, forgottenIds: -1 }, options)).toThrow(
      /forgottenIds/,
    );
  });

  it('never forgets without the option, nor a source that still holds events', () => {
    const full = new Timeline(rectangleApp, { snapshotEvery: 10, maxSnapshots: 400 });
    full.insertMany(history());
    full.advance(1_000);
    full.compact(900);
    expect(full.drainForgotten()).toEqual([]);
    expect(full.baseSnapshot().frontier.map(([s]) => s)).toEqual(['gone', 'stay']);
    const holding = new Timeline(rectangleApp, options);
    holding.insertMany([...history(), ev(950, 'gone', 9)]);
    holding.advance(1_000);
    holding.compact(900);
    expect(holding.drainForgotten()).toEqual([]);
    expect(holding.frontier().get('gone')).toBe(9);
  });

  it('forgets the same sources at the same base tick whatever the compaction steps, also from a snapshot', () => {
    const a = new Timeline(rectangleApp, options);
    const b = new Timeline(rectangleApp, options);
    for (const tl of [a, b]) {
      tl.insertMany(history());
      tl.advance(1_000);
    }
    for (const t of [100, 200]) a.compact(t);
    // A joiner from a's base at 200, where `gone` (newest event at 40) is still listed.
    const joiner = Timeline.fromSnapshot(rectangleApp, a.baseSnapshot(), options);
    expect(a.baseSnapshot().frontier.map(([s]) => s)).toEqual(['gone', 'stay']);
    for (const t of [230, 300, 600, 900]) a.compact(t);
    b.compact(900);
    joiner.insertMany(history().filter((e) => e.tick >= 200));
    joiner.advance(800);
    joiner.compact(900);
    const sa = a.baseSnapshot();
    expect(b.baseSnapshot()).toEqual(sa);
    expect(joiner.baseSnapshot()).toEqual(sa);
    expect(b.hash()).toBe(a.hash());
    expect(joiner.hash()).toBe(a.hash());
  });

  it('with keepForgottenFor, the base lists a forgotten source that much longer, as folded seqs only', () => {
    const keep = { ...options, keepForgottenFor: 300 };
    const tl = new Timeline(rectangleApp, keep);
    tl.insertMany(history());
    tl.advance(1_000);
    tl.compact(250);
    expect(tl.drainForgotten()).toEqual([['gone', 8, 40, 8]]);
    expect(tl.forgottenIds).toBe(8);
    // Forgotten: not in the frontier, no seqs to repair, its old events refused as settled.
    expect([...tl.frontier().keys()]).toEqual(['stay']);
    expect(tl.maxSeq('gone')).toBe(0);
    expect(tl.heldRanges('gone')).toEqual([]);
    expect(tl.insert(ev(5, 'gone', 1))).toBe('too-old');
    // Its folded seqs are still in the history: snapshots list them, a re-stamp naming one is skipped.
    expect(tl.has('gone', 8)).toBe(true);
    const snap = tl.baseSnapshot();
    expect(snap.frontier).toEqual([
      ['gone', 8],
      ['stay', 4],
    ]);
    expect(snap.lastTicks).toEqual([40, 200]);
    // A joiner seeds it forgotten too: the same answers, the same snapshot, the same count.
    const joiner = Timeline.fromSnapshot(rectangleApp, snap, keep);
    expect(joiner.frontier().has('gone')).toBe(false);
    expect(joiner.has('gone', 8)).toBe(true);
    expect(joiner.baseSnapshot()).toEqual(snap);
    expect(joiner.forgottenIds).toBe(8);
    // Listed until its newest event is the forget age plus that much before the base.
    tl.compact(540);
    expect(tl.baseSnapshot().frontier.map(([s]) => s)).toEqual(['gone', 'stay']);
    tl.compact(560);
    expect(tl.baseSnapshot().frontier.map(([s]) => s)).toEqual(['stay']);
    expect(tl.has('gone', 8)).toBe(false);
    expect(tl.forgottenIds).toBe(8);
    expect(tl.drainForgotten()).toEqual([]);
  });

  it('with keepForgottenFor, a forgotten source returning continues above its folded frontier', () => {
    const tl = new Timeline(rectangleApp, { ...options, keepForgottenFor: 300 });
    tl.insertMany(history());
    tl.advance(1_000);
    tl.compact(250);
    expect(tl.insert(ev(1_010, 'gone', 9))).toBe('scheduled');
    tl.advance(20);
    expect(tl.frontier().get('gone')).toBe(9);
    expect(tl.heldRanges('gone')).toEqual([1, 9]);
  });

  it('a source returning under the same id continues above its forgotten seqs', () => {
    const tl = new Timeline(rectangleApp, options);
    tl.insertMany(history());
    tl.advance(1_000);
    tl.compact(600);
    expect(tl.drainForgotten().map(([s]) => s)).toEqual(['gone']);
    expect(tl.insert(ev(1_010, 'gone', 9))).toBe('scheduled');
    tl.advance(20);
    expect(tl.has('gone', 9)).toBe(true);
    expect(tl.eventsFrom('gone', 1, 9).map((e) => e.seq)).toEqual([9]);
  });

  it('holds state for the sources of the last stretch only while thousands come and go', () => {
    const tl = new Timeline(rectangleApp, { snapshotEvery: 10, maxSnapshots: 100, forgetSourcesAfter: 100 });
    let base = 0;
    let widest = 0;
    for (let i = 0; i < 3_000; i++) {
      tl.insert(ev(tl.tick, `s${i}`, 1));
      tl.advance(5);
      if (tl.tick % 100 === 0) {
        base = tl.compact(tl.tick - 200);
        tl.drainForgotten();
        widest = Math.max(widest, tl.baseSnapshot().frontier.length);
      }
    }
    expect(base).toBeGreaterThan(14_000);
    // Sources active within forgetSourcesAfter + one compaction step before the base: 300 / 5.
    expect(widest).toBeLessThanOrEqual(62);
    expect(tl.baseSnapshot().frontier.length).toBeLessThanOrEqual(62);
  });
});

describe('Timeline: sources whose events are all folded', () => {
  it('quietSince: the newest tick once all of a source is folded, undefined while it holds one after the base', () => {
    const tl = new Timeline(rectangleApp, options);
    tl.insertMany(history());
    tl.advance(1_000);
    expect(tl.quietSince('gone')).toBeUndefined();
    tl.compact(100);
    expect(tl.quietSince('gone')).toBe(40);
    expect(tl.quietSince('stay')).toBeUndefined();
    expect(tl.quietSince('nobody')).toBeUndefined();
  });

  it('hold new events of their own again, each source only its own', () => {
    const tl = new Timeline(rectangleApp, options);
    tl.insertMany(history());
    tl.advance(1_000);
    tl.compact(100);
    // All of `gone` is folded: it holds no event now; `other` is new.
    expect(tl.insert(ev(1_010, 'gone', 9))).toBe('scheduled');
    expect(tl.insert(ev(1_020, 'other', 1))).toBe('scheduled');
    expect(tl.eventsFrom('gone', 1, 100).map((e) => e.seq)).toEqual([9]);
    expect(tl.eventsFrom('other', 1, 100).map((e) => e.seq)).toEqual([1]);
    expect(tl.heldRanges('gone')).toEqual([1, 9]);
    expect(tl.quietSince('gone')).toBeUndefined();
    tl.advance(100);
    tl.compact(1_100);
    expect(tl.quietSince('gone')).toBe(1_010);
    expect(tl.eventsFrom('gone', 1, 100)).toEqual([]);
    expect(tl.insert(ev(1_200, 'other', 2))).toBe('scheduled');
    expect(tl.eventsFrom('gone', 1, 100)).toEqual([]);
  });
});
