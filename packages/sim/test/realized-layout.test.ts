/**
 * The realized network's record keeps each route's frames side by side; the reference keeps
 * every frame in one record-order column set and groups them by direction when asked. On random
 * records (several links per direction, routes interleaved, sends out of order, equal send
 * times, due times off the FIFO rule), both give back the same frames and the same arrivals.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CarriedFrame, FrameColumns, FrameLog } from '../src/realized.js';
import { RecordOrderColumns, RecordOrderLog } from './reference/record-order-log.js';

const PEERS = 3;

/** A random record: frames on a few links between 3 peers, in the order they are recorded. */
const recordArb = fc
  .array(
    fc.record({
      from: fc.nat({ max: PEERS - 1 }),
      hop: fc.integer({ min: 1, max: PEERS - 1 }),
      link: fc.constantFrom('a', 'b', 'c'),
      // Mostly increasing send times, sometimes a step back or the same instant.
      step: fc.integer({ min: -2, max: 4 }).map((x) => x * 10),
      delayMs: fc.constantFrom(5, 20, 40, 40, 100),
      late: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 30 })),
    }),
    { maxLength: 120 },
  )
  .map((raw) => {
    const lastDue = new Map<string, number>();
    const frames: CarriedFrame[] = [];
    let t = 0;
    for (const f of raw) {
      t = Math.max(0, t + f.step);
      const to = (f.from + f.hop) % PEERS;
      const key = `${f.link}/${f.from}/${to}`;
      const fifo = Math.max(t + f.delayMs, lastDue.get(key) ?? Number.NEGATIVE_INFINITY);
      const dueMs = fifo + f.late;
      lastDue.set(key, dueMs);
      frames.push({ from: f.from, to, link: f.link, sentMs: t, delayMs: f.delayMs, dueMs });
    }
    return frames;
  });

describe('realized record by route', () => {
  it('gives back every frame as the record-order reference does', () => {
    fc.assert(
      fc.property(recordArb, (frames) => {
        const cols = new FrameColumns();
        const reference = new RecordOrderColumns();
        for (const f of frames) {
          cols.push(f);
          reference.push(f);
        }
        expect(cols.size).toBe(reference.size);
        expect(cols.routeFrom).toEqual(reference.routeFrom);
        expect(cols.routeTo).toEqual(reference.routeTo);
        expect(cols.routeLink).toEqual(reference.routeLink);
        expect([...cols]).toEqual([...reference]);
      }),
      { numRuns: 300 },
    );
  });

  it('answers every arrival as the record-order reference does', () => {
    fc.assert(
      fc.property(
        recordArb,
        fc.array(
          fc.integer({ min: -1, max: 150 }).map((x) => x * 5),
          { minLength: 1, maxLength: 20 },
        ),
        (frames, sends) => {
          const log = new FrameLog(PEERS);
          const reference = new RecordOrderLog(PEERS);
          for (const f of frames) {
            log.record(f);
            reference.record(f);
          }
          for (let from = 0; from < PEERS; from++)
            for (let to = 0; to < PEERS; to++)
              for (const d of sends) expect(log.arrival(from, to, d)).toBe(reference.arrival(from, to, d));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('draws records that need every path (several links, out of order, off the FIFO rule)', () => {
    const samples = fc.sample(recordArb, { numRuns: 200, seed: 3 });
    const directions = (fs: CarriedFrame[]) => new Set(fs.map((f) => `${f.from}/${f.to}/${f.link}`)).size;
    const pairs = (fs: CarriedFrame[]) => new Set(fs.map((f) => `${f.from}/${f.to}`)).size;
    expect(samples.filter((fs) => directions(fs) > pairs(fs)).length).toBeGreaterThan(50);
    expect(
      samples.filter((fs) => fs.some((f, i) => i > 0 && f.sentMs < fs[i - 1]!.sentMs)).length,
    ).toBeGreaterThan(50);
    expect(samples.filter((fs) => fs.some((f) => f.dueMs > f.sentMs + f.delayMs)).length).toBeGreaterThan(50);
  });
});
