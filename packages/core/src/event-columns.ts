/**
 * The held events of an event log in columns: an event is a handle (a small integer) and its
 * source slot, seq, tick and payload sit in arrays indexed by it, where an object per event cost
 * 56 bytes on 64-bit Node (24 of header, 8 a field; Node has no pointer compression). A peer holds
 * every event of its history window, thousands to tens of thousands in a large room, each at
 * every peer: at 2,000 simulated peers after 120 virtual s about 3,000 a peer, the largest part
 * of its heap.
 *
 * A handle costs 4 bytes of source slot (in the log's {@link SourceSlots} registry, which
 * names the source), 4 of seq and 4 of tick while they fit in 32 bits (8 each from the first
 * that does not: a hostile seq can be up to 2^53), 4 of link in its source's chain of held
 * events ({@link HeldEvents}), 1 of kind and 4 for a payload that is a 32-bit integer (as the
 * paper's rectangle keys): 21 bytes, and the slack of columns grown half as long again at a
 * time. Any other payload takes a pointer (8 bytes) in an array of its own, as long as the
 * highest handle that needed one. The index by tick holds handles where it held
 * pointers (the same 8 bytes a reference; a handle alone costs nothing more), and a source's
 * few held events are a chain through the columns instead of an object.
 *
 * An event whose object has fields beyond `source`, `seq`, `tick` and `payload` (a re-stamp,
 * or a host's own, as a signature) is kept whole: its object takes the payload's place and
 * {@link EventColumns.event} returns that very object, so a host that stored an object with
 * extra fields reads them back. A plain event is read back as a new object
 * `{ source, seq, tick, payload }` (equal, not the same).
 *
 * Handles of dropped events are reused, last dropped first; which handle an event gets changes
 * nothing but where it sits.
 * @internal
 */
import type { EventKeys } from './event-keys.js';
import type { HeldKeys } from './held-events.js';
import type { SourceSlots } from './source-slots.js';
import type { TimelineEvent } from './timeline-types.js';

/** `true` when `v` is stored exactly by an Int32Array cell (−0 is not: it would read back 0). @internal */
export function fitsInt32(v: number): boolean {
  return (v | 0) === v && (v !== 0 || 1 / v > 0);
}

/** Kind of a handle: its item cell holds the payload. */
const PLAIN = 0;
/** Kind of a handle: its item cell holds the whole event object. */
const WHOLE = 1;
/** Kind of a handle: its payload is a 32-bit integer, in the integer column. */
const INT = 2;

/** `true` when `e`'s own enumerable fields are exactly source, seq, tick and payload. */
function isPlain(e: object): boolean {
  let n = 0;
  for (const key in e) {
    if (!Object.hasOwn(e, key)) return false;
    if (key !== 'source' && key !== 'seq' && key !== 'tick' && key !== 'payload') return false;
    n++;
  }
  return n === 4;
}

/** `into` with `from`'s values at its start. */
function copied<T extends Int32Array | Uint8Array>(from: T, into: T): T {
  into.set(from);
  return into;
}

/** Held events by handle (see the module comment). @internal */
export class EventColumns<E> implements EventKeys<number>, HeldKeys {
  private slots = new Int32Array(0);
  /** The next handle of each handle's chain among its source's held events ({@link HeldEvents}). */
  private nexts = new Int32Array(0);
  private seqs: Int32Array | Float64Array = new Int32Array(0);
  private ticks: Int32Array | Float64Array = new Int32Array(0);
  private kinds = new Uint8Array(0);
  /** The payload of an integer-payload event (as the paper's rectangle keys). */
  private ints = new Int32Array(0);
  /**
   * The payload of another plain event, the event itself of a whole one; `undefined` once
   * dropped. Only as long as the highest handle that needed it (none while every payload is an
   * integer).
   */
  private readonly items: unknown[] = [];
  /** Handles ever made. */
  private made = 0;
  /** Dropped handles, to reuse (a stack). */
  private free = new Int32Array(0);
  private freeCount = 0;
  /** `true` once seqs and ticks are 64-bit floats. */
  private wide = false;
  /** Events held. */
  private count = 0;

  /** `registry`: the source slots the log lists its sources in (names a handle's source). */
  constructor(private readonly registry: SourceSlots) {}

  /** Events held. */
  get size(): number {
    return this.count;
  }

  /** Handles ever made (the columns' used length). */
  get handles(): number {
    return this.made;
  }

  /** Hold `e` (validated), whose source is in registry slot `slot`; returns its handle. */
  add(e: TimelineEvent<E>, slot: number): number {
    const { seq, tick } = e;
    if (!this.wide && !(fitsInt32(seq) && fitsInt32(tick))) this.widen();
    let h: number;
    if (this.freeCount > 0) h = this.free[--this.freeCount]!;
    else {
      h = this.made++;
      if (h === this.slots.length) this.grow(Math.max(64, Math.ceil(h * 1.5)));
    }
    this.slots[h] = slot;
    this.seqs[h] = seq;
    this.ticks[h] = tick;
    if (!isPlain(e)) this.setItem(h, WHOLE, e);
    else if (typeof e.payload === 'number' && fitsInt32(e.payload)) {
      this.kinds[h] = INT;
      this.ints[h] = e.payload as number;
      if (h < this.items.length) this.items[h] = undefined;
    } else this.setItem(h, PLAIN, e.payload);
    this.count++;
    return h;
  }

  /** Drop the event of handle `h` (held); the handle may be given to a later event. */
  drop(h: number): void {
    if (h < this.items.length) this.items[h] = undefined;
    if (this.freeCount === this.free.length) {
      const next = new Int32Array(Math.max(64, Math.ceil(this.free.length * 1.5)));
      next.set(this.free);
      this.free = next;
    }
    this.free[this.freeCount++] = h;
    this.count--;
  }

  /** The seq of `h`. */
  seqOf(h: number): number {
    return this.seqs[h]!;
  }

  /** The tick of `h`. */
  tickOf(h: number): number {
    return this.ticks[h]!;
  }

  /** The handle after `h` in its source's chain of held events. */
  nextOf(h: number): number {
    return this.nexts[h]!;
  }

  /** Set the handle after `h` in its source's chain of held events. */
  setNext(h: number, next: number): void {
    this.nexts[h] = next;
  }

  /** The registry slot of `h`'s source. */
  slotOf(h: number): number {
    return this.slots[h]!;
  }

  /** The source of `h`. */
  sourceOf(h: number): string {
    return this.registry.id(this.slots[h]!);
  }

  /** The payload of `h`. */
  payloadOf(h: number): E {
    const kind = this.kinds[h];
    if (kind === INT) return this.ints[h] as E;
    const item = this.items[h];
    return (kind === WHOLE ? (item as TimelineEvent<E>).payload : item) as E;
  }

  /** The seq `h` re-stamps, if it is a re-stamp. */
  restampsOf(h: number): number | undefined {
    return this.kinds[h] === WHOLE ? (this.items[h] as TimelineEvent<E>).restamps : undefined;
  }

  /** `h` as an event object: the one stored when kept whole, else a new `{ source, seq, tick, payload }`. */
  event(h: number): TimelineEvent<E> {
    if (this.kinds[h] === WHOLE) return this.items[h] as TimelineEvent<E>;
    return { source: this.sourceOf(h), seq: this.seqs[h]!, tick: this.ticks[h]!, payload: this.payloadOf(h) };
  }

  /** `true` when `a` comes before `b` in a tick: by source, then seq. */
  before(a: number, b: number): boolean {
    const sa = this.slots[a]!;
    const sb = this.slots[b]!;
    if (sa === sb) return this.seqs[a]! < this.seqs[b]!;
    return this.registry.id(sa) < this.registry.id(sb);
  }

  /** Put `item` in `h`'s item cell (the cells up to it made first), of kind `kind`. */
  private setItem(h: number, kind: number, item: unknown): void {
    this.kinds[h] = kind;
    const items = this.items;
    while (items.length < h) items.push(undefined);
    if (h === items.length) items.push(item);
    else items[h] = item;
  }

  /** Columns of `n` cells, the values kept. */
  private grow(n: number): void {
    this.slots = copied(this.slots, new Int32Array(n));
    this.nexts = copied(this.nexts, new Int32Array(n));
    this.ints = copied(this.ints, new Int32Array(n));
    this.kinds = copied(this.kinds, new Uint8Array(n));
    this.seqs = this.column(this.seqs, n, this.wide);
    this.ticks = this.column(this.ticks, n, this.wide);
  }

  /** Seqs and ticks as 64-bit floats from now on. */
  private widen(): void {
    this.wide = true;
    this.seqs = this.column(this.seqs, this.seqs.length, true);
    this.ticks = this.column(this.ticks, this.ticks.length, true);
  }

  /** `old`'s values in a column of `n` cells, 64-bit floats when `wide`. */
  private column(old: Int32Array | Float64Array, n: number, wide: boolean): Int32Array | Float64Array {
    const out = wide ? new Float64Array(n) : new Int32Array(n);
    out.set(old);
    return out;
  }
}
