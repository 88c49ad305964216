import { IdRegistry } from '@symmetric/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KnownEvents } from '../src/known.js';
import { SourceSeqs } from '../src/source-seqs.js';

type Op =
  | { kind: 'add'; source: number; seq: number; at: number }
  | { kind: 'raise'; source: number; seq: number }
  | { kind: 'truncate'; source: number; seq: number }
  | { kind: 'forget'; source: number; seq: number; tick: number }
  | { kind: 'sweep'; before: number; keep: number; tick: number }
  | { kind: 'expire'; before: number }
  | { kind: 'clear' }
  | { kind: 'hold'; source: number; seq: number }
  | { kind: 'unhold'; source: number };

const source = fc.nat(5);
const seq = fc.integer({ min: 0, max: 20 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), source, seq, at: fc.nat(100) }) },
  fc.record({ kind: fc.constant('raise' as const), source, seq }),
  fc.record({ kind: fc.constant('truncate' as const), source, seq }),
  fc.record({ kind: fc.constant('forget' as const), source, seq, tick: fc.nat(10) }),
  fc.record({ kind: fc.constant('sweep' as const), before: fc.nat(100), keep: fc.nat(5), tick: fc.nat(10) }),
  fc.record({ kind: fc.constant('expire' as const), before: fc.nat(10) }),
  fc.constant({ kind: 'clear' as const }),
  fc.record({ kind: fc.constant('hold' as const), source, seq }),
  fc.record({ kind: fc.constant('unhold' as const), source }),
);

/** The model: each known source's seqs as a set, in a Map (its insertion order), and tombstones. */
class Model {
  readonly sources = new Map<string, { seqs: Set<number>; touched: number; since: number }>();
  readonly tombstones = new Map<string, { seq: number; lastTick: number }>();

  contiguous(s: string): number {
    const k = this.sources.get(s);
    if (k === undefined) return this.tombstones.get(s)?.seq ?? 0;
    let c = 0;
    while (k.seqs.has(c + 1)) c++;
    return c;
  }
  max(s: string): number {
    const k = this.sources.get(s);
    return k === undefined ? 0 : Math.max(0, ...k.seqs);
  }
  above(s: string): number[] {
    const c = this.contiguous(s);
    return [...(this.sources.get(s)?.seqs ?? [])].filter((x) => x > c).sort((a, b) => a - b);
  }
  has(s: string, q: number): boolean {
    const k = this.sources.get(s);
    return k === undefined ? q <= (this.tombstones.get(s)?.seq ?? 0) : q >= 1 && k.seqs.has(q);
  }
  entry(s: string): { seqs: Set<number>; touched: number; since: number } {
    let k = this.sources.get(s);
    if (k === undefined) {
      k = { seqs: new Set(), touched: 0, since: -1 };
      for (let q = 1; q <= (this.tombstones.get(s)?.seq ?? 0); q++) k.seqs.add(q);
      this.tombstones.delete(s);
      this.sources.set(s, k);
    }
    return k;
  }
  add(s: string, q: number, at: number): boolean {
    if (!this.sources.has(s) && q <= (this.tombstones.get(s)?.seq ?? 0)) return false;
    const k = this.entry(s);
    k.touched = at;
    if (q <= this.contiguous(s) || k.seqs.has(q)) return false;
    const gapBefore = this.above(s).length > 0;
    k.seqs.add(q);
    if (!gapBefore && this.above(s).length > 0) k.since = at;
    return true;
  }
  forget(s: string, q: number, tick: number): void {
    if (this.sources.has(s) && this.max(s) > q) return;
    const c = this.sources.has(s) ? this.contiguous(s) : 0;
    this.sources.delete(s);
    this.tombstones.set(s, { seq: Math.max(q, c), lastTick: tick });
  }
}

describe('KnownEvents over the peer registry slots', () => {
  it('knows what a map of seq sets knows, in its order, and holds a slot exactly per source known or held', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100, size: 'max' }), (ops) => {
        const registry = new IdRegistry();
        const known = new KnownEvents(registry);
        const holds = new SourceSeqs(registry);
        const model = new Model();
        const held = new Set<string>();
        for (const o of ops) {
          const s = 'source' in o ? `s${o.source}` : '';
          switch (o.kind) {
            case 'add':
              expect(known.add(s, o.seq, o.at)).toBe(model.add(s, o.seq, o.at));
              break;
            case 'raise': {
              known.raiseTo(s, o.seq);
              const k = model.entry(s);
              for (let q = 1; q <= o.seq; q++) k.seqs.add(q);
              if (model.above(s).length === 0) k.since = -1;
              break;
            }
            case 'truncate': {
              known.truncate(s, o.seq);
              const k = model.sources.get(s);
              if (k !== undefined) for (const q of [...k.seqs]) if (q > o.seq) k.seqs.delete(q);
              if (k !== undefined && model.above(s).length === 0) k.since = -1;
              break;
            }
            case 'forget':
              known.forget(s, o.seq, o.tick);
              model.forget(s, o.seq, o.tick);
              break;
            case 'sweep': {
              const keep = (x: string): boolean => x === `s${o.keep}`;
              known.sweep(o.before, keep, o.tick);
              for (const [x, k] of [...model.sources])
                if (k.touched < o.before && !keep(x)) model.forget(x, model.max(x), o.tick);
              break;
            }
            case 'expire':
              known.expire(o.before);
              for (const [x, t] of [...model.tombstones])
                if (t.lastTick < o.before) model.tombstones.delete(x);
              break;
            case 'clear':
              known.clear();
              model.sources.clear();
              break;
            case 'hold':
              holds.set(s, o.seq);
              held.add(s);
              break;
            case 'unhold':
              holds.delete(s);
              held.delete(s);
              break;
          }
          expect([...known.ids()]).toEqual([...model.sources.keys()]);
          expect(known.size).toBe(model.sources.size);
          expect([...known.tombstones]).toEqual([...model.tombstones]);
          expect(registry.size).toBe(new Set([...model.sources.keys(), ...held]).size);
          let count = 0;
          for (let i = 0; i <= 5; i++) {
            const x = `s${i}`;
            const slot = known.slotOf(x);
            expect(slot >= 0).toBe(model.sources.has(x));
            expect(known.contiguous(x)).toBe(model.contiguous(x));
            expect(known.max(x)).toBe(model.max(x));
            const above = model.above(x);
            expect(known.gappy.has(x)).toBe(above.length > 0);
            if (slot >= 0) {
              expect(known.idAt(slot)).toBe(x);
              expect(known.contiguousAt(slot)).toBe(model.contiguous(x));
              expect(known.maxAt(slot)).toBe(model.max(x));
              const gap = known.gapAt(slot);
              expect(gap === undefined ? [] : [...gap.above].sort((a, b) => a - b)).toEqual(above);
              expect(gap?.since ?? -1).toBe(above.length > 0 ? model.sources.get(x)!.since : -1);
              count += model.sources.get(x)!.seqs.size;
            }
            for (let q = 1; q <= 21; q++) expect(known.has(x, q)).toBe(model.has(x, q));
            if (held.has(x)) expect(holds.seqAt(registry.slotOf(x))).toBe(holds.get(x));
          }
          expect(known.count()).toBe(count);
        }
      }),
      { numRuns: 300 },
    );
  });
});
