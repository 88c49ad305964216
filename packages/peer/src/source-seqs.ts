/**
 * A seq per source for each link, stored by dense slots shared by all the links of a peer: what
 * each neighbour is known to hold (repair's frontier view, which flooding reads and advances for
 * every event). One map from source to slot for the whole peer (the codec's id registry, which
 * the links' id tables name their entries by too); per link, typed arrays indexed by slot, so a
 * link costs a few bytes per source instead of a map entry (4 for the seq while seqs fit in 32
 * bits, 4 for its place in the insertion order while slots fit in 16, 1 for presence). Each link's view is a
 * `ReadonlyMap<string, number>` (with `set` and `delete`) that iterates in insertion order, as a
 * `Map` does.
 * @internal
 */
import type { IdRegistry } from '@symmetric/codec';
import { NO_SLOT, SlotOrder } from './slot-order.js';

/** One link's seq per source, over the peer's {@link IdRegistry} (the peer's sources). @internal */
export class SourceSeqs implements ReadonlyMap<string, number> {
  /** Seqs by slot: 4 bytes each until one needs more (above 2³² − 1), 8 from then on. */
  private seqs: Uint32Array | Float64Array = new Uint32Array(0);
  /** Insertion order; `present[slot]` 1 when held. */
  private readonly order = new SlotOrder();
  private present = new Uint8Array(0);
  private count = 0;

  constructor(private readonly slots: IdRegistry) {}

  get size(): number {
    return this.count;
  }

  get(source: string): number | undefined {
    const slot = this.slots.slotOf(source);
    return slot >= 0 && slot < this.present.length && this.present[slot] === 1 ? this.seqs[slot] : undefined;
  }

  /**
   * The seq held at registry slot `slot` (from the peer's {@link IdRegistry}: the same for every
   * link), or 0 when none (`slot` −1: an id no table holds). {@link get} without the id lookup.
   */
  seqAt(slot: number): number {
    return slot >= 0 && slot < this.present.length && this.present[slot] === 1 ? this.seqs[slot]! : 0;
  }

  has(source: string): boolean {
    const slot = this.slots.slotOf(source);
    return slot >= 0 && slot < this.present.length && this.present[slot] === 1;
  }

  /** Set the seq of `source` (a new source goes last in the order, as in a `Map`). */
  set(source: string, seq: number): this {
    let slot = this.slots.slotOf(source);
    if (slot >= 0 && slot < this.present.length && this.present[slot] === 1) {
      this.store(slot, seq);
      return this;
    }
    // Held by another table already: one more holder of its slot (no second lookup).
    slot = slot >= 0 ? this.slots.retain(slot) : this.slots.acquire(source);
    if (slot >= this.present.length) this.grow(this.slots.capacity);
    this.present[slot] = 1;
    this.store(slot, seq);
    this.order.append(slot);
    this.count++;
    return this;
  }

  /** Drop `source`; `true` when it was held. */
  delete(source: string): boolean {
    const slot = this.slots.slotOf(source);
    if (slot < 0 || slot >= this.present.length || this.present[slot] !== 1) return false;
    this.unlink(slot);
    return true;
  }

  /** Drop every source (the link closed): their slots are given back. */
  clear(): void {
    this.order.drain((s) => {
      this.present[s] = 0;
      this.slots.release(s);
    });
    this.count = 0;
  }

  *entries(): MapIterator<[string, number]> {
    for (let s = this.order.first(); s !== NO_SLOT; s = this.order.after(s))
      yield [this.slots.id(s), this.seqs[s]!];
  }

  *keys(): MapIterator<string> {
    for (let s = this.order.first(); s !== NO_SLOT; s = this.order.after(s)) yield this.slots.id(s);
  }

  *values(): MapIterator<number> {
    for (let s = this.order.first(); s !== NO_SLOT; s = this.order.after(s)) yield this.seqs[s]!;
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }

  forEach(
    fn: (value: number, key: string, map: ReadonlyMap<string, number>) => void,
    thisArg?: unknown,
  ): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  /** Write `seq` at `slot`, the seqs widened to 8 bytes first if it does not fit in 4. */
  private store(slot: number, seq: number): void {
    let seqs = this.seqs;
    if (seqs instanceof Uint32Array && seq >>> 0 !== seq) {
      seqs = new Float64Array(seqs.length);
      seqs.set(this.seqs);
      this.seqs = seqs;
    }
    seqs[slot] = seq;
  }

  private unlink(slot: number): void {
    this.order.remove(slot);
    this.present[slot] = 0;
    this.count--;
    this.slots.release(slot);
  }

  private grow(capacity: number): void {
    // A quarter more at a time: each link keeps these for every source of the room, so slack
    // costs more than the copies (a few dozen over a link's life).
    const n = Math.max(64, capacity, Math.ceil(this.present.length * 1.25));
    const seqs = this.seqs instanceof Uint32Array ? new Uint32Array(n) : new Float64Array(n);
    const present = new Uint8Array(n);
    seqs.set(this.seqs);
    this.order.grow(n);
    present.set(this.present);
    this.seqs = seqs;
    this.present = present;
  }
}
