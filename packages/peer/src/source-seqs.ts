/**
 * A seq per source for each link, stored by dense slots shared by all the links of a peer: what
 * each neighbour is known to hold (repair's frontier view, which flooding reads and advances for
 * every event). One map from source to slot for the whole peer (the codec's id registry, which
 * the links' id tables name their entries by too); per link, typed arrays indexed by slot, so a
 * link costs a few bytes per source instead of a map entry (4 for the seq, presence included,
 * while seqs fit in 32 bits, 4 for its place in the insertion order while slots fit in 16). Each link's view is a
 * `ReadonlyMap<string, number>` (with `set` and `delete`) that iterates in insertion order, as a
 * `Map` does.
 *
 * That order costs about 16 bytes a source per peer over four links, and it stays because it
 * reaches the wire: the sources a neighbour claims and this peer's history lacks are requested in
 * it (`Repair.refresh`, whose `request` frame lists their ranges in it and stops at the codec's
 * `maxRanges`), and a broadcast room's pulls list theirs in the order the neighbours' views name
 * the sources (the first neighbour's, then those only the next names, ...). Iterating by slot or in
 * the known ids' order would reorder those requests, the events served back, and the order sources
 * new to the asking peer become known there (which its frontier frames list them in). The other
 * readers only look up, count or delete (a frontier dropping what it no longer lists), which no
 * order changes.
 * @internal
 */
import type { IdRegistry } from '@symmetric/codec';
import { NO_SLOT, SlotOrder, tableSize } from '@symmetric/core';

/** One link's seq per source, over the peer's {@link IdRegistry} (the peer's sources). @internal */
export class SourceSeqs implements ReadonlyMap<string, number> {
  /**
   * Seq + 1 by slot, 0 where no seq is held (one array read tells both): 4 bytes each until one
   * needs more (seq + 1 above 2³² − 1), 8 from then on. Seqs are whole numbers, 0 or more.
   */
  private seqs: Uint32Array | Float64Array = new Uint32Array(0);
  /** Insertion order. */
  private readonly order = new SlotOrder();
  private count = 0;

  constructor(private readonly slots: IdRegistry) {}

  get size(): number {
    return this.count;
  }

  get(source: string): number | undefined {
    const v = this.held(this.slots.slotOf(source));
    return v === 0 ? undefined : v - 1;
  }

  /**
   * The seq held at registry slot `slot` (from the peer's {@link IdRegistry}: the same for every
   * link), or 0 when none (`slot` −1: an id no table holds). {@link get} without the id lookup.
   */
  seqAt(slot: number): number {
    const v = this.held(slot);
    return v === 0 ? 0 : v - 1;
  }

  has(source: string): boolean {
    return this.held(this.slots.slotOf(source)) !== 0;
  }

  /** Set the seq of `source` (a new source goes last in the order, as in a `Map`). */
  set(source: string, seq: number): this {
    let slot = this.slots.slotOf(source);
    if (this.held(slot) !== 0) {
      this.store(slot, seq);
      return this;
    }
    // Held by another table already: one more holder of its slot (no second lookup).
    slot = slot >= 0 ? this.slots.retain(slot) : this.slots.acquire(source);
    if (slot >= this.seqs.length) this.grow(this.slots.capacity);
    this.store(slot, seq);
    this.order.append(slot);
    this.count++;
    return this;
  }

  /**
   * {@link set} for a `source` whose registry slot the caller just looked up (`slot`, −1 when no
   * table holds it): a source held here is written without a second lookup.
   */
  setAt(slot: number, source: string, seq: number): this {
    if (this.held(slot) !== 0) {
      this.store(slot, seq);
      return this;
    }
    return this.set(source, seq);
  }

  /**
   * The neighbour holds `source#seq` (`slot`: its registry slot, just looked up): its contiguous
   * seq advances when `seq` is the next one. `true` when it did.
   */
  advance(slot: number, source: string, seq: number): boolean {
    if (seq !== this.seqAt(slot) + 1) return false;
    this.setAt(slot, source, seq);
    return true;
  }

  /** Drop `source`; `true` when it was held. */
  delete(source: string): boolean {
    const slot = this.slots.slotOf(source);
    if (this.held(slot) === 0) return false;
    this.unlink(slot);
    return true;
  }

  /** Drop every source (the link closed): their slots are given back. */
  clear(): void {
    this.order.drain((s) => {
      this.seqs[s] = 0;
      this.slots.release(s);
    });
    this.count = 0;
  }

  *entries(): MapIterator<[string, number]> {
    for (let s = this.order.first(); s !== NO_SLOT; s = this.order.after(s))
      yield [this.slots.id(s), this.seqs[s]! - 1];
  }

  *keys(): MapIterator<string> {
    for (let s = this.order.first(); s !== NO_SLOT; s = this.order.after(s)) yield this.slots.id(s);
  }

  *values(): MapIterator<number> {
    for (let s = this.order.first(); s !== NO_SLOT; s = this.order.after(s)) yield this.seqs[s]! - 1;
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

  /** Seq + 1 at `slot` (−1 or past the table: none), 0 when no seq is held there. */
  private held(slot: number): number {
    return slot >= 0 && slot < this.seqs.length ? this.seqs[slot]! : 0;
  }

  /** Write `seq` at `slot`, the seqs widened to 8 bytes first if seq + 1 does not fit in 4. */
  private store(slot: number, seq: number): void {
    // (0 marks a slot not held: a seq below 0 would read as none.)
    if (!(seq >= 0)) throw new RangeError(`seq ${seq} below 0`);
    let seqs = this.seqs;
    const v = seq + 1;
    if (seqs instanceof Uint32Array && v >>> 0 !== v) {
      seqs = new Float64Array(seqs.length);
      seqs.set(this.seqs);
      this.seqs = seqs;
    }
    seqs[slot] = v;
  }

  private unlink(slot: number): void {
    this.order.remove(slot);
    this.seqs[slot] = 0;
    this.count--;
    this.slots.release(slot);
  }

  private grow(capacity: number): void {
    // Half more at a time: each link keeps these for every source of the room, so slack costs
    // memory, but a table that grows a quarter at a time copies a dozen times over a link's life.
    const n = tableSize(this.seqs.length, capacity);
    const seqs = this.seqs instanceof Uint32Array ? new Uint32Array(n) : new Float64Array(n);
    seqs.set(this.seqs);
    this.order.grow(n);
    this.seqs = seqs;
  }
}
