/**
 * The held events of an event log by tick: the events are handles (small integers, into the
 * log's columns, {@link EventColumns}), and the index is two typed arrays, so it costs the
 * JavaScript heap nothing per event. One array holds, per tick that holds events, in ascending
 * tick order, the first of its events (the tick is that event's, so no key is kept); the other,
 * indexed by handle, the next event of the same tick, so a tick's events form a chain in
 * `(source, seq)` order. 4 bytes a tick (with the array's slack) and 4 a handle, where buckets of
 * objects cost a pointer a tick plus an object of 40 bytes for every tick of two events and an
 * array beyond (in a room of 2,000 peers a peer's ticks hold two or more events a fifth of the
 * time, and those objects were a sixth of its heap).
 *
 * It is built for the ways a timeline uses it. Events are stamped a little ahead of the present,
 * so a new tick lands at or near the end (found by stepping back from it, or by a binary search
 * beyond a few steps). Ticks are read in ascending order (a cursor: the first tick at or after
 * the point past the last one read), and again from an earlier one after a rollback (a binary
 * search behind the cursor). Compaction drops the oldest ticks: a head index moves past them, and
 * the array is shifted down once they are as many as the ticks left. The cursor also says which
 * ticks after the last read hold no events ({@link TickIndex.quietFrom}, {@link
 * TickIndex.quietUntil}), so the timeline skips them without asking. A new event goes into its
 * tick's chain after the events before it (a walk along the chain: ticks hold a few events).
 * @internal
 */

import type { EventKeys } from './event-keys.js';

/** Linear steps back from the end (or on from the cursor) before a binary search. */
const LINEAR_STEPS = 8;

/** Folded ticks before the head are shifted out once at least this many (and half the array). */
const MIN_SHIFT = 32;

/** No event (a chain's end, or a folded tick). */
const NONE = -1;

/** Held event handles by tick, in ascending tick order, each tick's in (source, seq) order. @internal */
export class TickIndex {
  /**
   * The first event of each tick holding events, by ascending tick from {@link head} to
   * {@link length}; before the head, folded ticks ({@link NONE}) not yet shifted out.
   */
  private slots: Int32Array = new Int32Array(64);
  /** Slots in use (held and folded). */
  private length = 0;
  /** The next event of each handle's tick, in (source, seq) order ({@link NONE}: the last). */
  private next: Int32Array = new Int32Array(64);
  /** The index of the oldest tick held. */
  private head = 0;
  /** The index of the first tick at or after {@link point} (the end if none). */
  private cursor = 0;
  /** One past the tick last read (0 before any read). */
  private point = 0;
  /** The array {@link bucket} hands out. */
  private readonly out: number[] = [];

  /** `keys`: how the index reads an event's tick and order in a tick. */
  constructor(private readonly keys: EventKeys<number>) {}

  /** Ticks holding events. */
  get size(): number {
    return this.length - this.head;
  }

  /**
   * The ticks from `quietFrom` up to `quietUntil` (excluded) hold no events: the one after the
   * tick last read (0 before any) up to the next that holds some (`+∞` when none does).
   */
  get quietFrom(): number {
    return this.point;
  }

  /** See {@link quietFrom}. */
  get quietUntil(): number {
    const c = this.cursor;
    return c < this.length ? this.keys.tickOf(this.slots[c]!) : Number.POSITIVE_INFINITY;
  }

  /**
   * The events of `tick` in `(source, seq)` order, if any, in an array the index reuses: read it
   * before the next call.
   */
  bucket(tick: number): readonly number[] | undefined {
    const s = this.slots;
    const n = this.length;
    const keys = this.keys;
    let i = this.cursor;
    if (tick < this.point) i = this.search(this.head, i, tick);
    else if (i < n && keys.tickOf(s[i]!) < tick) i = this.seek(i, tick);
    this.point = tick + 1;
    if (i < n) {
      const first = s[i]!;
      if (keys.tickOf(first) === tick) {
        this.cursor = i + 1;
        const out = this.out;
        const next = this.next;
        let k = 0;
        for (let e = first; e !== NONE; e = next[e]!) out[k++] = e;
        out.length = k;
        return out;
      }
    }
    this.cursor = i;
    return undefined;
  }

  /** Add `event` to its tick's chain in `(source, seq)` order (it is not held yet). */
  add(event: number): void {
    const keys = this.keys;
    const tick = keys.tickOf(event);
    if (event >= this.next.length) this.growNext(event + 1);
    const next = this.next;
    const n = this.length;
    const head = this.head;
    let s = this.slots;
    // Step back from the end: ticks come almost in order.
    let i = n;
    for (let k = 0; i > head; k++) {
      if (k === LINEAR_STEPS) {
        i = this.search(head, i, tick);
        break;
      }
      const t = keys.tickOf(s[i - 1]!);
      if (t < tick) break;
      i--;
      if (t === tick) break;
    }
    // `i`: the first tick at or after `tick`.
    if (i < n) {
      const first = s[i]!;
      if (keys.tickOf(first) === tick) {
        if (keys.before(event, first)) {
          next[event] = first;
          s[i] = event;
          return;
        }
        let p = first;
        for (let q = next[p]!; q !== NONE && keys.before(q, event); q = next[p]!) p = q;
        next[event] = next[p]!;
        next[p] = event;
        return;
      }
    }
    if (n === s.length) s = this.growSlots();
    if (i < n) s.copyWithin(i + 1, i, n);
    s[i] = event;
    next[event] = NONE;
    this.length = n + 1;
    if (tick < this.point) this.cursor++;
  }

  /** Drop the ticks before `tick`, handing each of their events to `drop` (by tick, in chain order). */
  foldBefore(tick: number, drop: (event: number) => void): void {
    const s = this.slots;
    const n = this.length;
    const keys = this.keys;
    const next = this.next;
    let h = this.head;
    for (; h < n; h++) {
      const first = s[h]!;
      if (keys.tickOf(first) >= tick) break;
      for (let e = first; e !== NONE; ) {
        const after = next[e]!; // (read first: `drop` may give the handle to a later event)
        drop(e);
        e = after;
      }
      s[h] = NONE;
    }
    this.head = h;
    if (this.cursor < h) this.cursor = h;
    if (h >= MIN_SHIFT && 2 * h >= n) {
      // Shift the held ticks down over the folded ones.
      s.copyWithin(0, h, n);
      this.length = n - h;
      this.cursor -= h;
      this.head = 0;
    }
  }

  /** Room for half as many ticks again. */
  private growSlots(): Int32Array {
    const s = new Int32Array(Math.max(64, Math.ceil(this.slots.length * 1.5)));
    s.set(this.slots.subarray(0, this.length));
    this.slots = s;
    return s;
  }

  /** Room for handles below `n` (half as many again at least). */
  private growNext(n: number): void {
    const next = new Int32Array(Math.max(n, Math.ceil(this.next.length * 1.5)));
    next.set(this.next);
    this.next = next;
  }

  /** The first index in `[lo, hi)` whose tick is at or after `tick` (`hi` if none). */
  private search(lo: number, hi: number, tick: number): number {
    const s = this.slots;
    const keys = this.keys;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys.tickOf(s[mid]!) < tick) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index after `from` (whose tick is before `tick`) at or after `tick`. */
  private seek(from: number, tick: number): number {
    const s = this.slots;
    const n = this.length;
    const keys = this.keys;
    let i = from + 1;
    for (let k = 0; i < n; k++, i++) {
      if (k === LINEAR_STEPS) return this.search(i, n, tick);
      if (keys.tickOf(s[i]!) >= tick) return i;
    }
    return n;
  }
}
