/**
 * Append-only columns of numbers that a long run fills once per frame, stored compactly and
 * given back exactly: {@link RunColumn} keeps a run of equal values once, {@link IndexColumn}
 * keeps small indices in two bytes. Both grow in chunks of 65,536 entries, so growing copies
 * nothing already written.
 */

/** Entries per chunk. */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;
/** Runs a chunk holds before it stores every entry instead (10 bytes a run against 8 an entry). */
const MAX_RUNS = CHUNK >>> 1;
/** Runs a chunk has room for at first (doubled as it fills). */
const FIRST_RUNS = 16;

/**
 * A column of numbers where an entry equal to the one before it costs nothing: per chunk, each
 * run of equal values (as `Object.is` compares them, so `-0` and `0` stay apart) is one value and
 * the offset it starts at, until a chunk has so many runs that storing each entry is smaller,
 * and from then on that chunk does. Reading in order, or near the last entry read, finds the run
 * in constant time; elsewhere a binary search over the chunk's runs does.
 */
export class RunColumn {
  /** Per chunk, every entry, once the chunk stores them one by one (else `undefined`). */
  readonly #dense: (Float64Array | undefined)[] = [];
  /** Per chunk holding runs, the offset within the chunk each run starts at. */
  readonly #starts: Uint16Array[] = [];
  /** Per chunk holding runs, each run's value. */
  readonly #values: Float64Array[] = [];
  /** Per chunk holding runs, how many it holds. */
  readonly #runs: number[] = [];
  /** The chunk and run the last read landed in. */
  #readChunk = -1;
  #readRun = 0;
  /** Entries held. */
  size = 0;

  /** Append `x`. */
  push(x: number): void {
    const i = this.size++;
    const c = i >>> CHUNK_BITS;
    const o = i & MASK;
    if (o === 0) {
      if (c > 0) this.#trim(c - 1);
      this.#dense.push(undefined);
      this.#starts.push(new Uint16Array(FIRST_RUNS));
      this.#values.push(new Float64Array(FIRST_RUNS));
      this.#runs.push(0);
    }
    const dense = this.#dense[c];
    if (dense !== undefined) {
      dense[o] = x;
      return;
    }
    const n = this.#runs[c]!;
    let values = this.#values[c]!;
    if (n > 0 && Object.is(values[n - 1], x)) return;
    if (n === MAX_RUNS) {
      this.#densify(c, o)[o] = x;
      return;
    }
    let starts = this.#starts[c]!;
    if (n === starts.length) {
      starts = grown(starts, new Uint16Array(n * 2));
      values = grown(values, new Float64Array(n * 2));
      this.#starts[c] = starts;
      this.#values[c] = values;
    }
    starts[n] = o;
    values[n] = x;
    this.#runs[c] = n + 1;
  }

  /** Entry `i` (`0 <= i < size`). */
  at(i: number): number {
    const c = i >>> CHUNK_BITS;
    const dense = this.#dense[c];
    if (dense !== undefined) return dense[i & MASK]!;
    const o = i & MASK;
    const starts = this.#starts[c]!;
    const n = this.#runs[c]!;
    let r = c === this.#readChunk ? this.#readRun : 0;
    if (starts[r]! > o || (r + 1 < n && starts[r + 1]! <= o)) {
      if (r + 1 < n && starts[r + 1]! <= o && (r + 2 === n || starts[r + 2]! > o)) r++;
      else {
        // The last run starting at or before `o`.
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid]! <= o) lo = mid;
          else hi = mid - 1;
        }
        r = lo;
      }
    }
    this.#readChunk = c;
    this.#readRun = r;
    return this.#values[c]![r]!;
  }

  /** Bytes its arrays take (what a long run's record costs). */
  get bytes(): number {
    let total = 0;
    for (let c = 0; c < this.#dense.length; c++)
      total += this.#dense[c]?.byteLength ?? this.#starts[c]!.byteLength + this.#values[c]!.byteLength;
    return total;
  }

  /** Store chunk `c`'s first `filled` entries one by one (its runs are then dropped). */
  #densify(c: number, filled: number): Float64Array {
    const dense = new Float64Array(CHUNK);
    const starts = this.#starts[c]!;
    const values = this.#values[c]!;
    const n = this.#runs[c]!;
    for (let r = 0; r < n; r++) dense.fill(values[r]!, starts[r]!, r + 1 < n ? starts[r + 1]! : filled);
    this.#dense[c] = dense;
    this.#starts[c] = EMPTY_STARTS;
    this.#values[c] = EMPTY_VALUES;
    this.#runs[c] = 0;
    return dense;
  }

  /** A full chunk `c` holding runs keeps room for just those. */
  #trim(c: number): void {
    if (this.#dense[c] !== undefined) return;
    const n = this.#runs[c]!;
    if (n < this.#starts[c]!.length) {
      this.#starts[c] = this.#starts[c]!.slice(0, n);
      this.#values[c] = this.#values[c]!.slice(0, n);
    }
  }
}

const EMPTY_STARTS = new Uint16Array(0);
const EMPTY_VALUES = new Float64Array(0);

/** `to` with `from` copied to its start. */
function grown<T extends Uint16Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * A column of non-negative integers below 2³¹: per chunk, two bytes an entry while every entry
 * of the chunk is below 65,536, four from the first one that is not (the chunk is then copied
 * once into the wider array).
 */
export class IndexColumn {
  readonly #chunks: (Uint16Array | Int32Array)[] = [];
  /** Entries held. */
  size = 0;

  /** Append `x` (an integer, `0 <= x < 2³¹`). */
  push(x: number): void {
    const i = this.size++;
    const c = i >>> CHUNK_BITS;
    if ((i & MASK) === 0) this.#chunks.push(new Uint16Array(CHUNK));
    let chunk = this.#chunks[c]!;
    if (x > 0xffff && chunk instanceof Uint16Array) {
      chunk = Int32Array.from(chunk);
      this.#chunks[c] = chunk;
    }
    chunk[i & MASK] = x;
  }

  /** Entry `i` (`0 <= i < size`). */
  at(i: number): number {
    return this.#chunks[i >>> CHUNK_BITS]![i & MASK]!;
  }

  /** Bytes its arrays take. */
  get bytes(): number {
    let total = 0;
    for (const chunk of this.#chunks) total += chunk.byteLength;
    return total;
  }
}
