import { describe, expect, it } from 'vitest';
import { AutoDelay, BEACON_SOURCES, beaconChance, MAX_DELAY_S } from '../src/delay.js';
import { SourceCount } from '../src/source-count.js';

const FPS = 50;
const STALE_MS = 91_000;
/** Δ before any sample, with a slowest neighbour at 50 ms one way: 4 × 2.5 ticks + 1. */
const FALLBACK = 11;

describe('Δ-auto beacon draws', () => {
  it('a room of up to BEACON_SOURCES peers beacons from every peer at every slot', () => {
    for (let known = 0; known < BEACON_SOURCES; known++) {
      for (let slot = 0; slot < 20; slot++) expect(beaconChance(`p${known}~1`, slot, known)).toBe(true);
    }
  });

  it('a room of 200 beacons about BEACON_SOURCES times per slot, every source in turn, the same on every run', () => {
    const sources = Array.from({ length: 200 }, (_, i) => `peer-${i}~1`);
    const slots = 60;
    let sent = 0;
    const silent = new Set(sources);
    for (let slot = 0; slot < slots; slot++) {
      for (const s of sources) {
        const go = beaconChance(s, slot, sources.length - 1);
        expect(beaconChance(s, slot, sources.length - 1)).toBe(go);
        if (go) {
          sent++;
          silent.delete(s);
        }
      }
    }
    const perSlot = sent / slots;
    expect(perSlot).toBeGreaterThan(0.8 * BEACON_SOURCES);
    expect(perSlot).toBeLessThan(1.2 * BEACON_SOURCES);
    expect(silent.size).toBe(0);
  });
});

describe('AutoDelay', () => {
  it('keeps samples longer in a large room, forgets them after staleMs in a small one', () => {
    const small = new AutoDelay(FPS, STALE_MS);
    for (let i = 0; i < 4; i++) small.observe(`s${i}`, 10, 0);
    small.value(1000, 0, 50);
    expect(small.value(STALE_MS + 1000, 0, 50)).toBe(FALLBACK);
    expect(small.sources).toBe(0);

    const large = new AutoDelay(FPS, STALE_MS);
    for (let i = 0; i < 100; i++) large.observe(`s${i}`, 10, 0);
    large.value(1000, 0, 50);
    // 100 sources: each beacons about every 100/32 slots, so samples are kept that much longer.
    expect(large.value(STALE_MS + 1000, 0, 50)).toBe(Math.ceil(1.2 * 10 + 1));
    expect(large.sources).toBeGreaterThan(75);
    expect(large.sources).toBeLessThan(125);
    expect(large.value(8 * STALE_MS, 0, 50)).toBe(FALLBACK);
  });

  it('drops a beacon beyond the ceiling and a lone outlier source', () => {
    const d = new AutoDelay(FPS, STALE_MS);
    for (let i = 0; i < 40; i++) d.observe(`s${i}`, 8 + (i % 3), 0);
    // A beacon stamped at tick 0 long ago: impossible, dropped.
    d.observe('liar', MAX_DELAY_S * FPS * 10, 0);
    expect(d.outliers).toBe(1);
    // A lone source far above the others (within the ceiling): left out.
    d.observe('far', 200, 0);
    expect(d.value(1000, 0, 50)).toBe(Math.ceil(1.2 * 10 + 1));
    expect(d.outliers).toBe(2);
  });
});

describe('bounded memory', () => {
  it('Δ follows the largest delays of 2,000 sources while holding samples of BEACON_SOURCES of them', () => {
    const d = new AutoDelay(FPS, STALE_MS);
    for (let i = 0; i < 2000; i++) d.observe(`s${i}`, i % 500 === 7 ? 30 : 5 + (i % 7), i);
    expect(d.value(3000, 0, 50)).toBe(Math.ceil(1.2 * 30 + 1));
    expect(d.held).toBe(BEACON_SOURCES);
  });

  it('counts sources exactly up to its size and estimates beyond, holding 64 of them', () => {
    const c = new SourceCount(64);
    for (let i = 0; i < 50; i++) c.note(`peer-${i}`, 0);
    expect(c.estimate()).toBe(50);
    for (let i = 0; i < 5000; i++) c.note(`peer-${i}`, 1);
    expect(c.size).toBe(64);
    expect(c.estimate()).toBeGreaterThan(3500);
    expect(c.estimate()).toBeLessThan(6500);
    c.expire(100, 50);
    expect(c.size).toBe(0);
  });
});
