import { describe, expect, it } from 'vitest';
import {
  type RectangleKey,
  rectangleApp,
  SourceSlotMap,
  Timeline,
  type TimelineEvent,
} from '../src/index.js';
import { keyEvent } from './helpers.js';

const ev = keyEvent;

/** `gone` acts at ticks 5..40 only, `stay` every 50 ticks to 2,000, `late` from tick 300 (seq 2^40 on). */
function history(): TimelineEvent<RectangleKey>[] {
  const out: TimelineEvent<RectangleKey>[] = [];
  for (let i = 1; i <= 8; i++) out.push(ev(i * 5, 'gone', i));
  for (let i = 1; i <= 40; i++) out.push(ev(i * 50, 'stay', i));
  out.push(ev(300, 'late', 1), ev(310, 'late', 2 ** 40));
  return out;
}

const options = { snapshotEvery: 10, maxSnapshots: 400, forgetSourcesAfter: 200 };

describe('Timeline: the sourceSlots option (a registry of source slots shared with the host)', () => {
  it('refuses a value without the registry methods', () => {
    expect(() => new Timeline(rectangleApp, { sourceSlots: {} as never })).toThrow(
      expect.objectContaining({ code: 'BAD_OPTION' }),
    );
    expect(() => new Timeline(rectangleApp, { sourceSlots: null as never })).toThrow(
      expect.objectContaining({ code: 'BAD_OPTION' }),
    );
  });

  it('holds a slot per source listed, lets go of it when forgetting, and of all on releaseSources', () => {
    const slots = new SourceSlotMap();
    slots.acquire('host-only');
    slots.acquire('gone'); // the host holds `gone` too
    const tl = new Timeline(rectangleApp, { ...options, sourceSlots: slots });
    tl.insertMany(history());
    expect(slots.size).toBe(4);
    tl.advance(1_000);
    tl.compact(250);
    expect(tl.drainForgotten().map(([s]) => s)).toEqual(['gone']);
    // Forgotten: the timeline let go of `gone`, which the host still holds.
    expect(slots.slotOf('gone')).toBeGreaterThanOrEqual(0);
    slots.release(slots.slotOf('gone'));
    expect(slots.slotOf('gone')).toBe(-1);
    expect(slots.size).toBe(3);
    tl.releaseSources();
    expect(slots.size).toBe(1);
    expect(slots.slotOf('host-only')).toBeGreaterThanOrEqual(0);
    tl.releaseSources();
    expect(slots.size).toBe(1);
  });

  it('holds the same history as a timeline with its own registry, joiners included', () => {
    const slots = new SourceSlotMap();
    const own = new Timeline(rectangleApp, options);
    const shared = new Timeline(rectangleApp, { ...options, sourceSlots: slots });
    for (const tl of [own, shared]) {
      tl.insertMany(history());
      tl.advance(400);
      tl.compact(320);
    }
    expect(shared.hash()).toBe(own.hash());
    expect(shared.baseSnapshot()).toEqual(own.baseSnapshot());
    expect([...shared.frontier()]).toEqual([...own.frontier()]);
    expect(shared.maxSeq('late')).toBe(2 ** 40);
    const joiner = Timeline.fromSnapshot(rectangleApp, shared.baseSnapshot(), {
      ...options,
      sourceSlots: slots,
    });
    // What the snapshot folded (its sources sorted).
    expect([...joiner.frontier()]).toEqual(own.baseSnapshot().frontier);
    expect(joiner.has('late', 2 ** 40)).toBe(true);
    expect(joiner.insert(ev(330, 'late', 2 ** 40))).toBe('duplicate');
    // Both timelines hold each source listed once.
    joiner.releaseSources();
    expect(slots.size).toBe(shared.frontier().size);
  });
});
