/**
 * What desync detection (desync.ts) keeps of state hashes, in typed arrays rather than maps of
 * strings. A state hash is 16 lowercase hex digits (core's `stateHash`; the codec carries it as
 * 8 bytes and decodes it to that form), so it is held as two uint32 words, 8 bytes, and turned
 * back into its string when read (a short-lived string, equal to the one stored). Any other
 * string is held as it is in a side map: nothing in the product makes one, but each structure
 * answers for every string exactly what it was given.
 *
 * - {@link OwnHashes}: this peer's reported hashes of settled ticks, ticks only ever added above
 *   the newest, the oldest first out: a ring of (tick, hash) rows, 16 bytes a row, grown by
 *   doubling as it fills (512 rows at most for desync detection: 8 KB).
 * - {@link HashVotes}: each neighbour's latest report per tick, the votes a mismatch is weighed
 *   against: rows of ticks in the order they were first voted on, one column per neighbour's
 *   link. A row holds its tick and one reference hash (16 bytes) and a byte a cell: the cell's
 *   vote is the reference, or another string kept aside (a neighbour that disagrees), or none.
 *   At 4 columns a row is 20 bytes (512 rows: 10 KB) while the neighbours agree, where a map of
 *   arrays of strings took about 150 bytes a tick.
 * @internal
 */
import { hashToWords, wordsToHash } from '@symmetric/core';

const EMPTY_F64 = new Float64Array(0);
const EMPTY_U32 = new Uint32Array(0);
const EMPTY_U8 = new Uint8Array(0);

/** Cell kinds of {@link HashVotes}: no vote, the row's reference hash, a string kept aside. */
const NONE = 0;
const REF = 1;
const ASIDE = 2;

/** Smallest row capacity allocated. */
const MIN_ROWS = 16;
/** Columns of a table's first row layout (a peer typically has a handful of neighbours). */
const MIN_COLUMNS = 4;
/** The words of the hash being voted (scratch). */
const scratch = new Uint32Array(2);

/**
 * Neighbours' hash reports kept as votes: per tick, each neighbour's latest report. It answers
 * exactly as an insertion-ordered map of ticks to maps of link keys to hashes would: a tick goes
 * when its last vote goes, at most `maxTicks` ticks are kept (the one first voted on goes first),
 * and ticks before the timeline's base go at each compaction (in that order, up to the first one
 * not before it).
 *
 * Rows are a ring in that order; a row whose last vote went stays as a dead row until the ring
 * fills (then live rows are packed) or it reaches the front. A row's reference hash is the first
 * state hash voted into it while no cell holds the reference; a vote of another string is kept
 * aside, by cell. A tick is found by binary search while the row ticks increase (the usual case:
 * ticks are voted on as they settle), else by a scan from the newest row. See the module comment
 * for the byte cost. Ticks are integers.
 * @internal
 */
export class HashVotes {
  /** Link key of each column (`undefined`: free). */
  private keys: (string | undefined)[] = [];
  /** Cells a row has (columns allocated). */
  private width = 0;
  /** Rows allocated: 0 or a power of two. */
  private cap = 0;
  /** Physical row of the oldest row. */
  private head = 0;
  /** Rows held, dead ones included. */
  private rows = 0;
  /** Rows with at least one vote. */
  private live = 0;
  /** Adjacent rows (dead ones included) whose ticks do not increase: 0 allows binary search. */
  private descents = 0;
  private ticks = EMPTY_F64;
  /** Per row: the reference hash's two words. */
  private refs = EMPTY_U32;
  /** Per cell: NONE, REF or ASIDE. */
  private kinds = EMPTY_U8;
  /** Per ASIDE cell (physical row × width + column): its vote. */
  private aside: Map<number, string> | undefined;

  /** At most `maxTicks` ticks (at least 1) are kept. */
  constructor(private readonly maxTicks: number) {}

  /** Ticks with votes. */
  get size(): number {
    return this.live;
  }

  /** Bytes of the typed arrays held: rows allocated × (16 + columns). */
  get bytes(): number {
    return this.ticks.byteLength + this.refs.byteLength + this.kinds.byteLength;
  }

  /** Votes kept aside (not their row's reference hash). */
  get asideSize(): number {
    return this.aside?.size ?? 0;
  }

  /** `true` when some neighbour's vote of `tick` is kept. */
  hasTick(tick: number): boolean {
    return this.find(tick) >= 0;
  }

  /** The hash the neighbour on link `key` reported for `tick`, if any. */
  get(tick: number, key: string): string | undefined {
    const c = this.keys.indexOf(key);
    if (c < 0) return undefined;
    const p = this.find(tick);
    if (p < 0) return undefined;
    const cell = p * this.width + c;
    const k = this.kinds[cell];
    if (k === NONE) return undefined;
    return k === REF ? wordsToHash(this.refs[2 * p]!, this.refs[2 * p + 1]!) : this.aside!.get(cell);
  }

  /** `true` when the neighbour on link `key` reported `tick`. */
  has(tick: number, key: string): boolean {
    const c = this.keys.indexOf(key);
    if (c < 0) return false;
    const p = this.find(tick);
    return p >= 0 && this.kinds[p * this.width + c] !== NONE;
  }

  /** The neighbour on link `key` reported `hash` for `tick` (its latest report of it). */
  set(tick: number, key: string, hash: string): void {
    const c = this.column(key);
    let p = this.find(tick);
    if (p < 0) {
      if (this.live >= this.maxTicks) this.dropOldest();
      p = this.append(tick);
    }
    const cell = p * this.width + c;
    this.clearCell(cell);
    if (hashToWords(hash, scratch, 0)) {
      const refs = this.refs;
      if (!this.usesRef(p)) {
        refs[2 * p] = scratch[0]!;
        refs[2 * p + 1] = scratch[1]!;
        this.kinds[cell] = REF;
        return;
      }
      if (refs[2 * p] === scratch[0] && refs[2 * p + 1] === scratch[1]) {
        this.kinds[cell] = REF;
        return;
      }
    }
    (this.aside ??= new Map()).set(cell, hash);
    this.kinds[cell] = ASIDE;
  }

  /** Link `key` closed: its votes go (and a tick left without votes). */
  dropLink(key: string): void {
    const c = this.keys.indexOf(key);
    if (c < 0) return;
    const mask = this.cap - 1;
    for (let i = 0; i < this.rows; i++) {
      const p = (this.head + i) & mask;
      const cell = p * this.width + c;
      if (this.kinds[cell] === NONE) continue;
      this.clearCell(cell);
      if (!this.alive(p)) this.live--;
    }
    this.keys[c] = undefined;
  }

  /**
   * Drop the votes of ticks before `tick`, in the order they were first voted on, up to the
   * first tick not before it (ticks are voted on in increasing order but for a rare late one,
   * which goes with the cap).
   */
  forgetBefore(tick: number): void {
    while (this.rows > 0) {
      const p = this.head;
      if (this.alive(p)) {
        if (this.ticks[p]! >= tick) return;
        this.clearRow(p);
        this.live--;
      }
      this.popFront();
    }
  }

  /** Forget every vote (and give back the arrays). */
  clear(): void {
    this.keys = [];
    this.width = 0;
    this.cap = 0;
    this.head = 0;
    this.rows = 0;
    this.live = 0;
    this.descents = 0;
    this.ticks = EMPTY_F64;
    this.refs = EMPTY_U32;
    this.kinds = EMPTY_U8;
    this.aside = undefined;
  }

  /** Physical row of the live row of `tick`, or -1. */
  private find(tick: number): number {
    const n = this.rows;
    if (n === 0) return -1;
    const mask = this.cap - 1;
    const ticks = this.ticks;
    if (this.descents === 0) {
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const p = (this.head + mid) & mask;
        const t = ticks[p]!;
        if (t === tick) return this.alive(p) ? p : -1;
        if (t < tick) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    }
    for (let i = n - 1; i >= 0; i--) {
      const p = (this.head + i) & mask;
      if (ticks[p] === tick && this.alive(p)) return p;
    }
    return -1;
  }

  /** `true` when row `p` holds a vote. */
  private alive(p: number): boolean {
    const kinds = this.kinds;
    const from = p * this.width;
    for (let i = from; i < from + this.width; i++) if (kinds[i] !== NONE) return true;
    return false;
  }

  /** `true` when a cell of row `p` holds its reference hash. */
  private usesRef(p: number): boolean {
    const kinds = this.kinds;
    const from = p * this.width;
    for (let i = from; i < from + this.width; i++) if (kinds[i] === REF) return true;
    return false;
  }

  /** Empty `cell` (letting a vote kept aside go). */
  private clearCell(cell: number): void {
    if (this.kinds[cell] === ASIDE) this.aside!.delete(cell);
    this.kinds[cell] = NONE;
  }

  private clearRow(p: number): void {
    for (let c = 0; c < this.width; c++) this.clearCell(p * this.width + c);
  }

  /** The column of link `key`, a free one taken (and the rows widened) when it has none. */
  private column(key: string): number {
    const keys = this.keys;
    let c = keys.indexOf(key);
    if (c >= 0) return c;
    c = keys.indexOf(undefined);
    if (c < 0) {
      c = keys.length;
      if (c >= this.width)
        this.relayout(this.cap, Math.max(MIN_COLUMNS, this.width + Math.max(2, this.width >> 1)));
    }
    keys[c] = key;
    return c;
  }

  /** Drop the oldest live row (and the dead rows before it). */
  private dropOldest(): void {
    while (this.rows > 0) {
      const p = this.head;
      const alive = this.alive(p);
      if (alive) this.clearRow(p);
      this.popFront();
      if (alive) {
        this.live--;
        return;
      }
    }
  }

  /** The front row leaves the ring. */
  private popFront(): void {
    const mask = this.cap - 1;
    const p = this.head;
    const next = (p + 1) & mask;
    if (this.rows >= 2 && this.ticks[next]! <= this.ticks[p]!) this.descents--;
    this.head = next;
    this.rows--;
  }

  /** A new live row of `tick` after the newest: its physical row (no vote in it yet). */
  private append(tick: number): number {
    if (this.rows === this.cap) {
      // Full: pack the live rows, or double when there are no dead ones to drop.
      this.relayout(this.live < this.rows ? this.cap : Math.max(MIN_ROWS, this.cap * 2), this.width);
    }
    const mask = this.cap - 1;
    const p = (this.head + this.rows) & mask;
    if (this.rows > 0 && tick <= this.ticks[(p - 1) & mask]!) this.descents++;
    this.ticks[p] = tick;
    this.kinds.fill(NONE, p * this.width, (p + 1) * this.width);
    this.rows++;
    this.live++;
    return p;
  }

  /** Copy the live rows, oldest first from row 0, into `cap` rows of `width` cells. */
  private relayout(cap: number, width: number): void {
    const ticks = new Float64Array(cap);
    const refs = new Uint32Array(2 * cap);
    const kinds = new Uint8Array(cap * width);
    const aside = this.aside === undefined || this.aside.size === 0 ? undefined : new Map<number, string>();
    const mask = this.cap - 1;
    const w = this.width;
    let n = 0;
    let descents = 0;
    for (let i = 0; i < this.rows; i++) {
      const p = (this.head + i) & mask;
      if (!this.alive(p)) continue;
      if (n > 0 && this.ticks[p]! <= ticks[n - 1]!) descents++;
      ticks[n] = this.ticks[p]!;
      refs[2 * n] = this.refs[2 * p]!;
      refs[2 * n + 1] = this.refs[2 * p + 1]!;
      kinds.set(this.kinds.subarray(p * w, (p + 1) * w), n * width);
      if (aside !== undefined)
        for (let c = 0; c < w; c++)
          if (this.kinds[p * w + c] === ASIDE) aside.set(n * width + c, this.aside!.get(p * w + c)!);
      n++;
    }
    this.ticks = ticks;
    this.refs = refs;
    this.kinds = kinds;
    this.aside = aside;
    this.cap = cap;
    this.width = width;
    this.head = 0;
    this.rows = n;
    this.descents = descents;
  }
}

/**
 * This peer's reported hashes of settled ticks: it answers exactly as an insertion-ordered map
 * of tick to hash whose new ticks are always above the newest (the order of settling), so the
 * oldest is the lowest. A ring of rows (tick in a `Float64Array`, hash as two words in a
 * `Uint32Array`: 16 bytes a row), doubled from 16 rows as it fills and never beyond the most
 * rows held at once; a tick is found by binary search.
 * @internal
 */
export class OwnHashes {
  /** Rows allocated: 0 or a power of two. */
  private cap = 0;
  /** Physical row of the oldest hash. */
  private head = 0;
  private count = 0;
  private ticks = EMPTY_F64;
  private words = EMPTY_U32;
  /** Hashes that are not state hashes, by tick (their rows' words unused). */
  private odd: Map<number, string> | undefined;

  /** Hashes held. */
  get size(): number {
    return this.count;
  }

  /** Bytes of the typed arrays held (16 a row allocated). */
  get bytes(): number {
    return this.ticks.byteLength + this.words.byteLength;
  }

  /** The hash of `tick`, if held. */
  get(tick: number): string | undefined {
    const i = this.indexOf(tick);
    return i < 0 ? undefined : this.hashAt(i);
  }

  /** The newest tick held, or -∞ when none is. */
  get newest(): number {
    return this.count === 0 ? Number.NEGATIVE_INFINITY : this.tickAt(this.count - 1);
  }

  /** Hold `hash` of `tick`, above every tick held (a `RangeError` otherwise). */
  add(tick: number, hash: string): void {
    if (!(tick > this.newest)) throw new RangeError(`own hash of tick ${tick} not above the newest held`);
    if (this.count === this.cap) this.resize(Math.max(16, this.cap * 2));
    const p = (this.head + this.count) & (this.cap - 1);
    this.ticks[p] = tick;
    this.count++;
    this.write(p, hash);
  }

  /** Index (0: the oldest) of the first hash of a tick at or after `tick`: `size` when none. */
  lowerBound(tick: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tickAt(mid) < tick) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The tick of the `i`-th hash (0: the oldest). */
  tickAt(i: number): number {
    return this.ticks[(this.head + i) & (this.cap - 1)]!;
  }

  /** The `i`-th hash (0: the oldest). */
  hashAt(i: number): string {
    const p = (this.head + i) & (this.cap - 1);
    const odd = this.odd?.get(this.ticks[p]!);
    return odd ?? wordsToHash(this.words[2 * p]!, this.words[2 * p + 1]!);
  }

  /** Replace the `i`-th hash (0: the oldest) with `hash`; its place stays. */
  replaceAt(i: number, hash: string): void {
    const p = (this.head + i) & (this.cap - 1);
    this.odd?.delete(this.ticks[p]!);
    this.write(p, hash);
  }

  /** Drop the oldest hash (if any). */
  dropOldest(): void {
    if (this.count === 0) return;
    this.odd?.delete(this.ticks[this.head]!);
    this.head = (this.head + 1) & (this.cap - 1);
    this.count--;
  }

  /** Drop the hashes of ticks before `tick`. */
  dropBefore(tick: number): void {
    while (this.count > 0 && !(this.ticks[this.head]! >= tick)) this.dropOldest();
  }

  /** Drop every hash (and give back the arrays). */
  clear(): void {
    this.cap = 0;
    this.head = 0;
    this.count = 0;
    this.ticks = EMPTY_F64;
    this.words = EMPTY_U32;
    this.odd = undefined;
  }

  /** Index of `tick`, or -1. */
  private indexOf(tick: number): number {
    const i = this.lowerBound(tick);
    return i < this.count && this.tickAt(i) === tick ? i : -1;
  }

  private write(p: number, hash: string): void {
    if (!hashToWords(hash, this.words, 2 * p)) (this.odd ??= new Map()).set(this.ticks[p]!, hash);
  }

  private resize(cap: number): void {
    const ticks = new Float64Array(cap);
    const words = new Uint32Array(2 * cap);
    for (let i = 0; i < this.count; i++) {
      const p = (this.head + i) & (this.cap - 1);
      ticks[i] = this.ticks[p]!;
      words[2 * i] = this.words[2 * p]!;
      words[2 * i + 1] = this.words[2 * p + 1]!;
    }
    this.ticks = ticks;
    this.words = words;
    this.cap = cap;
    this.head = 0;
  }
}
