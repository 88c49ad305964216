/**
 * The map an {@link IdRegistry} finds its slots by: from an id's number in the process (small,
 * dense, reused once free: `shared-ids.ts`) to the registry's slot of it. Two forms, the cheaper
 * for the keys held:
 *
 * - **direct**: an array indexed by the number itself (slot + 1, 0 for none): 2 bytes a number
 *   up to the highest held (4 once a slot passes 65,534), one read a lookup. The form while the
 *   registry holds a good share of the numbers below its highest: a process with one peer (its
 *   numbers are its own ids), or a simulator's peers that all name every peer of one room.
 * - **hashed**: an {@link IndexTable} (8 bytes a pair, at most 70 % full): for a registry that
 *   holds a few ids among many numbers (a peer of a small room in a process that also runs large
 *   ones), where the array would cost 2 bytes for each number it does not hold.
 *
 * The direct form turns hashed once its array would be longer than {@link SPARSE_FACTOR} numbers
 * per key held (plus {@link SLACK} numbers), and a hashed one turns direct again when its table
 * doubles and the keys held would fit an array of half that. Lookups answer the same in both.
 * @internal
 */
import { IndexTable } from './index-table.js';

/** A direct array longer than this many numbers per key held (plus {@link SLACK}) turns hashed. */
export const SPARSE_FACTOR = 8;
/** Numbers a direct array may span beyond {@link SPARSE_FACTOR} per key (small registries stay direct). */
export const SLACK = 1_024;
/** The largest slot + 1 the 2-byte array holds. */
const NARROW_MAX = 0xffff;

/** Process id numbers to registry slots (see the module comment). @internal */
export class SlotIndex {
  /** Slot + 1 by number (0: none), while direct; `undefined` while hashed. */
  private direct: Uint16Array | Int32Array | undefined = new Uint16Array(0);
  /** The pairs, while hashed. */
  private hashed: IndexTable | undefined = undefined;
  private count = 0;

  /** Keys held. */
  get size(): number {
    return this.count;
  }

  /** `true` while the direct array is the form (tests and diagnostics). */
  get isDirect(): boolean {
    return this.direct !== undefined;
  }

  /** Bytes the form in use allocates (tests and diagnostics). */
  get bytes(): number {
    return this.direct !== undefined ? this.direct.byteLength : this.hashed!.pairs * 8;
  }

  /** The slot of number `key`, or −1. */
  get(key: number): number {
    const d = this.direct;
    if (d !== undefined) return key < d.length ? d[key]! - 1 : -1;
    return this.hashed!.get(key);
  }

  /** Hold `slot` under number `key` (0 ≤ key < 2³¹ − 1, not held yet; 0 ≤ slot < 2³¹ − 1). */
  add(key: number, slot: number): void {
    this.count++;
    let d = this.direct;
    if (d !== undefined) {
      if (key >= d.length) {
        const length = Math.max(64, key + 1, Math.ceil(d.length * 1.5));
        if (length > SPARSE_FACTOR * this.count + SLACK) {
          this.toHashed(d);
          this.hashed!.add(key, slot);
          return;
        }
        d = this.resized(d, length, slot + 1 > NARROW_MAX);
      } else if (slot + 1 > NARROW_MAX && d instanceof Uint16Array) d = this.resized(d, d.length, true);
      d[key] = slot + 1;
      return;
    }
    const h = this.hashed!;
    const pairs = h.pairs;
    h.add(key, slot);
    if (h.pairs > pairs) this.maybeDirect(h);
  }

  /** Drop number `key` (held). */
  delete(key: number): void {
    this.count--;
    const d = this.direct;
    if (d !== undefined) d[key] = 0;
    else this.hashed!.delete(key);
  }

  /** A copy of `d` of `length` numbers, 4 bytes each when `wide` or already. */
  private resized(d: Uint16Array | Int32Array, length: number, wide: boolean): Uint16Array | Int32Array {
    const out = wide || d instanceof Int32Array ? new Int32Array(length) : new Uint16Array(length);
    out.set(d);
    this.direct = out;
    return out;
  }

  /** The direct array's pairs into a table. */
  private toHashed(d: Uint16Array | Int32Array): void {
    const h = new IndexTable();
    for (let k = 0; k < d.length; k++) if (d[k] !== 0) h.add(k, d[k]! - 1);
    this.hashed = h;
    this.direct = undefined;
  }

  /** The table just doubled: back to the array when the keys held fit one of half its bytes. */
  private maybeDirect(h: IndexTable): void {
    let top = -1;
    let wide = false;
    h.forEach((key, slot) => {
      if (key > top) top = key;
      if (slot + 1 > NARROW_MAX) wide = true;
    });
    const length = Math.max(64, top + 1);
    if (length > SPARSE_FACTOR * this.count + SLACK) return;
    if ((wide ? 4 : 2) * length * 2 > h.pairs * 8) return;
    const d = wide ? new Int32Array(length) : new Uint16Array(length);
    h.forEach((key, slot) => {
      d[key] = slot + 1;
    });
    this.direct = d;
    this.hashed = undefined;
  }
}
