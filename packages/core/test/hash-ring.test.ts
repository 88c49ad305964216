import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashRing } from '../src/timeline-support.js';

/** The model: the ring as it was, two plain arrays of ticks and hash strings. */
class Model {
  readonly ticks: number[];
  readonly values: string[];
  constructor(
    private readonly every: number,
    size: number,
  ) {
    this.ticks = new Array<number>(every === 0 ? 0 : size).fill(-1);
    this.values = new Array<string>(this.ticks.length).fill('');
  }
  at(tick: number): string | undefined {
    if (this.every === 0 || tick % this.every !== 0) return undefined;
    const slot = (tick / this.every) % this.ticks.length;
    return this.ticks[slot] === tick ? this.values[slot] : undefined;
  }
  record(tick: number, hash: string): void {
    const slot = (tick / this.every) % this.ticks.length;
    this.values[slot] = hash;
    this.ticks[slot] = tick;
  }
  forget(tick: number): void {
    this.ticks[(tick / this.every) % this.ticks.length] = -1;
  }
}

/** A state hash (16 lowercase hex digits) or, now and then, a string of another form. */
const hash = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[0-9a-f]{16}$/) },
  { weight: 1, arbitrary: fc.constantFrom('0000000000000000', 'ffffffffffffffff', '80000000000000ff') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'h1', 'ABCDEF0123456789', '0123456789abcdeg', '0123456789abcdef0'),
  },
);

describe('hash ring', () => {
  it('answers like two arrays of ticks and hashes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 150 }),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('record' as const), k: fc.integer({ min: 0, max: 600 }), hash }),
            fc.record({ kind: fc.constant('forget' as const), k: fc.integer({ min: 0, max: 600 }) }),
          ),
          { maxLength: 200, size: 'max' },
        ),
        (every, size, ops) => {
          const ring = new HashRing(every, size);
          const model = new Model(every, size);
          for (const o of ops) {
            if (o.kind === 'record') {
              ring.record(o.k * every, o.hash);
              model.record(o.k * every, o.hash);
            } else {
              ring.forget(o.k * every);
              model.forget(o.k * every);
            }
          }
          for (let t = 0; t <= 601 * every; t++) expect(ring.at(t)).toBe(model.at(t));
          expect(ring.at(-0)).toBe(model.at(-0));
          expect(ring.at(0.5)).toBe(model.at(0.5));
          // No negative tick is held (the arrays answered '' for tick -1 in a ring of one slot
          // recording every tick: their empty marker).
          for (let t = -2 * every; t < 0; t++) expect(ring.at(t)).toBeUndefined();
        },
      ),
    );
  });

  it('holds ticks up to the largest safe integer', () => {
    const ring = new HashRing(1, 512);
    const big = Number.MAX_SAFE_INTEGER;
    ring.record(big, '0123456789abcdef');
    ring.record(big - 1, 'fedcba9876543210');
    expect(ring.at(big)).toBe('0123456789abcdef');
    expect(ring.at(big - 1)).toBe('fedcba9876543210');
    // Same slot, another lap: not the tick recorded there.
    expect(ring.at(big - 512)).toBeUndefined();
    expect(ring.at(big + 1)).toBeUndefined();
  });

  it('records nothing when every is 0', () => {
    const ring = new HashRing(0, 64);
    expect(ring.at(0)).toBeUndefined();
    ring.forget(0);
    expect(ring.at(10)).toBeUndefined();
  });

  it('allocates a page of slots only when a hash lands in it', () => {
    const ring = new HashRing(60, 512);
    const pages = (ring as unknown as { pages: (Uint32Array | undefined)[] }).pages;
    expect(pages.length).toBe(8);
    for (let k = 0; k < 120; k++) ring.record(k * 60, '0123456789abcdef');
    expect(pages.filter((p) => p !== undefined).length).toBe(2);
  });
});
