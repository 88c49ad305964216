/**
 * The compact columns of a run's frame record give back exactly what was pushed, in any read
 * order, across chunks, whichever form each chunk takes: checked against a plain array.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexColumn, RunColumn } from '../src/columns.js';
import { FrameColumns } from '../src/frame-columns.js';

const CHUNK = 65_536;

/** Values with runs: each drawn value repeated, from a few that include `-0`, `0` and `NaN`. */
const runsArb = fc
  .array(
    fc.record({
      value: fc.oneof(
        fc.constantFrom(0, -0, 50, 16.666666666666668, Number.NaN, Number.POSITIVE_INFINITY),
        fc.double({ noNaN: true }),
      ),
      repeat: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 20_000 })),
    }),
    { maxLength: 40, size: 'max' },
  )
  .map((runs) => runs.flatMap(({ value, repeat }) => Array.from({ length: repeat }, () => value)));

/** Every entry of `col` read in `order`, as a plain array by index. */
function readAll(col: { at(i: number): number }, n: number, order: 'up' | 'down' | 'scattered'): number[] {
  const out = new Array<number>(n);
  if (order === 'up') for (let i = 0; i < n; i++) out[i] = col.at(i);
  else if (order === 'down') for (let i = n - 1; i >= 0; i--) out[i] = col.at(i);
  else {
    // A fixed stride coprime with most sizes jumps across runs and chunks.
    for (let k = 0; k < n; k++) {
      const i = (k * 7_919) % n;
      out[i] = col.at(i);
    }
    for (let i = 0; i < n; i++) out[i] = col.at(i);
  }
  return out;
}

describe('RunColumn', () => {
  it('gives back every pushed value, bit for bit, in any read order', () => {
    fc.assert(
      fc.property(
        runsArb,
        fc.constantFrom('up', 'down', 'scattered') as fc.Arbitrary<'up' | 'down' | 'scattered'>,
        (values, order) => {
          const col = new RunColumn();
          for (const v of values) col.push(v);
          expect(col.size).toBe(values.length);
          expect(readAll(col, values.length, order)).toEqual(values);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads back values pushed after a read (the last chunk still growing)', () => {
    const col = new RunColumn();
    const model: number[] = [];
    for (let i = 0; i < 3 * CHUNK; i++) {
      const v = Math.floor(i / 5) % 3 === 0 ? i : 7;
      col.push(v);
      model.push(v);
      if (i % 997 === 0) for (let j = Math.max(0, i - 12); j <= i; j++) expect(col.at(j)).toBe(model[j]);
    }
    expect(readAll(col, model.length, 'scattered')).toEqual(model);
  });

  it('stores each entry of a chunk whose values all differ, still giving them back', () => {
    const col = new RunColumn();
    const model = Array.from({ length: 2 * CHUNK + 100 }, (_, i) => (i % 3 === 0 ? i * 0.5 : -i));
    for (const v of model) col.push(v);
    expect(readAll(col, model.length, 'up')).toEqual(model);
    expect(readAll(col, model.length, 'scattered')).toEqual(model);
    // Two full chunks at 8 bytes an entry; the third, just started, still holds its 100 runs.
    expect(col.bytes).toBeGreaterThanOrEqual(2 * CHUNK * 8 + 100 * 10);
    expect(col.bytes).toBeLessThan(2 * CHUNK * 8 + 2 * 100 * 10);
  });

  it('costs a few bytes a run, not a frame, when values repeat', () => {
    const col = new RunColumn();
    for (let i = 0; i < 4 * CHUNK; i++) col.push(Math.floor(i / 8) * (1000 / 60));
    expect(col.at(4 * CHUNK - 1)).toBe(Math.floor((4 * CHUNK - 1) / 8) * (1000 / 60));
    // One run per 8 entries at 10 bytes a run.
    expect(col.bytes).toBeLessThan(4 * CHUNK * 2);
    const constant = new RunColumn();
    for (let i = 0; i < 4 * CHUNK; i++) constant.push(50);
    // A run per chunk (the last chunk keeps room for 16 while it grows).
    expect(constant.bytes).toBeLessThan(200);
  });
});

describe('IndexColumn', () => {
  it('gives back every pushed index, narrow chunks widened when an index does not fit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            wide: fc.boolean(),
            at: fc.nat({ max: 3 * CHUNK - 1 }),
            value: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          }),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 3 * CHUNK }),
        (wide, n) => {
          const model = Array.from({ length: n }, (_, i) => (i * 31) % 65_536);
          for (const w of wide) if (w.wide && w.at < n) model[w.at] = w.value;
          const col = new IndexColumn();
          for (const v of model) col.push(v);
          expect(col.size).toBe(n);
          expect(readAll(col, n, 'scattered')).toEqual(model);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('takes two bytes an index while indices fit', () => {
    const col = new IndexColumn();
    for (let i = 0; i < CHUNK + 1; i++) col.push(65_535 - (i % 100));
    expect(col.bytes).toBe(2 * CHUNK * 2);
    col.push(65_536);
    expect(col.bytes).toBe(CHUNK * 2 + CHUNK * 4);
    expect(col.at(CHUNK + 1)).toBe(65_536);
    expect(col.at(CHUNK)).toBe(65_535 - (CHUNK % 100));
  });
});

describe('FrameColumns', () => {
  /** Frames on a few links, send times mostly increasing (some equal, some back), delays changing. */
  const framesArb = fc.array(
    fc.record({
      from: fc.nat({ max: 3 }),
      hop: fc.integer({ min: 1, max: 3 }),
      link: fc.constantFrom('a', 'b'),
      step: fc.constantFrom(0, 0, 0, 1000 / 60, 5, -3),
      delayMs: fc.oneof(fc.constant(50), fc.constant(50), fc.double({ min: 0, max: 200, noNaN: true })),
      // Off the FIFO rule: later, or earlier, than the rule says (a measured time).
      off: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: -40, max: 40 })),
      repeat: fc.integer({ min: 1, max: 4 }),
    }),
    { maxLength: 200, size: 'max' },
  );

  it('gives back every frame as pushed: changing delays, equal send times, due times off the FIFO rule', () => {
    fc.assert(
      fc.property(framesArb, (raw) => {
        const cols = new FrameColumns();
        const pushed = [];
        const lastDue = new Map<string, number>();
        let t = 0;
        for (const f of raw) {
          for (let k = 0; k < f.repeat; k++) {
            t += f.step;
            const to = (f.from + f.hop) % 4;
            const key = `${f.link}/${f.from}/${to}`;
            const fifo = Math.max(t + f.delayMs, lastDue.get(key) ?? Number.NEGATIVE_INFINITY);
            const frame = {
              from: f.from,
              to,
              link: f.link,
              sentMs: t,
              delayMs: f.delayMs,
              dueMs: fifo + f.off,
            };
            lastDue.set(key, frame.dueMs);
            pushed.push(frame);
            cols.push(frame);
          }
        }
        expect(cols.size).toBe(pushed.length);
        expect([...cols]).toEqual(pushed);
      }),
      { numRuns: 200 },
    );
  });

  it('records frames sent in bursts at one constant latency in under 4 bytes a frame', () => {
    // Two bytes for the route, a ten-byte run of send time per burst of eight, next to nothing
    // for the latency.
    const cols = new FrameColumns();
    const routes = Array.from({ length: 40 }, (_, p) => cols.routeOf(p, (p + 1) % 40, `l${p}`));
    let frames = 0;
    // Every peer steps at its own time each frame and sends on its routes then.
    for (let frame = 0; frames < 3 * CHUNK; frame++)
      for (let p = 0; p < 40; p++) {
        const at = frame * (1000 / 60) + p * 0.37;
        for (let k = 0; k < 8; k++, frames++) cols.addOnRoute(routes[(p + k) % 40]!, at, 50, at + 50);
      }
    expect(cols.bytes / cols.size).toBeLessThan(4);
    expect(cols.sent(frames - 1)).toBe(Math.floor((frames - 1) / 320) * (1000 / 60) + 39 * 0.37);
  });
});
