/**
 * The order in which slots (of a source-slot registry: a timeline's, or the peer runtime's id
 * registry) joined a per-source table, as a doubly linked list through two arrays indexed by
 * slot: 2 bytes a link while every slot fits in 16 bits (below 65,535), 4 from then on. A table
 * over every source of the room keeps one (the timeline's log one per timeline, the peer's
 * tables one per peer or per link), so the narrower links halve what its order costs.
 * @internal
 */

/** No slot (a list's end, or an empty list). @internal */
export const NO_SLOT = -1;

/** The largest slot the 16-bit links hold (they store slot + 1, 0 marking an end). */
const NARROW_MAX = 0xfffe;

/**
 * The length a per-source table indexed by slot grows to from `length` to hold slots below
 * `capacity` (the registry's): at least 64, and half as long again at a time, so a table that
 * follows a room's sources one by one copies itself about half as often as at a quarter.
 * @internal
 */
export function tableSize(length: number, capacity: number): number {
  return Math.max(64, capacity, Math.ceil(length * 1.5));
}

/** Slots in the order they were appended (see the module comment). @internal */
export class SlotOrder {
  /**
   * Slot + 1 of the next and of the previous slot of each slot in the list (0: none), side by
   * side (`2 × slot` and `2 × slot + 1`): appending or removing a slot writes one place in memory
   * for its own links, not two.
   */
  private links: Uint16Array | Int32Array = new Uint16Array(0);
  private head = NO_SLOT;
  private tail = NO_SLOT;

  /** Slots the links can hold (`0..length − 1`); {@link grow} makes room for more. */
  get length(): number {
    return this.links.length >>> 1;
  }

  /** The first slot, or {@link NO_SLOT}. */
  first(): number {
    return this.head;
  }

  /** The slot after `slot` (in the list, or just removed from it), or {@link NO_SLOT}. */
  after(slot: number): number {
    return this.links[2 * slot]! - 1;
  }

  /** Append `slot` (not in the list, below {@link length}). */
  append(slot: number): void {
    const links = this.links;
    links[2 * slot] = 0;
    links[2 * slot + 1] = this.tail + 1;
    if (this.tail === NO_SLOT) this.head = slot;
    else links[2 * this.tail] = slot + 1;
    this.tail = slot;
  }

  /** Take `slot` (in the list) out; {@link after} still names the slot that followed it. */
  remove(slot: number): void {
    const links = this.links;
    const n = links[2 * slot]! - 1;
    const p = links[2 * slot + 1]! - 1;
    if (p === NO_SLOT) this.head = n;
    else links[2 * p] = n + 1;
    if (n === NO_SLOT) this.tail = p;
    else links[2 * n + 1] = p + 1;
  }

  /** Call `each` on every slot, in order, then empty the list (`each` may reuse the slot). */
  drain(each: (slot: number) => void): void {
    for (let s = this.head; s !== NO_SLOT; ) {
      const n = this.links[2 * s]! - 1;
      each(s);
      s = n;
    }
    this.clear();
  }

  /** Empty the list. */
  clear(): void {
    this.head = NO_SLOT;
    this.tail = NO_SLOT;
  }

  /** Room for slots `0..n − 1` (n at least {@link length}): 32-bit links once a slot needs them. */
  grow(n: number): void {
    const wide = n - 1 > NARROW_MAX || this.links instanceof Int32Array;
    const links = wide ? new Int32Array(2 * n) : new Uint16Array(2 * n);
    links.set(this.links);
    this.links = links;
  }
}
