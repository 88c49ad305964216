import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotRing } from '../src/snapshot-ring.js';

type Op = { kind: 'push' } | { kind: 'drop'; through: number } | { kind: 'keep'; through: number };

describe('SnapshotRing', () => {
  it('holds what a bounded list of the newest snapshots holds, whatever it has grown to', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ kind: 'push' as const }),
      fc.constant({ kind: 'push' as const }),
      fc.constant({ kind: 'push' as const }),
      fc.record({ kind: fc.constant('drop' as const), through: fc.nat(6) }),
      fc.record({ kind: fc.constant('keep' as const), through: fc.nat(40) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(op, { maxLength: 200 }), (cap, ops) => {
        const ring = new SnapshotRing<{ tick: number }>(cap);
        let model: number[] = [];
        let evicted = 0;
        let tick = 0;
        for (const o of ops) {
          if (o.kind === 'push') {
            tick++;
            if (model.length === cap) evicted = Math.max(evicted, model.shift()!);
            model.push(tick);
            ring.push(
              tick,
              (reuse) => {
                const s = reuse ?? { tick: 0 };
                s.tick = tick;
                return s;
              },
              (words, offset) => words.set([tick, tick + 1, tick + 2, tick + 3], offset),
            );
          } else if (o.kind === 'drop') {
            const pos = Math.min(o.through, model.length - 1);
            ring.dropThrough(pos);
            model = model.slice(pos + 1);
          } else if (o.through < model.length) {
            ring.keepThrough(o.through);
            model = model.slice(0, o.through + 1);
          }
          expect(ring.count).toBe(model.length);
          expect(ring.evictedTick).toBe(evicted);
          model.forEach((t, pos) => {
            expect(ring.tickAt(pos)).toBe(t);
            expect(ring.stateAt(pos).tick).toBe(t);
            expect([...ring.randAt(pos)]).toEqual([t, t + 1, t + 2, t + 3]);
          });
          if (model.length > 0) expect(ring.find(model.at(-1)!)).toBe(model.length - 1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
