/**
 * The realized lower bound's index copies each link direction's frames out of the record in one
 * pass and reads them side by side; the reference reads them frame by frame through the record.
 * On random records (several links per direction, routes interleaved, sends out of order, equal
 * send times, due times off the FIFO rule, a route that carries nothing), both give the same
 * arrivals.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CarriedFrame, FrameColumns } from '../src/frame-columns.js';
import { FrameLog } from '../src/realized.js';
import { RecordOrderLog } from './reference/record-order-log.js';

const PEERS = 3;

/** What a generated frame says before its send time and due time are worked out. */
interface RawFrame {
  readonly from: number;
  readonly hop: number;
  readonly link: string;
  readonly step: number;
}

/**
 * The frames of `raw` in record order: each sent `step` ms after the one before (never before
 * 0), to the peer `hop` after its sender, drawing `delayOf` and due at the link's FIFO time plus
 * `lateOf`.
 */
function carried<F extends RawFrame>(
  raw: readonly F[],
  delayOf: (f: F, to: number) => number,
  lateOf: (f: F) => number,
): CarriedFrame[] {
  const lastDue = new Map<string, number>();
  const frames: CarriedFrame[] = [];
  let t = 0;
  for (const f of raw) {
    t = Math.max(0, t + f.step);
    const to = (f.from + f.hop) % PEERS;
    const key = `${f.link}/${f.from}/${to}`;
    const delayMs = delayOf(f, to);
    const fifo = Math.max(t + delayMs, lastDue.get(key) ?? Number.NEGATIVE_INFINITY);
    const dueMs = fifo + lateOf(f);
    lastDue.set(key, dueMs);
    frames.push({ from: f.from, to, link: f.link, sentMs: t, delayMs, dueMs });
  }
  return frames;
}

/** A random record: frames on a few links between 3 peers, in the order they are recorded. */
const recordArb = fc
  .array(
    fc.record({
      from: fc.nat({ max: PEERS - 1 }),
      hop: fc.integer({ min: 1, max: PEERS - 1 }),
      link: fc.constantFrom('a', 'b', 'c', 'idle'),
      // Mostly increasing send times, sometimes a step back or the same instant.
      step: fc.integer({ min: -2, max: 4 }).map((x) => x * 10),
      delayMs: fc.constantFrom(5, 20, 40, 40, 100),
      late: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 30 })),
    }),
    { maxLength: 120, size: 'max' },
  )
  .map((raw) =>
    carried(
      raw,
      (f) => f.delayMs,
      (f) => f.late,
    ),
  );

/**
 * A record where most directions are uniform (every frame at its direction's one latency, due at
 * its send time plus it), a few not (one frame drawing another latency, or due later), send
 * times out of order and equal at times.
 */
const uniformRecordArb = fc
  .record({
    latency: fc.array(fc.constantFrom(0, 20, 50, 16.666666666666668), {
      minLength: PEERS * PEERS,
      maxLength: PEERS * PEERS,
    }),
    frames: fc.array(
      fc.record({
        from: fc.nat({ max: PEERS - 1 }),
        hop: fc.integer({ min: 1, max: PEERS - 1 }),
        link: fc.constantFrom('a', 'b'),
        step: fc.integer({ min: -1, max: 3 }).map((x) => x * (1000 / 60)),
        odd: fc.oneof(
          ...Array.from({ length: 12 }, () => fc.constant('none' as const)),
          fc.constantFrom('delay' as const, 'late' as const),
        ),
      }),
      { maxLength: 120, size: 'max' },
    ),
  })
  .map(({ latency, frames: raw }) =>
    carried(
      raw,
      (f, to) => (f.odd === 'delay' ? 35 : latency[f.from * PEERS + to]!),
      (f) => (f.odd === 'late' ? 7 : 0),
    ),
  );

/** Whether every frame from `from` to `to` drew one latency and landed at its send time plus it. */
function uniform(frames: readonly CarriedFrame[], from: number, to: number): boolean {
  const own = frames.filter((f) => f.from === from && f.to === to);
  return (
    own.length > 0 && own.every((f) => f.delayMs === own[0]!.delayMs && f.dueMs === f.sentMs + f.delayMs)
  );
}

describe('realized index by direction', () => {
  it('answers every arrival as the record-order reference does', () => {
    fc.assert(
      fc.property(
        recordArb,
        fc.array(
          fc.integer({ min: -1, max: 150 }).map((x) => x * 5),
          { minLength: 1, maxLength: 20, size: 'max' },
        ),
        (frames, sends) => {
          const cols = new FrameColumns();
          const referenceCols = new FrameColumns();
          // A route made before it carries anything (it may never).
          cols.routeOf(2, 0, 'idle');
          referenceCols.routeOf(2, 0, 'idle');
          const log = new FrameLog(PEERS, cols);
          const reference = new RecordOrderLog(PEERS, referenceCols);
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

  it('answers every arrival of a direction of one latency as the reference does, from its last send time', () => {
    fc.assert(
      fc.property(
        uniformRecordArb,
        fc.array(
          fc.integer({ min: -2, max: 400 }).map((x) => x * (1000 / 120)),
          { minLength: 1, maxLength: 30, size: 'max' },
        ),
        (frames, sends) => {
          const log = new FrameLog(PEERS, new FrameColumns());
          const reference = new RecordOrderLog(PEERS, new FrameColumns());
          for (const f of frames) {
            log.record(f);
            reference.record(f);
          }
          for (let from = 0; from < PEERS; from++)
            for (let to = 0; to < PEERS; to++) {
              // Exact send times of frames too: the first frame at or after `d` is then `d`'s own.
              const at = [
                ...sends,
                ...frames.filter((f) => f.from === from && f.to === to).map((f) => f.sentMs),
              ];
              for (const d of at) expect(log.arrival(from, to, d)).toBe(reference.arrival(from, to, d));
            }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('draws records with uniform directions, out of order, and directions that are not uniform', () => {
    const samples = fc.sample(uniformRecordArb, { numRuns: 200, seed: 5 });
    const directions = (fs: CarriedFrame[], keep: (from: number, to: number) => boolean) => {
      let count = 0;
      for (let from = 0; from < PEERS; from++)
        for (let to = 0; to < PEERS; to++)
          if (fs.some((f) => f.from === from && f.to === to) && keep(from, to)) count++;
      return count;
    };
    expect(samples.filter((fs) => directions(fs, (a, b) => uniform(fs, a, b)) >= 2).length).toBeGreaterThan(
      100,
    );
    expect(samples.filter((fs) => directions(fs, (a, b) => !uniform(fs, a, b)) >= 1).length).toBeGreaterThan(
      50,
    );
    expect(
      samples.filter((fs) => fs.some((f, i) => i > 0 && f.sentMs < fs[i - 1]!.sentMs)).length,
    ).toBeGreaterThan(50);
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
