import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Channel, EV_CLOSE, EV_FRAME, MinHeap } from '../src/queue.js';

interface Item {
  at: number;
  seq: number;
  readonly name: number;
}

type Op = { kind: 'push'; at: number } | { kind: 'pop' } | { kind: 'later'; by: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), at: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('pop' as const) }),
  fc.record({ kind: fc.constant('later' as const), by: fc.integer({ min: 0, max: 5 }) }),
);

const earliest = (xs: readonly Item[]): Item | undefined =>
  [...xs].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];

describe('MinHeap (the network queue)', () => {
  it('always yields the item earliest by (at, seq), also after the top item moved later', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200, size: 'max' }), (ops) => {
        const heap = new MinHeap<Item>();
        const model: Item[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.kind === 'push') {
            const item = { at: o.at, seq: seq++, name: seq };
            heap.push(item);
            model.push(item);
          } else if (o.kind === 'pop') {
            const want = earliest(model);
            expect(heap.pop()).toBe(want);
            if (want !== undefined) model.splice(model.indexOf(want), 1);
          } else {
            // The top's key grows (a channel's next frame becomes its head).
            const top = heap.peek();
            expect(top).toBe(earliest(model));
            if (top === undefined) continue;
            top.at += o.by;
            top.seq = seq++;
            heap.updateTop();
          }
          expect(heap.size).toBe(model.length);
          expect(heap.peek()).toBe(earliest(model));
          expect(heap.peekAt()).toBe(earliest(model)?.at ?? Number.POSITIVE_INFINITY);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('Channel (the events of one link direction)', () => {
  it('hands out frames and closes in order, each of its kind, through growing and emptying', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(3), fc.constant(-1)), { maxLength: 300, size: 'max' }),
        (script) => {
          const channel = new Channel<string>('end');
          const model: { payload: Uint8Array | string; at: number; seq: number }[] = [];
          let at = 0;
          let seq = 0;
          for (const step of script) {
            if (step === -1) {
              // Deliver the head.
              if (model.length === 0) continue;
              const want = model.shift()!.payload;
              expect(channel.headKind()).toBe(typeof want === 'string' ? EV_CLOSE : EV_FRAME);
              expect(channel.headPayload()).toBe(want);
              expect(channel.shift()).toBe(model.length > 0);
              // The new head's keys.
              if (model.length > 0) expect([channel.at, channel.seq]).toEqual([model[0]!.at, model[0]!.seq]);
              continue;
            }
            at += step;
            const payload = step === 3 ? `reason ${seq}` : new Uint8Array([seq & 0xff]);
            expect(channel.append(at, seq, payload)).toBe(model.length === 0);
            model.push({ payload, at, seq });
            seq++;
            expect([channel.at, channel.seq]).toEqual([model[0]!.at, model[0]!.seq]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
