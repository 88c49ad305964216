/**
 * A map from small non-negative integers to non-negative integers in one `Int32Array`: open
 * addressing with linear probing from a Fibonacci hash, at most 70 % full and halved below an
 * eighth (from 32 pairs up), removals shifting back the pairs probed past them (no tombstones). 8 bytes a pair, where a `Map` of numbers
 * takes about five times that; the {@link IdRegistry} finds its slots by it.
 * @internal
 */

/** The most the table is filled, in tenths, before it doubles. */
const MAX_LOAD_TENTHS = 7;

/** Home pair of `key` in a table of 2^(32 − `shift`) pairs: the top bits of a Fibonacci hash. */
function fibonacci(key: number, shift: number): number {
  return Math.imul(key + 1, 0x9e3779b1) >>> shift;
}

/** Integer keys to integer values (see the module comment). @internal */
export class IndexTable {
  /** Pairs (key + 1, value); 0 marks an empty pair. */
  private table = new Int32Array(2 * 16);
  /** 32 − log2 of the pairs. */
  private shift = 28;
  private count = 0;

  /**
   * @param hash home pair of a key given the shift (the Fibonacci hash; tests pass a poor one
   *   to make keys collide)
   */
  constructor(private readonly hash: (key: number, shift: number) => number = fibonacci) {}

  /** Keys held. */
  get size(): number {
    return this.count;
  }

  /** Pairs allocated (what the table costs: 8 bytes each). */
  get pairs(): number {
    return this.table.length >> 1;
  }

  /** The value of `key`, or −1. */
  get(key: number): number {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    const k1 = key + 1;
    for (let i = this.hash(key, this.shift) & mask; ; i = (i + 1) & mask) {
      const k = table[2 * i]!;
      if (k === k1) return table[2 * i + 1]!;
      if (k === 0) return -1;
    }
  }

  /** Call `fn` with each key held and its value, in no particular order. */
  forEach(fn: (key: number, value: number) => void): void {
    const table = this.table;
    for (let i = 0; i < table.length; i += 2) if (table[i] !== 0) fn(table[i]! - 1, table[i + 1]!);
  }

  /** Hold `value` under `key` (0 ≤ key < 2³¹ − 1, not held yet; value ≥ 0). */
  add(key: number, value: number): void {
    const pairs = this.table.length >> 1;
    if ((this.count + 1) * 10 > pairs * MAX_LOAD_TENTHS) this.resize(pairs * 2);
    this.put(key, value);
    this.count++;
  }

  /** Drop `key` (held). */
  delete(key: number): void {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let i = this.hash(key, this.shift) & mask;
    while (table[2 * i] !== key + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; table[2 * j] !== 0; j = (j + 1) & mask) {
      const h = this.hash(table[2 * j]! - 1, this.shift) & mask;
      // The pair at j stays when its home lies in (i, j] (cyclically); else it fills the hole.
      if (i <= j ? h > i && h <= j : h > i || h <= j) continue;
      table[2 * i] = table[2 * j]!;
      table[2 * i + 1] = table[2 * j + 1]!;
      i = j;
    }
    table[2 * i] = 0;
    table[2 * i + 1] = 0;
    this.count--;
    // Give back what a table once this full no longer needs (a peer whose room shrank).
    const pairs = table.length >> 1;
    if (pairs >= 32 && this.count * 8 < pairs) this.resize(pairs >> 1);
  }

  private put(key: number, value: number): void {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let i = this.hash(key, this.shift) & mask;
    while (table[2 * i] !== 0) i = (i + 1) & mask;
    table[2 * i] = key + 1;
    table[2 * i + 1] = value;
  }

  /** `pairs` pairs (a power of two), every held pair put again. */
  private resize(pairs: number): void {
    const old = this.table;
    this.table = new Int32Array(pairs * 2);
    this.shift = 32 - Math.log2(pairs);
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.put(old[i]! - 1, old[i + 1]!);
  }
}
