import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../src/events.js';
import { Lane } from '../src/lane.js';
import { Channel } from '../src/queue.js';

/** A delayed open, as the network queues one. */
interface Dial {
  readonly at: number;
  readonly seq: number;
}

/** What the queue must hand out next: the event earliest by (at, seq), as one plain heap would. */
interface Pending {
  readonly at: number;
  readonly seq: number;
  /** Direction index, or -1 for a dial. */
  readonly direction: number;
  readonly payload: Uint8Array | string | Dial;
}

type Op =
  | { kind: 'send'; direction: number; delay: number; close: boolean }
  | { kind: 'dial'; delay: number }
  | { kind: 'take' }
  | { kind: 'tick'; by: number };

const DIRECTIONS = 5;

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      direction: fc.nat(DIRECTIONS - 1),
      // Small delays give many ties; varying ones make the lane turn events away.
      delay: fc.integer({ min: 0, max: 6 }),
      close: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('dial' as const), delay: fc.integer({ min: 0, max: 6 }) }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('take' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), by: fc.integer({ min: 0, max: 3 }) }),
  },
);

/** Runs `ops` against an event queue and a sorted model; every step compares them. */
function check(ops: readonly Op[], latencyOf: (op: Op & { delay: number }) => number): void {
  const queue = new EventQueue<number, Dial>();
  const channels = Array.from({ length: DIRECTIONS }, (_, i) => new Channel<number>(i));
  const lastAt = new Array<number>(DIRECTIONS).fill(0);
  const model: Pending[] = [];
  const earliest = (): Pending | undefined => [...model].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
  let now = 0;
  let seq = 0;
  const delivered: number[][] = Array.from({ length: DIRECTIONS }, () => []);
  for (const o of ops) {
    if (o.kind === 'send') {
      // The network's FIFO floor: never before the previous event of the direction.
      const at = Math.max(now + latencyOf(o), lastAt[o.direction]!);
      lastAt[o.direction] = at;
      const payload = o.close ? `close ${seq}` : new Uint8Array([seq & 0xff]);
      model.push({ at, seq, direction: o.direction, payload });
      queue.add(channels[o.direction]!, at, seq++, payload);
    } else if (o.kind === 'dial') {
      const dial = { at: now + latencyOf(o), seq: seq++ };
      model.push({ ...dial, direction: -1, payload: dial });
      queue.addDial(dial);
    } else if (o.kind === 'tick') {
      now += o.by;
    } else {
      const want = earliest();
      const got = queue.take();
      if (want === undefined) {
        expect(got).toBeUndefined();
        continue;
      }
      model.splice(model.indexOf(want), 1);
      if (want.direction === -1) expect(got).toBe(want.payload);
      else {
        expect(got).toBe(want.direction);
        expect(queue.payload).toBe(want.payload);
        delivered[want.direction]!.push(want.seq);
      }
      // A taken event is never due before now (the network's clock follows them).
      if (want.at > now) now = want.at;
    }
    const next = earliest();
    expect(queue.empty).toBe(next === undefined);
    expect(queue.nextAt()).toBe(next?.at ?? Number.POSITIVE_INFINITY);
    expect(queue.nextSeq()).toBe(next?.seq ?? Number.POSITIVE_INFINITY);
    const directions = new Set(model.filter((p) => p.direction >= 0).map((p) => p.direction));
    expect(queue.count()).toBe(directions.size + model.filter((p) => p.direction === -1).length);
  }
  // Each direction delivered in schedule order (FIFO).
  for (const seqs of delivered) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
}

describe('EventQueue (lane and heap of directions)', () => {
  it('hands out events in exactly the (at, seq) order of one heap, under varying latency, ties and dials', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => check(ops, (o) => o.delay)),
      { numRuns: 300 },
    );
  });

  it('does the same under a constant latency per direction (most events in the lane)', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 300, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: DIRECTIONS + 1, maxLength: DIRECTIONS + 1 }),
        (ops, latency) =>
          check(ops, (o) => (o.kind === 'send' ? latency[o.direction]! : latency[DIRECTIONS]!)),
      ),
      { numRuns: 300 },
    );
  });

  it('takes a tie in due time between lane and heap by schedule order', () => {
    const queue = new EventQueue<string, Dial>();
    const a = new Channel<string>('a');
    const b = new Channel<string>('b');
    queue.add(a, 10, 0, 'x'); // lane
    queue.add(b, 5, 1, 'y'); // before the lane's last: channel b, heap
    queue.addDial({ at: 10, seq: 2 });
    queue.add(b, 10, 3, 'z'); // b holds events: stays in its channel
    queue.add(a, 10, 4, 'w'); // lane
    const order: unknown[] = [];
    for (let next = queue.take(); next !== undefined; next = queue.take()) {
      order.push(typeof next === 'string' ? `${next}:${String(queue.payload)}` : next);
    }
    expect(order).toEqual(['b:y', 'a:x', { at: 10, seq: 2 }, 'b:z', 'a:w']);
  });
});

describe('Lane', () => {
  it('keeps FIFO order through wrapping, growing and giving room back', () => {
    const lane = new Lane<number>();
    let pushed = 0;
    let shifted = 0;
    const expectHead = (): void => {
      expect(lane.headTarget()).toBe(shifted);
      expect(lane.headSeq()).toBe(shifted);
      expect(lane.headAt()).toBe(Math.floor(shifted / 3));
      expect(lane.headPayload()).toBe(`p${shifted}`);
    };
    const push = (n: number): void => {
      for (let k = 0; k < n; k++, pushed++) {
        expect(lane.accepts(Math.floor(pushed / 3))).toBe(true);
        lane.push(Math.floor(pushed / 3), pushed, pushed, `p${pushed}`);
      }
    };
    const shift = (n: number): void => {
      for (let k = 0; k < n; k++, shifted++) {
        expectHead();
        lane.shift();
      }
    };
    // Wrap around the first ring, then grow while wrapped.
    push(800);
    shift(700);
    push(900);
    shift(100);
    push(2000);
    expect(lane.size).toBe(pushed - shifted);
    const targets: number[] = [];
    lane.forEachTarget((t) => targets.push(t));
    expect(targets).toEqual(Array.from({ length: pushed - shifted }, (_, k) => shifted + k));
    // A large burst, drained: the lane empties and starts small again, still in order.
    push(70_000);
    shift(pushed - shifted);
    expect(lane.size).toBe(0);
    expect(lane.headAt()).toBe(Number.POSITIVE_INFINITY);
    push(5);
    shift(5);
    expect(lane.size).toBe(0);
  });

  it('turns away an event due before its last one, and takes anything when empty', () => {
    const lane = new Lane<string>();
    expect(lane.accepts(7)).toBe(true);
    lane.push(7, 0, 'a', 'x');
    expect(lane.accepts(6)).toBe(false);
    expect(lane.accepts(7)).toBe(true);
    lane.shift();
    expect(lane.accepts(1)).toBe(true);
  });
});
