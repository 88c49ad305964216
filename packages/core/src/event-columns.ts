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
 * A host may name one field of its own that events carry as bytes of a fixed length (the peer
 * runtime's 64-byte signature: `TimelineOptions.bytesField`); an event with it is held in the
 * columns too, the bytes in a column of their own (`length` bytes a handle, from the first
 * event that has them). An event whose object has any other field beyond `source`, `seq`,
 * `tick` and `payload` (a re-stamp, or a host's own) is kept whole: its object takes the
 * payload's place and {@link EventColumns.event} returns that very object, so a host that stored
 * an object with extra fields reads them back. Any other event is read back as a new object
 * `{ source, seq, tick, payload }` (with a copy of its bytes field when it has one): equal to
 * the one stored, not the same.
 *
 * Handles of dropped events are reused, last dropped first; which handle an event gets changes
 * nothing but where it sits.
 * @internal
 */
import { TimelineError } from './errors.js';
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
/** Kind bit: the handle's bytes field is in the byte column (with {@link PLAIN} or {@link INT}). */
const BYTES = 4;

/** A field of the host's own held as bytes of a fixed length (see `TimelineOptions.bytesField`). @internal */
export interface ByteField {
  readonly name: string;
  readonly length: number;
}

/** The `bytesField` option, checked (`BAD_OPTION` unless a name and a length of 1 to 4,096). @internal */
export function byteFieldOption(value: ByteField | undefined): ByteField | undefined {
  if (value === undefined) return undefined;
  const reserved = ['source', 'seq', 'tick', 'payload', 'restamps'];
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.name !== 'string' ||
    value.name === '' ||
    reserved.includes(value.name) ||
    !Number.isInteger(value.length) ||
    value.length < 1 ||
    value.length > 4096
  )
    throw new TimelineError(
      'BAD_OPTION',
      "bytesField must be { name, length }: a field name other than the event's own and a length of 1 to 4096",
    );
  return { name: value.name, length: value.length };
}

/** What an event object holds beyond its four fields. */
const WHOLE_SHAPE = -1;
const PLAIN_SHAPE = 0;
const BYTES_SHAPE = 1;

/**
 * {@link PLAIN_SHAPE} when `e`'s own enumerable fields are exactly source, seq, tick and payload;
 * {@link BYTES_SHAPE} when they are those and `bytes`'s field, a Uint8Array of its length; else
 * {@link WHOLE_SHAPE}.
 */
function shapeOf(e: object, bytes: ByteField | undefined): number {
  let n = 0;
  let withBytes = false;
  for (const key in e) {
    if (!Object.hasOwn(e, key)) return WHOLE_SHAPE;
    if (key === 'source' || key === 'seq' || key === 'tick' || key === 'payload') n++;
    else if (bytes !== undefined && key === bytes.name) {
      const v = (e as Record<string, unknown>)[key];
      if (!(v instanceof Uint8Array) || v.length !== bytes.length) return WHOLE_SHAPE;
      withBytes = true;
    } else return WHOLE_SHAPE;
  }
  if (n !== 4) return WHOLE_SHAPE;
  return withBytes ? BYTES_SHAPE : PLAIN_SHAPE;
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

  /** The bytes field of each handle that has it (`field.length` bytes a handle; none until one has). */
  private bytes = new Uint8Array(0);

  /**
   * `registry`: the source slots the log lists its sources in (names a handle's source);
   * `field`: the host's field held as bytes (none by default).
   */
  constructor(
    private readonly registry: SourceSlots,
    private readonly field: ByteField | undefined = undefined,
  ) {}

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
    const shape = shapeOf(e, this.field);
    if (shape === WHOLE_SHAPE) this.setItem(h, WHOLE, e);
    else {
      const extra = shape === BYTES_SHAPE ? BYTES : 0;
      if (extra !== 0) this.setBytes(h, (e as unknown as Record<string, Uint8Array>)[this.field!.name]!);
      if (typeof e.payload === 'number' && fitsInt32(e.payload)) {
        this.kinds[h] = INT | extra;
        this.ints[h] = e.payload as number;
        if (h < this.items.length) this.items[h] = undefined;
      } else this.setItem(h, PLAIN | extra, e.payload);
    }
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
    const kind = this.kinds[h]! & ~BYTES;
    if (kind === INT) return this.ints[h] as E;
    const item = this.items[h];
    return (kind === WHOLE ? (item as TimelineEvent<E>).payload : item) as E;
  }

  /** The seq `h` re-stamps, if it is a re-stamp. */
  restampsOf(h: number): number | undefined {
    return this.kinds[h] === WHOLE ? (this.items[h] as TimelineEvent<E>).restamps : undefined;
  }

  /**
   * `h` as an event object: the one stored when kept whole, else a new
   * `{ source, seq, tick, payload }` (and a copy of its bytes field, when it has one).
   */
  event(h: number): TimelineEvent<E> {
    const kind = this.kinds[h]!;
    if (kind === WHOLE) return this.items[h] as TimelineEvent<E>;
    const e = {
      source: this.sourceOf(h),
      seq: this.seqs[h]!,
      tick: this.ticks[h]!,
      payload: this.payloadOf(h),
    };
    if ((kind & BYTES) === 0) return e;
    const n = this.field!.length;
    (e as Record<string, unknown>)[this.field!.name] = this.bytes.slice(h * n, h * n + n);
    return e;
  }

  /** `true` when `a` comes before `b` in a tick: by source, then seq. */
  before(a: number, b: number): boolean {
    const sa = this.slots[a]!;
    const sb = this.slots[b]!;
    if (sa === sb) return this.seqs[a]! < this.seqs[b]!;
    return this.registry.id(sa) < this.registry.id(sb);
  }

  /** Put `value` in `h`'s cells of the byte column (grown to the columns' length first). */
  private setBytes(h: number, value: Uint8Array): void {
    const n = this.field!.length;
    if (this.bytes.length < this.slots.length * n) {
      const next = new Uint8Array(this.slots.length * n);
      next.set(this.bytes);
      this.bytes = next;
    }
    this.bytes.set(value, h * n);
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
