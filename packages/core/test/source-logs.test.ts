import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventColumns } from '../src/event-columns.js';
import { heldWith, noneHeld } from '../src/held-events.js';
import { type DetachedLog, SourceLogs } from '../src/source-logs.js';
import { SourceSlotMap } from '../src/source-slots.js';

/**
 * The columns the logs' held events are handles into (only their seqs and chains matter here;
 * every event is filed under slot 0 of a registry of its own).
 */
const K = new EventColumns<number>(new SourceSlotMap());

/** A held event of seq `seq`: its handle. */
const event = (seq: number): number => K.add({ source: 'x', seq, tick: 0, payload: 0 }, 0);

type Column = 'frontier' | 'base' | 'lastTick';

type Op =
  | { kind: 'put'; source: number; frontier: number; base: number; lastTick: number; skipped: boolean }
  | { kind: 'remove'; source: number }
  | { kind: 'hold'; source: number; seq: number }
  | { kind: 'set'; source: number; column: Column; value: number }
  | { kind: 'sweep'; mask: number }
  | { kind: 'clear' }
  | { kind: 'acquire'; source: number }
  | { kind: 'release'; source: number };

const source = fc.nat(9);
// Mostly small values; now and then one past 32 bits (up to 2^53), or −0, which widen the columns.
const value = (small: fc.Arbitrary<number>): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 12, arbitrary: small },
    {
      weight: 1,
      arbitrary: fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER, -0),
    },
  );
const seq = value(fc.nat(12));
const ops = (shared: boolean): fc.Arbitrary<Op[]> => {
  const common: fc.WeightedArbitrary<Op>[] = [
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('put' as const),
        source,
        frontier: seq,
        base: seq,
        lastTick: value(fc.integer({ min: -1, max: 100 })),
        skipped: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), source }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('hold' as const),
        source,
        seq: fc.integer({ min: 1, max: 20 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        source,
        column: fc.constantFrom<Column>('frontier', 'base', 'lastTick'),
        value: seq,
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const), mask: fc.nat(1023) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  ];
  if (shared)
    common.push({
      weight: 3,
      arbitrary: fc.oneof(
        fc.record({ kind: fc.constant('acquire' as const), source }),
        fc.record({ kind: fc.constant('release' as const), source }),
      ),
    });
  return fc.array(fc.oneof(...common), { maxLength: 150, size: 'max' });
};

/** The model: a Map of plain logs (its insertion order), held seqs as a set. */
interface ModelLog {
  frontier: number;
  base: number;
  lastTick: number;
  held: Set<number>;
  skipped: number[] | undefined;
}

/** Does a column cell of 32 bits keep `v` exactly? */
const fits = (v: number): boolean => (v | 0) === v && !Object.is(v, -0);

/** The sources `logs` lists, walking its order. */
function listed(logs: SourceLogs): string[] {
  const out: string[] = [];
  for (let s = logs.first(); s >= 0; s = logs.after(s)) out.push(logs.idAt(s));
  return out;
}

/**
 * Run `ops` on a SourceLogs over `registry` and on the model, comparing after each. With other
 * holders (`shared`), `acquire`/`release` hold and let go of sources in the registry beside it.
 */
function run(ops: readonly Op[], shared: boolean): void {
  const registry = new SourceSlotMap();
  const logs = new SourceLogs(K, shared ? registry : undefined);
  const slots = logs.slots as SourceSlotMap;
  if (!shared) expect(slots).not.toBe(registry);
  const model = new Map<string, ModelLog>();
  /** References the other holders hold, per source. */
  const others = new Map<string, number>();
  let wide = false;
  const note = (v: number): void => {
    if (!fits(v)) wide = true;
  };
  for (const o of ops) {
    if (o.kind === 'clear') {
      logs.clear();
      model.clear();
    } else if (o.kind === 'sweep') {
      // A walk that removes as it goes (as forgetting does): the sources whose bit is set.
      for (let s = logs.first(); s >= 0; s = logs.after(s)) {
        const id = logs.idAt(s);
        if ((o.mask >> Number(id.slice(1))) & 1) {
          logs.remove(s);
          model.delete(id);
        }
      }
    } else if (o.kind === 'acquire' || o.kind === 'release') {
      const s = `s${o.source}`;
      const n = others.get(s) ?? 0;
      if (o.kind === 'acquire') {
        registry.acquire(s);
        others.set(s, n + 1);
      } else if (n > 0) {
        registry.release(registry.slotOf(s));
        if (n === 1) others.delete(s);
        else others.set(s, n - 1);
      }
    } else {
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
        [o.frontier, o.base, o.lastTick].forEach(note);
        // A Map's set keeps an existing key's place.
        model.set(s, { frontier: o.frontier, base: o.base, lastTick: o.lastTick, held: new Set(), skipped });
      } else if (slot < 0) {
        continue;
      } else if (o.kind === 'remove') {
        const out = logs.remove(slot);
        const m = model.get(s)!;
        expect(out.frontier).toBe(m.frontier);
        expect(out.base).toBe(m.base);
        expect(out.lastTick).toBe(m.lastTick);
        expect(out.rare?.skipped).toEqual(m.skipped);
        model.delete(s);
      } else if (o.kind === 'hold') {
        const m = model.get(s)!;
        if (m.held.has(o.seq)) continue;
        logs.held[slot] = heldWith(logs.held[slot]!, event(o.seq), K);
        m.held.add(o.seq);
      } else {
        if (o.column === 'frontier') logs.setFrontier(slot, o.value);
        else if (o.column === 'base') logs.setBase(slot, o.value);
        else logs.setLastTick(slot, o.value);
        model.get(s)![o.column] = o.value;
        note(o.value);
      }
    }
    expect(listed(logs)).toEqual([...model.keys()]);
    expect(logs.size).toBe(model.size);
    expect(logs.isWide).toBe(wide);
    // The registry holds a source while the log or another holder does, and only then.
    for (let i = 0; i <= 9; i++) {
      const s = `s${i}`;
      expect(slots.slotOf(s) >= 0).toBe(model.has(s) || others.has(s));
      if (!model.has(s)) expect(logs.slotOf(s)).toBe(-1);
    }
    expect(slots.size).toBe(new Set([...model.keys(), ...others.keys()]).size);
    for (const [x, m] of model) {
      const at = logs.slotOf(x);
      expect(at).toBe(slots.slotOf(x));
      expect(logs.idAt(at)).toBe(x);
      expect(logs.frontier[at]).toBe(m.frontier);
      expect(logs.base[at]).toBe(m.base);
      expect(logs.lastTick[at]).toBe(m.lastTick);
      // 0 when nothing is held or folded (the columns also take values no seq has, to widen).
      expect(logs.maxSeqAt(at)).toBe(Math.max(0, m.frontier, m.base, ...m.held));
      for (let q = 1; q <= 21; q++) {
        const holds =
          (q <= m.frontier && !(m.skipped !== undefined && q === 1)) || (q > m.frontier && m.held.has(q));
        expect(logs.holdsAt(at, q)).toBe(holds);
        const h = logs.heldAt(at, q);
        expect(h === undefined ? undefined : K.seqOf(h)).toBe(m.held.has(q) ? q : undefined);
      }
    }
  }
}

describe('SourceLogs (per-source logs in columns by registry slot)', () => {
  it('keep what a map of log objects keeps, in its order, through removals, re-adds and widening', () => {
    fc.assert(
      fc.property(ops(false), (o) => run(o, false)),
      { numRuns: 300 },
    );
  });

  it('do the same over a registry other holders hold sources of too', () => {
    fc.assert(
      fc.property(ops(true), (o) => run(o, true)),
      { numRuns: 300 },
    );
  });

  it('keep 32-bit columns until a value does not fit, then 64-bit ones in one buffer', () => {
    const logs = new SourceLogs(K);
    const a = logs.put('a', { frontier: 3, base: 2, lastTick: -1, rare: undefined });
    expect(logs.frontier).toBeInstanceOf(Int32Array);
    expect(logs.frontier.buffer).toBe(logs.lastTick.buffer);
    logs.setBase(a, 2 ** 31);
    expect(logs.isWide).toBe(true);
    expect(logs.frontier).toBeInstanceOf(Float64Array);
    expect(logs.frontier.buffer).toBe(logs.lastTick.buffer);
    expect([logs.frontier[a], logs.base[a], logs.lastTick[a]]).toEqual([3, 2 ** 31, -1]);
    // Growth after widening stays wide.
    for (let i = 0; i < 40; i++) logs.add(`x${i}`, { frontier: i, base: 0, lastTick: -1, rare: undefined });
    expect(logs.lastTick).toBeInstanceOf(Float64Array);
    expect(logs.base[a]).toBe(2 ** 31);
  });

  it('let go of every slot it holds on clear, leaving the other holders theirs', () => {
    const registry = new SourceSlotMap();
    registry.acquire('b');
    const logs = new SourceLogs(K, registry);
    logs.put('a', { frontier: 1, base: 0, lastTick: -1, rare: undefined });
    logs.put('b', { frontier: 1, base: 0, lastTick: -1, rare: undefined });
    expect(registry.size).toBe(2);
    logs.clear();
    expect(logs.size).toBe(0);
    expect(logs.first()).toBe(-1);
    expect(registry.slotOf('a')).toBe(-1);
    expect(registry.slotOf('b')).toBeGreaterThanOrEqual(0);
    expect(logs.slotOf('b')).toBe(-1);
    logs.clear();
    expect(registry.size).toBe(1);
  });

  it('start a source with nothing held and no rare fields', () => {
    const logs = new SourceLogs(K);
    const slot = logs.put('a', { frontier: 3, base: 3, lastTick: 9, rare: undefined });
    expect(logs.held[slot]).toBe(noneHeld());
    expect(logs.rare.size).toBe(0);
    expect(logs.rareOf(slot)).toEqual({ skipped: undefined, counted: 0 });
    expect(logs.rare.size).toBe(1);
  });

  it('keep every column apart through many growths of their shared storage', () => {
    const logs = new SourceLogs(K);
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
    logs.remove(500);
    expect(logs.add('t', { frontier: 7, base: 8, lastTick: 9, rare: undefined })).toBe(500);
    expect([logs.frontier[500], logs.base[500], logs.lastTick[500]]).toEqual([7, 8, 9]);
    expect([logs.frontier[501], logs.base[501], logs.lastTick[501]]).toEqual([1504, 1505, 1503]);
  });
});
