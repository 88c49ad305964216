import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heldWith, noneHeld } from '../src/held-events.js';
import { type DetachedLog, SourceLogs } from '../src/source-logs.js';

interface Ev {
  readonly seq: number;
}

type Op =
  | { kind: 'put'; source: number; frontier: number; base: number; lastTick: number; skipped: boolean }
  | { kind: 'remove'; source: number }
  | { kind: 'hold'; source: number; seq: number }
  | { kind: 'frontier'; source: number; seq: number };

const source = fc.nat(7);
const seq = fc.nat(12);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('put' as const),
    source,
    frontier: seq,
    base: seq,
    lastTick: fc.integer({ min: -1, max: 100 }),
    skipped: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('remove' as const), source }),
  fc.record({ kind: fc.constant('hold' as const), source, seq: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('frontier' as const), source, seq }),
);

/** The model: a Map of plain logs (its insertion order), held seqs as a set. */
interface ModelLog {
  frontier: number;
  base: number;
  lastTick: number;
  held: Set<number>;
  skipped: number[] | undefined;
}

describe('SourceLogs (per-source logs in columns by slot)', () => {
  it('keep what a map of log objects keeps, in its order, through slots given back and reused', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const logs = new SourceLogs<Ev>();
        const model = new Map<string, ModelLog>();
        for (const o of ops) {
          const s = `s${o.source}`;
          const slot = logs.slotOf(s);
          expect(slot >= 0).toBe(model.has(s));
          if (o.kind === 'put') {
            const skipped = o.skipped && o.frontier >= 2 ? [1, 1] : undefined;
            const log: DetachedLog = {
              frontier: o.frontier,
              base: o.base,
              lastTick: o.lastTick,
              rare: skipped === undefined ? undefined : { skipped, counted: 0 },
            };
            const at = logs.put(s, log);
            if (slot >= 0) expect(at).toBe(slot);
            const m = {
              frontier: o.frontier,
              base: o.base,
              lastTick: o.lastTick,
              held: new Set<number>(),
              skipped,
            };
            // A Map's set keeps an existing key's place.
            model.set(s, m);
          } else if (slot < 0) {
            continue;
          } else if (o.kind === 'remove') {
            const out = logs.remove(s, slot);
            const m = model.get(s)!;
            expect(out.frontier).toBe(m.frontier);
            expect(out.base).toBe(m.base);
            expect(out.lastTick).toBe(m.lastTick);
            expect(out.rare?.skipped).toEqual(m.skipped);
            model.delete(s);
          } else if (o.kind === 'hold') {
            const m = model.get(s)!;
            if (m.held.has(o.seq)) continue;
            logs.held[slot] = heldWith(logs.held[slot]!, { seq: o.seq });
            m.held.add(o.seq);
          } else {
            logs.frontier[slot] = o.seq;
            model.get(s)!.frontier = o.seq;
          }
          expect([...logs.sources.keys()]).toEqual([...model.keys()]);
          const slots = new Set(logs.sources.values());
          expect(slots.size).toBe(model.size);
          for (const [x, m] of model) {
            const at = logs.slotOf(x);
            expect(logs.frontier[at]).toBe(m.frontier);
            expect(logs.base[at]).toBe(m.base);
            expect(logs.lastTick[at]).toBe(m.lastTick);
            expect(logs.maxSeqAt(at)).toBe(Math.max(m.frontier, m.base, ...m.held));
            for (let q = 1; q <= 21; q++) {
              const holds =
                (q <= m.frontier && !(m.skipped !== undefined && q === 1)) ||
                (q > m.frontier && m.held.has(q));
              expect(logs.holdsAt(at, q)).toBe(holds);
              expect(logs.heldAt(at, q)?.seq).toBe(m.held.has(q) ? q : undefined);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('start a source with nothing held and no rare fields', () => {
    const logs = new SourceLogs<Ev>();
    const slot = logs.put('a', { frontier: 3, base: 3, lastTick: 9, rare: undefined });
    expect(logs.held[slot]).toBe(noneHeld<Ev>());
    expect(logs.rare.size).toBe(0);
    expect(logs.rareOf(slot)).toEqual({ skipped: undefined, counted: 0 });
    expect(logs.rare.size).toBe(1);
  });

  it('keep every column apart through many growths of their shared storage', () => {
    const logs = new SourceLogs<Ev>();
    const n = 1_000;
    const check = (upTo: number): void => {
      for (let i = 0; i < upTo; i++) {
        const slot = logs.slotOf(`s${i}`);
        expect(logs.frontier[slot]).toBe(i * 3 + 1);
        expect(logs.base[slot]).toBe(i * 3 + 2);
        expect(logs.lastTick[slot]).toBe(i === 0 ? -1 : i * 3);
      }
    };
    for (let i = 0; i < n; i++) {
      const log: DetachedLog = {
        frontier: i * 3 + 1,
        base: i * 3 + 2,
        lastTick: i === 0 ? -1 : i * 3,
        rare: undefined,
      };
      // Half come through put (new source), half through add.
      const slot = i % 2 === 0 ? logs.put(`s${i}`, log) : logs.add(`s${i}`, log);
      expect(slot).toBe(i);
      if (i % 97 === 0) check(i + 1);
    }
    check(n);
    expect(logs.frontier.length).toBeGreaterThanOrEqual(n);
    expect(logs.frontier.length).toBeLessThan(n * 1.3);
    // A slot given back is reused by the next source, with its own values.
    logs.remove('s500', 500);
    expect(logs.add('t', { frontier: 7, base: 8, lastTick: 9, rare: undefined })).toBe(500);
    expect([logs.frontier[500], logs.base[500], logs.lastTick[500]]).toEqual([7, 8, 9]);
    expect([logs.frontier[501], logs.base[501], logs.lastTick[501]]).toEqual([1504, 1505, 1503]);
  });
});
