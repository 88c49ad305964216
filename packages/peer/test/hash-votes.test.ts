import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashVotes } from '../src/hash-votes.js';

/** The model: tick → (link key → hash), the oldest tick first out past the cap. */
class Model {
  readonly byTick = new Map<number, Map<string, string>>();
  constructor(private readonly max: number) {}
  set(tick: number, key: string, hash: string): void {
    let v = this.byTick.get(tick);
    if (v === undefined) {
      if (this.byTick.size >= this.max) this.byTick.delete(this.byTick.keys().next().value!);
      v = new Map();
      this.byTick.set(tick, v);
    }
    v.set(key, hash);
  }
  dropLink(key: string): void {
    for (const [t, v] of this.byTick) {
      v.delete(key);
      if (v.size === 0) this.byTick.delete(t);
    }
  }
  forgetBefore(tick: number): void {
    for (const t of this.byTick.keys()) {
      if (t >= tick) break;
      this.byTick.delete(t);
    }
  }
}

const op = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    tick: fc.integer({ min: 0, max: 40 }),
    key: fc.constantFrom('a', 'b', 'c', 'd'),
    hash: fc.constantFrom('h1', 'h2', 'h3'),
  }),
  fc.record({ kind: fc.constant('drop' as const), key: fc.constantFrom('a', 'b', 'c', 'd') }),
  fc.record({ kind: fc.constant('forget' as const), tick: fc.integer({ min: 0, max: 40 }) }),
);

describe('hash votes', () => {
  it('answer like a map of maps with the same cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 80 }), (max, ops) => {
        const votes = new HashVotes(max);
        const model = new Model(max);
        for (const o of ops) {
          if (o.kind === 'set') {
            votes.set(o.tick, o.key, o.hash);
            model.set(o.tick, o.key, o.hash);
          } else if (o.kind === 'drop') {
            votes.dropLink(o.key);
            model.dropLink(o.key);
          } else {
            votes.forgetBefore(o.tick);
            model.forgetBefore(o.tick);
          }
          expect(votes.size).toBe(model.byTick.size);
          for (let t = 0; t <= 40; t++) {
            expect(votes.hasTick(t)).toBe(model.byTick.has(t));
            for (const k of ['a', 'b', 'c', 'd']) {
              expect(votes.get(t, k)).toBe(model.byTick.get(t)?.get(k));
              expect(votes.has(t, k)).toBe(model.byTick.get(t)?.has(k) === true);
            }
          }
        }
      }),
    );
  });

  it('keep a neighbour’s latest report of a tick', () => {
    const votes = new HashVotes(4);
    votes.set(10, 'a', 'x');
    votes.set(10, 'b', 'y');
    votes.set(10, 'a', 'z');
    expect(votes.get(10, 'a')).toBe('z');
    expect(votes.get(10, 'b')).toBe('y');
    votes.clear();
    expect(votes.size).toBe(0);
  });
});
