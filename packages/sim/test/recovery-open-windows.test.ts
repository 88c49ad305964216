/**
 * The recovery tracker reads the peers at an update only for the kinds of window that are open;
 * the reference reads every peer at every update. On random runs (peers coming and going,
 * heals, cuts, ticks that jump and stall, runtimes that vanish), both measure the same.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ReachView, RecoveryTracker } from '../src/recovery.js';
import { EveryPeerRecoveryTracker } from './reference/recovery-every-frame.js';

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('open' as const), peer: fc.nat(), heal: fc.boolean() }),
  fc.record({ kind: fc.constant('drop' as const), peer: fc.nat() }),
  fc.record({ kind: fc.constant('online' as const), peer: fc.nat(), on: fc.boolean() }),
  fc.record({
    kind: fc.constant('tick' as const),
    peer: fc.nat(),
    tick: fc.option(fc.nat({ max: 120 }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('cut' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('back' as const), peer: fc.nat(), ticks: fc.nat({ max: 4 }) }),
  fc.record({ kind: fc.constant('update' as const), ms: fc.nat({ max: 6000 }) }),
  fc.record({ kind: fc.constant('update' as const), ms: fc.nat({ max: 40 }) }),
);

const runArb = fc.record({
  peers: fc.integer({ min: 2, max: 7 }),
  edgeBits: fc.array(fc.boolean(), { minLength: 21, maxLength: 21 }),
  fromMs: fc.constantFrom(0, 0, 200, 3000),
  ops: fc.array(opArb, { maxLength: 80, size: 'max' }),
});

describe('recovery windows read only while open', () => {
  it('measures what the tracker reading every peer at every update measures', () => {
    fc.assert(
      fc.property(runArb, ({ peers: n, edgeBits, fromMs, ops }) => {
        const adj: number[][] = Array.from({ length: n }, () => []);
        let bit = 0;
        for (let a = 0; a < n; a++)
          for (let b = a + 1; b < n; b++)
            if (edgeBits[bit++]) {
              adj[a]!.push(b);
              adj[b]!.push(a);
            }
        const online = new Array<boolean>(n).fill(true);
        const tick = new Array<number | undefined>(n).fill(0);
        const back = new Array<number>(n).fill(0);
        const cuts = new Set<number>();
        const key = (a: number, b: number) => Math.min(a, b) * n + Math.max(a, b);
        const view: ReachView = {
          online: (i) => online[i]!,
          tick: (i) => tick[i],
          isCut: (a, b) => cuts.has(key(a, b)),
          travelledBack: (i) => back[i]!,
        };
        const tracker = new RecoveryTracker(adj, view, fromMs);
        const reference = new EveryPeerRecoveryTracker(adj, view, fromMs);
        for (let i = 0; i < n; i++) {
          tracker.open(i, 0);
          reference.open(i, 0);
        }
        let t = 0;
        for (const op of ops) {
          if (op.kind === 'open') {
            tracker.open(op.peer % n, t, op.heal ? 'heal' : 'online');
            reference.open(op.peer % n, t, op.heal ? 'heal' : 'online');
          } else if (op.kind === 'drop') {
            tracker.drop(op.peer % n);
            reference.drop(op.peer % n);
          } else if (op.kind === 'online') online[op.peer % n] = op.on;
          else if (op.kind === 'tick') tick[op.peer % n] = op.tick;
          else if (op.kind === 'cut') {
            const k = key(op.a % n, op.b % n);
            if (cuts.has(k)) cuts.delete(k);
            else cuts.add(k);
          } else if (op.kind === 'back') back[op.peer % n]! += op.ticks;
          else {
            t += op.ms;
            tracker.update(t);
            reference.update(t);
            for (let i = 0; i < n; i++) expect(tracker.isRecovering(i)).toBe(reference.isRecovering(i));
          }
        }
        expect(tracker.stats()).toEqual(reference.stats());
        expect(tracker.paperStats()).toEqual(reference.paperStats());
        expect(tracker.afterStats()).toEqual(reference.afterStats());
      }),
      { numRuns: 400 },
    );
  });

  it('draws runs that recover, by both definitions, and travel back after (not vacuous)', () => {
    const samples = fc.sample(runArb, { numRuns: 300, seed: 5 });
    let recovered = 0;
    let paper = 0;
    let after = 0;
    for (const { peers: n, ops } of samples) {
      const adj = Array.from({ length: n }, (_, i) => [(i + 1) % n, (i + n - 1) % n]);
      const tick = new Array<number | undefined>(n).fill(0);
      const back = new Array<number>(n).fill(0);
      const tracker = new RecoveryTracker(
        adj,
        { online: () => true, tick: (i) => tick[i], isCut: () => false, travelledBack: (i) => back[i]! },
        0,
      );
      for (let i = 0; i < n; i++) tracker.open(i, 0);
      let t = 0;
      for (const op of ops) {
        if (op.kind === 'tick') tick[op.peer % n] = op.tick;
        else if (op.kind === 'back') back[op.peer % n]! += op.ticks;
        else if (op.kind === 'update') {
          t += op.ms;
          tracker.update(t);
        }
      }
      if (tracker.stats().count > 0) recovered++;
      if (tracker.paperStats().count > 0) paper++;
      if (tracker.afterStats().withRollback > 0) after++;
    }
    expect(recovered).toBeGreaterThan(30);
    expect(paper).toBeGreaterThan(30);
    expect(after).toBeGreaterThan(10);
  });
});
