import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdoptedFrontier, StampingSources } from '../src/adopted-frontier.js';

describe('an adopted frontier as the lower bound keeps it', () => {
  it('answers like the frontier it was built from, for every source that stamped an event', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 1e9 })),
          {
            selector: (e) => e[0],
            maxLength: 30,
            size: 'max',
          },
        ),
        fc.array(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 30, size: 'max' }),
        (frontier, stamped) => {
          const table = new StampingSources();
          for (const s of [...frontier.map((e) => e[0]), ...stamped]) table.add(s);
          const compact = new AdoptedFrontier(table, frontier);
          const map = new Map(frontier);
          for (const s of [...map.keys(), ...stamped]) expect(compact.get(s)).toBe(map.get(s));
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });

  it('answers each like its own frontier when several are built from one table in turn', () => {
    const seq = fc.oneof(fc.integer({ min: 1, max: 1e9 }), fc.constant(2 ** 40));
    const frontier = fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), seq), {
      selector: (e) => e[0],
      maxLength: 4,
    });
    fc.assert(
      fc.property(fc.array(frontier, { minLength: 1, maxLength: 40, size: 'max' }), (frontiers) => {
        const table = new StampingSources();
        for (const s of ['a', 'b', 'c', 'd']) table.add(s);
        const built = frontiers.map((f) => new AdoptedFrontier(table, f));
        frontiers.forEach((f, i) => {
          const map = new Map<string, number>(f);
          for (const s of ['a', 'b', 'c', 'd']) expect(built[i]!.get(s)).toBe(map.get(s));
        });
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('answers each like its own frontier when consecutive ones differ in a few sources (kept as changes)', () => {
    const names = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const change = fc.tuple(
      fc.integer({ min: 0, max: 19 }),
      fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 })),
    );
    // Up to 40 frontiers in a row: more than are ever kept as changes of the one before.
    fc.assert(
      fc.property(
        fc.array(fc.array(change, { maxLength: 3 }), { minLength: 1, maxLength: 40, size: 'max' }),
        (steps) => {
          const table = new StampingSources();
          for (const s of names) table.add(s);
          const current = new Map<string, number>(names.map((s, i) => [s, i + 1]));
          const built: [AdoptedFrontier, Map<string, number>][] = [];
          for (const step of steps) {
            // 0 drops the source from the frontier, anything else sets its seq.
            for (const [i, seq] of step) {
              if (seq === 0) current.delete(names[i]!);
              else current.set(names[i]!, seq);
            }
            built.push([new AdoptedFrontier(table, [...current]), new Map(current)]);
          }
          for (const [f, map] of built) for (const s of names) expect(f.get(s)).toBe(map.get(s));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it('knows nothing of a source that never stamped an event', () => {
    const table = new StampingSources();
    table.add('a');
    const f = new AdoptedFrontier(table, [
      ['a', 4],
      ['z', 9],
    ]);
    expect(f.get('a')).toBe(4);
    expect(f.get('z')).toBeUndefined();
  });
});
