/**
 * The held events of an event log by tick, as one array of buckets sorted by tick. A peer holds
 * every event of its history (thousands), so this index costs a pointer a tick (with the array's
 * slack) where a `Map` by tick cost an entry of its hash table each: the tick of a bucket is its
 * first event's, so no key is kept at all. A bucket is the event itself for a tick of one event
 * (most ticks: nothing more), an object with two fields for a tick of two (40 bytes on 64-bit
 * Node, where an array cost 32 + 16 + 16 = 64), and an array beyond (48 + 8n bytes). At 1,000
 * simulated peers after 120 virtual s, 86 % of the ticks held hold one event, 13 % two (the
 * pair saves about 4 KB a peer there), under 2 % more. An event is whatever the log holds (a
 * handle into its columns, {@link EventColumns}; a small integer costs nothing beyond its cell),
 * its tick and order read through {@link EventKeys}.
 *
 * It is built for the ways a timeline uses it. Events are stamped a little ahead of the present,
 * so a new tick lands at or near the end (found by stepping back from it, or by a binary search
 * beyond a few steps). Ticks are read in ascending order (a cursor: the first tick at or after
 * the point past the last one read), and again from an earlier one after a rollback (a binary
 * search behind the cursor). Compaction drops the oldest ticks: a head index moves past them, and
 * the array is shifted down once they are as many as the ticks left. The cursor also says which
 * ticks after the last read hold no events ({@link TickIndex.quietFrom}, {@link
 * TickIndex.quietUntil}), so the timeline skips them without asking.
 * @internal
 */

import type { EventKeys } from './event-keys.js';

/**
 * Buckets up to this many events are replaced by an array of exactly one more on an insert (a
 * push leaves room for 16 more: most ticks hold one or two events); larger ones grow in place.
 */
const EXACT_BUCKET = 16;

/** Linear steps back from the end (or on from the cursor) before a binary search. */
const LINEAR_STEPS = 8;

/** Folded ticks before the head are shifted out once at least this many (and half the array). */
const MIN_SHIFT = 32;

/** `bucket` with `event` inserted at `at`, in an array of exactly its new length. */
function withAt<T>(bucket: readonly T[], at: number, event: T): T[] {
  const n = bucket.length;
  const out = new Array<T>(n + 1);
  for (let i = 0; i < at; i++) out[i] = bucket[i]!;
  out[at] = event;
  for (let i = at; i < n; i++) out[i + 1] = bucket[i]!;
  return out;
}

/** The two events of a tick, `a` before `b` in (source, seq) order: 24 bytes and 8 a field. */
class Pair<T> {
  constructor(
    readonly a: T,
    readonly b: T,
  ) {}
}

/** The events of one tick: the event alone, two as a pair, or more in (source, seq) order. */
type Bucket<T> = T | Pair<T> | T[];

/** The tick of a bucket (its events all have it). */
function tickOf<T>(b: Bucket<T>, k: EventKeys<T>): number {
  if (b instanceof Pair) return k.tickOf(b.a);
  return k.tickOf(Array.isArray(b) ? b[0]! : (b as T));
}

/** Held events by tick, in ascending tick order, each tick's in (source, seq) order. @internal */
export class TickIndex<T> {
  /**
   * The buckets by ascending tick from {@link head} on; before it, folded ticks (`undefined`)
   * not yet shifted out.
   */
  private readonly slots: (Bucket<T> | undefined)[] = [];
  /** The index of the oldest bucket held. */
  private head = 0;
  /** The index of the first bucket whose tick is at or after {@link point} (the end if none). */
  private cursor = 0;
  /** One past the tick last read (0 before any read). */
  private point = 0;
  /** The array {@link bucket} hands out for a tick of one event. */
  private readonly one: T[] = [];
  /** The array {@link bucket} hands out for a tick of two events. */
  private readonly two: T[] = [];

  /** `keys`: how the index reads an event's tick and order in a tick. */
  constructor(private readonly keys: EventKeys<T>) {}

  /** Ticks holding events. */
  get size(): number {
    return this.slots.length - this.head;
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
    const s = this.slots;
    return c < s.length ? tickOf(s[c]!, this.keys) : Number.POSITIVE_INFINITY;
  }

  /**
   * The events of `tick` in `(source, seq)` order, if any. Read it before the next call: a tick
   * of one or two events comes in an array the index reuses.
   */
  bucket(tick: number): readonly T[] | undefined {
    const s = this.slots;
    const n = s.length;
    let i = this.cursor;
    if (tick < this.point) i = this.search(this.head, i, tick);
    else if (i < n && tickOf(s[i]!, this.keys) < tick) i = this.seek(i, tick);
    this.point = tick + 1;
    if (i < n) {
      const b = s[i]!;
      if (b instanceof Pair) {
        if (this.keys.tickOf(b.a) === tick) {
          this.cursor = i + 1;
          const two = this.two;
          two[0] = b.a;
          two[1] = b.b;
          return two;
        }
      } else if (Array.isArray(b)) {
        if (this.keys.tickOf(b[0]!) === tick) {
          this.cursor = i + 1;
          return b;
        }
      } else if (this.keys.tickOf(b as T) === tick) {
        this.cursor = i + 1;
        const one = this.one;
        one[0] = b as T;
        return one;
      }
    }
    this.cursor = i;
    return undefined;
  }

  /** Add `event` to its tick's bucket in `(source, seq)` order (it is not held yet). */
  add(event: T): void {
    const tick = this.keys.tickOf(event);
    const s = this.slots;
    const n = s.length;
    const head = this.head;
    // Step back from the end: ticks come almost in order.
    let i = n;
    for (let k = 0; i > head; k++) {
      if (k === LINEAR_STEPS) {
        i = this.search(head, i, tick);
        break;
      }
      const t = tickOf(s[i - 1]!, this.keys);
      if (t < tick) break;
      i--;
      if (t === tick) break;
    }
    // `i`: the first bucket at or after `tick`.
    if (i < n) {
      const b = s[i]!;
      if (tickOf(b, this.keys) === tick) {
        s[i] = this.joined(b, event);
        return;
      }
      s.splice(i, 0, event);
    } else s.push(event);
    if (tick < this.point) this.cursor++;
  }

  /** Drop the ticks before `tick`, handing each of their events to `drop` (by tick, in bucket order). */
  foldBefore(tick: number, drop: (event: T) => void): void {
    const s = this.slots;
    const n = s.length;
    const k = this.keys;
    let h = this.head;
    for (; h < n; h++) {
      const b = s[h]!;
      if (b instanceof Pair) {
        if (k.tickOf(b.a) >= tick) break;
        drop(b.a);
        drop(b.b);
      } else if (Array.isArray(b)) {
        if (k.tickOf(b[0]!) >= tick) break;
        for (let j = 0; j < b.length; j++) drop(b[j]!);
      } else {
        if (k.tickOf(b as T) >= tick) break;
        drop(b as T);
      }
      s[h] = undefined;
    }
    this.head = h;
    if (this.cursor < h) this.cursor = h;
    if (h >= MIN_SHIFT && 2 * h >= n) {
      // Shift the held buckets down over the folded ones.
      for (let j = h; j < n; j++) s[j - h] = s[j];
      s.length = n - h;
      this.cursor -= h;
      this.head = 0;
    }
  }

  /** `b` (a bucket of `event`'s tick) with `event` added in order. */
  private joined(b: Bucket<T>, event: T): Bucket<T> {
    const k = this.keys;
    if (b instanceof Pair) {
      const { a, b: z } = b;
      if (k.before(event, a)) return [event, a, z];
      return k.before(event, z) ? [a, event, z] : [a, z, event];
    }
    if (!Array.isArray(b)) {
      const one = b as T;
      return k.before(one, event) ? new Pair(one, event) : new Pair(event, one);
    }
    // Binary search for the place in (source, seq) order; usually the end.
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (k.before(b[mid]!, event)) lo = mid + 1;
      else hi = mid;
    }
    if (b.length < EXACT_BUCKET) return withAt(b, lo, event);
    if (lo === b.length) b.push(event);
    else b.splice(lo, 0, event);
    return b;
  }

  /** The first index in `[lo, hi)` whose bucket's tick is at or after `tick` (`hi` if none). */
  private search(lo: number, hi: number, tick: number): number {
    const s = this.slots;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tickOf(s[mid]!, this.keys) < tick) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index after `from` (whose tick is before `tick`) at or after `tick`. */
  private seek(from: number, tick: number): number {
    const s = this.slots;
    const n = s.length;
    let i = from + 1;
    for (let k = 0; i < n; k++, i++) {
      if (k === LINEAR_STEPS) return this.search(i, n, tick);
      if (tickOf(s[i]!, this.keys) >= tick) return i;
    }
    return n;
  }
}
