/**
 * A seq per source for each link, stored by dense slots shared by all the links of a peer: what
 * each neighbour is known to hold (repair's frontier view, which flooding reads and advances for
 * every event). One map from source to slot for the whole peer (the codec's id registry, which
 * the links' id tables name their entries by too); the seqs of all the peer's links in one
 * {@link HoldsTable} (a row per slot, a column per link: a source's seqs on every link sit
 * together) and per link an insertion order, so a link costs a few bytes per source instead of a
 * map entry (2 for the seq, presence included, while seqs fit in 16 bits, 4 for its place in the
 * insertion order while slots fit in 16). Each link's view is a
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

/** The cells of a {@link HoldsTable}: 2 bytes each while every seq + 1 fits, then 4, then 8. */
type HoldsCells = Uint16Array | Uint32Array | Float64Array;

/**
 * The seqs of every link of a peer in one table: a row per registry slot, a column per link, so
 * what the links hold of one source sits in one place in memory (flooding reads every link's seq
 * of the source it relays). 2 bytes a cell until a seq + 1 needs more (a source past 65,534
 * events), 4 from then on, 8 once one needs more than 32 bits. A closed link's column is given
 * back and taken by the next link. @internal
 */
export class HoldsTable {
  /** Seq + 1 of row `slot`, column `c` at `slot × width + c`; 0 where no seq is held. */
  data: HoldsCells = new Uint16Array(0);
  /** The largest seq + 1 a cell of {@link data} holds. */
  max = 0xffff;
  /** Columns per row. */
  width: number;
  /** Rows (slots below this have cells). */
  rows = 0;
  private used = 0;
  private readonly free: number[] = [];

  /** @param width columns to start with (more are made as links need them) */
  constructor(width = 4) {
    this.width = Math.max(1, width);
  }

  /** A column for a new link (its cells all 0). */
  column(): number {
    const freed = this.free.pop();
    if (freed !== undefined) return freed;
    // Half as many again (a peer's links come and go one at a time; a closed link's column is reused).
    if (this.used === this.width)
      this.relayout(this.rows, this.width + Math.max(1, this.width >> 1), this.max);
    return this.used++;
  }

  /** Column `c` is no longer used (its cells are all 0 again). */
  release(c: number): void {
    this.free.push(c);
  }

  /** Rows for slots below `capacity` (the registry's), half as many again at a time. */
  ensureRows(capacity: number): void {
    if (capacity > this.rows) this.relayout(tableSize(this.rows, capacity), this.width, this.max);
  }

  /** Cells wide enough for `v` (a seq + 1 above {@link max}) from now on. */
  widen(v: number): void {
    if (v > this.max) this.relayout(this.rows, this.width, v);
  }

  /** Cells for `rows` × `width`, wide enough for values up to `upTo`, the held ones copied. */
  private relayout(rows: number, width: number, upTo: number): void {
    const old = this.data;
    const n = rows * width;
    const data =
      upTo <= 0xffff ? new Uint16Array(n) : upTo <= 0xffffffff ? new Uint32Array(n) : new Float64Array(n);
    if (width === this.width) data.set(old);
    else {
      const w = this.width;
      for (let r = 0; r < this.rows; r++) for (let c = 0; c < w; c++) data[r * width + c] = old[r * w + c]!;
    }
    this.data = data;
    this.max =
      data instanceof Uint16Array ? 0xffff : data instanceof Uint32Array ? 0xffffffff : Number.MAX_VALUE;
    this.rows = rows;
    this.width = width;
  }
}

/**
 * One link's seq per source, over the peer's {@link IdRegistry} (the peer's sources): a column of
 * a {@link HoldsTable} (the peer's, shared by its links, or one of its own). @internal
 */
export class SourceSeqs implements ReadonlyMap<string, number> {
  private table: HoldsTable;
  private col: number;
  /** Insertion order. */
  private readonly order = new SlotOrder();
  private count = 0;

  /**
   * @param slots the peer's registry
   * @param table the table of the peer's links (one of its own by default)
   */
  constructor(
    private readonly slots: IdRegistry,
    table: HoldsTable = new HoldsTable(1),
  ) {
    this.table = table;
    this.col = table.column();
  }

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
    if (slot >= this.table.rows || slot >= this.order.length) this.grow(this.slots.capacity);
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

  /** Drop every source: their slots are given back. */
  clear(): void {
    const t = this.table;
    const col = this.col;
    this.order.drain((s) => {
      t.data[s * t.width + col] = 0;
      this.slots.release(s);
    });
    this.count = 0;
  }

  /**
   * The link closed: {@link clear}, and its column of the shared table is given back (it keeps
   * working, empty, on a table of its own).
   */
  dispose(): void {
    this.clear();
    this.table.release(this.col);
    this.table = new HoldsTable(1);
    this.col = this.table.column();
  }

  *entries(): MapIterator<[string, number]> {
    for (let s = this.order.first(); s !== NO_SLOT; s = this.order.after(s))
      yield [this.slots.id(s), this.held(s) - 1];
  }

  *keys(): MapIterator<string> {
    for (let s = this.order.first(); s !== NO_SLOT; s = this.order.after(s)) yield this.slots.id(s);
  }

  *values(): MapIterator<number> {
    for (let s = this.order.first(); s !== NO_SLOT; s = this.order.after(s)) yield this.held(s) - 1;
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
    const t = this.table;
    return slot >= 0 && slot < t.rows ? t.data[slot * t.width + this.col]! : 0;
  }

  /** Write `seq` at `slot`, the table's cells widened first if seq + 1 does not fit them. */
  private store(slot: number, seq: number): void {
    // (0 marks a slot not held: a seq below 0 would read as none.)
    if (!(seq >= 0)) throw new RangeError(`seq ${seq} below 0`);
    const t = this.table;
    const v = seq + 1;
    if (v > t.max) t.widen(v);
    t.data[slot * t.width + this.col] = v;
  }

  private unlink(slot: number): void {
    this.order.remove(slot);
    const t = this.table;
    t.data[slot * t.width + this.col] = 0;
    this.count--;
    this.slots.release(slot);
  }

  private grow(capacity: number): void {
    this.table.ensureRows(capacity);
    if (this.order.length < this.table.rows) this.order.grow(this.table.rows);
  }
}
