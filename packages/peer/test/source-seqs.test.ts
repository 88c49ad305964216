import { IdRegistry } from '@symmetric/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceSeqs } from '../src/source-seqs.js';

type Op =
  | { kind: 'set'; view: number; source: number; seq: number }
  | { kind: 'delete'; view: number; source: number }
  | { kind: 'clear'; view: number }
  | { kind: 'prune'; view: number; keep: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    view: fc.nat(2),
    source: fc.nat(12),
    // Now and then a seq beyond 16 or 32 bits (the seqs then widen to 4 or 8 bytes).
    seq: fc.oneof(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(0x1ffff), fc.maxSafeNat()),
  }),
  fc.record({ kind: fc.constant('delete' as const), view: fc.nat(2), source: fc.nat(12) }),
  fc.record({ kind: fc.constant('clear' as const), view: fc.nat(2) }),
  fc.record({ kind: fc.constant('prune' as const), view: fc.nat(2), keep: fc.nat(3) }),
);

describe('SourceSeqs (a seq per source per link over shared slots)', () => {
  it('behaves as a Map, insertion order included, and its slots hold exactly the sources some view holds', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120, size: 'max' }), (ops) => {
        const slots = new IdRegistry();
        const views = [0, 1, 2].map(() => new SourceSeqs(slots));
        const models = [0, 1, 2].map(() => new Map<string, number>());
        for (const o of ops) {
          const v = views[o.view]!;
          const m = models[o.view]!;
          if (o.kind === 'set') {
            v.set(`s${o.source}`, o.seq);
            m.set(`s${o.source}`, o.seq);
          } else if (o.kind === 'delete') {
            expect(v.delete(`s${o.source}`)).toBe(m.delete(`s${o.source}`));
          } else if (o.kind === 'clear') {
            v.clear();
            m.clear();
          } else {
            // Deleting while iterating, as a frontier replacing what a link held does.
            for (const k of v.keys()) if (Number(k.slice(1)) % 4 !== o.keep) v.delete(k);
            for (const k of m.keys()) if (Number(k.slice(1)) % 4 !== o.keep) m.delete(k);
          }
          for (let i = 0; i < 3; i++) {
            expect([...views[i]!]).toEqual([...models[i]!]);
            expect(views[i]!.size).toBe(models[i]!.size);
          }
          const held = new Set(models.flatMap((x) => [...x.keys()]));
          expect(slots.size).toBe(held.size);
          for (let s = 0; s <= 12; s++) {
            expect(v.get(`s${s}`)).toBe(m.get(`s${s}`));
            expect(v.has(`s${s}`)).toBe(m.has(`s${s}`));
            expect(v.seqAt(slots.slotOf(`s${s}`))).toBe(m.get(`s${s}`) ?? 0);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps every seq exactly once one needs more than 32 bits', () => {
    const a = new SourceSeqs(new IdRegistry());
    for (let i = 0; i < 100; i++) a.set(`s${i}`, i + 1);
    a.set('big', 2 ** 32);
    a.set('s7', Number.MAX_SAFE_INTEGER);
    expect(a.get('big')).toBe(2 ** 32);
    expect(a.get('s7')).toBe(Number.MAX_SAFE_INTEGER);
    expect(a.get('s99')).toBe(100);
    for (let i = 100; i < 200; i++) a.set(`s${i}`, i + 1);
    expect(a.get('s150')).toBe(151);
    expect(a.get('big')).toBe(2 ** 32);
  });

  it('reuses the slot of a source no link holds any more', () => {
    const slots = new IdRegistry();
    const a = new SourceSeqs(slots);
    a.set('x', 1).set('y', 2);
    a.delete('x');
    a.set('z', 3);
    expect(slots.capacity).toBe(2);
    expect([...a.keys()]).toEqual(['y', 'z']);
    expect(a.get('x')).toBeUndefined();
  });
});
