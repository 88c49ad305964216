/**
 * One source's held events by seq, sized for the common case of a few. A room of N sources
 * holds N of these per peer (and 64-bit Node has no pointer compression: 8 bytes a pointer,
 * 24 an object's header), so each count has the cheapest form that still finds an event by a
 * few comparisons:
 *
 * - none: the shared empty array (0 bytes);
 * - one: the event itself (0 bytes);
 * - 2 to 4: an object with a field per event, ascending by seq ({@link HeldFew}: 24 + 8n bytes,
 *   40 to 56, where an array cost 32 + 16 + 8n, 64 to 80);
 * - 5 to {@link SMALL_HELD}: an array of exactly their number, ascending by seq (48 + 8n bytes);
 * - beyond: a `Map` by seq (its hash table), kept until emptied.
 *
 * At 1,000 simulated peers after 120 virtual s, of a peer's sources about 48 % hold one event,
 * 30 % two, 10 % three, 2 % four and under 1 % more (the rest none): the fields save 24 bytes a
 * source holding two to four, about 10 KB a peer there. The form follows from the count alone
 * (up to the first time a map is needed), so equal histories are held alike. The updates return
 * the structure to keep (a small form is replaced, a map changed in place). An event is whatever
 * the log holds (a handle into its columns, {@link EventColumns}), its seq read through
 * {@link EventKeys}.
 * @internal
 */

import type { EventKeys } from './event-keys.js';

/** What the structure reads of an event: its seq. */
type Keys<T> = Pick<EventKeys<T>, 'seqOf'>;

/**
 * Two to four held events, one per field, ascending by seq (`a` the lowest): 24 bytes and 8 a
 * field. Unused fields are not kept: each count is its own subclass. @internal
 */
export abstract class HeldFew<T> {
  /** Events held (2 to 4). */
  abstract get size(): number;
  /** The event of `seq`, if held. */
  abstract get(seq: number, k: Keys<T>): T | undefined;
  /** The highest seq held. */
  abstract max(k: Keys<T>): number;
  /** The events ascending by seq, in a new array. */
  abstract values(): T[];
  /** This with `e` added (its seq not held yet): one more field, or an array of five. */
  abstract with(e: T, k: Keys<T>): HeldEvents<T>;
  /** This without the event of `seq` (this same object when not held). */
  abstract without(seq: number, k: Keys<T>): HeldEvents<T>;
}

/** Two held events, `k.seqOf(a) < k.seqOf(b)` (40 bytes). */
class HeldTwo<T> extends HeldFew<T> {
  constructor(
    readonly a: T,
    readonly b: T,
  ) {
    super();
  }
  get size(): number {
    return 2;
  }
  get(seq: number, k: Keys<T>): T | undefined {
    const a = this.a;
    if (k.seqOf(a) === seq) return a;
    const b = this.b;
    return k.seqOf(b) === seq ? b : undefined;
  }
  max(k: Keys<T>): number {
    return k.seqOf(this.b);
  }
  values(): T[] {
    return [this.a, this.b];
  }
  with(e: T, k: Keys<T>): HeldEvents<T> {
    const { a, b } = this;
    const s = k.seqOf(e);
    if (s < k.seqOf(a)) return new HeldThree(e, a, b);
    return s < k.seqOf(b) ? new HeldThree(a, e, b) : new HeldThree(a, b, e);
  }
  without(seq: number, k: Keys<T>): HeldEvents<T> {
    if (k.seqOf(this.a) === seq) return this.b;
    return k.seqOf(this.b) === seq ? this.a : this;
  }
}

/** Three held events, ascending by seq (48 bytes). */
class HeldThree<T> extends HeldFew<T> {
  constructor(
    readonly a: T,
    readonly b: T,
    readonly c: T,
  ) {
    super();
  }
  get size(): number {
    return 3;
  }
  get(seq: number, k: Keys<T>): T | undefined {
    const { a, b, c } = this;
    if (k.seqOf(a) === seq) return a;
    if (k.seqOf(b) === seq) return b;
    return k.seqOf(c) === seq ? c : undefined;
  }
  max(k: Keys<T>): number {
    return k.seqOf(this.c);
  }
  values(): T[] {
    return [this.a, this.b, this.c];
  }
  with(e: T, k: Keys<T>): HeldEvents<T> {
    const { a, b, c } = this;
    const s = k.seqOf(e);
    if (s < k.seqOf(b)) return s < k.seqOf(a) ? new HeldFour(e, a, b, c) : new HeldFour(a, e, b, c);
    return s < k.seqOf(c) ? new HeldFour(a, b, e, c) : new HeldFour(a, b, c, e);
  }
  without(seq: number, k: Keys<T>): HeldEvents<T> {
    const { a, b, c } = this;
    if (k.seqOf(a) === seq) return new HeldTwo(b, c);
    if (k.seqOf(b) === seq) return new HeldTwo(a, c);
    return k.seqOf(c) === seq ? new HeldTwo(a, b) : this;
  }
}

/** Four held events, ascending by seq (56 bytes). */
class HeldFour<T> extends HeldFew<T> {
  constructor(
    readonly a: T,
    readonly b: T,
    readonly c: T,
    readonly d: T,
  ) {
    super();
  }
  get size(): number {
    return 4;
  }
  get(seq: number, k: Keys<T>): T | undefined {
    const { a, b, c, d } = this;
    if (k.seqOf(a) === seq) return a;
    if (k.seqOf(b) === seq) return b;
    if (k.seqOf(c) === seq) return c;
    return k.seqOf(d) === seq ? d : undefined;
  }
  max(k: Keys<T>): number {
    return k.seqOf(this.d);
  }
  values(): T[] {
    return [this.a, this.b, this.c, this.d];
  }
  with(e: T, k: Keys<T>): HeldEvents<T> {
    const { a, b, c, d } = this;
    const s = k.seqOf(e);
    if (s < k.seqOf(b)) return s < k.seqOf(a) ? [e, a, b, c, d] : [a, e, b, c, d];
    if (s < k.seqOf(c)) return [a, b, e, c, d];
    return s < k.seqOf(d) ? [a, b, c, e, d] : [a, b, c, d, e];
  }
  without(seq: number, k: Keys<T>): HeldEvents<T> {
    const { a, b, c, d } = this;
    if (k.seqOf(a) === seq) return new HeldThree(b, c, d);
    if (k.seqOf(b) === seq) return new HeldThree(a, c, d);
    if (k.seqOf(c) === seq) return new HeldThree(a, b, d);
    return k.seqOf(d) === seq ? new HeldThree(a, b, c) : this;
  }
}

/**
 * The held events of one source: none (the shared empty array), one (the event), two to four
 * (a {@link HeldFew}, ascending by seq), up to {@link SMALL_HELD} (an array, ascending by seq)
 * or more (a map by seq). @internal
 */
export type HeldEvents<T> = T | HeldFew<T> | readonly T[] | Map<number, T>;

/** The most events kept in the array form; one more turns it into a `Map`. @internal */
export const SMALL_HELD = 16;

/** The fewest events kept in the array form (fewer are a {@link HeldFew}, one the event). */
const ARRAY_HELD = 5;

const EMPTY: readonly never[] = Object.freeze([]);

/** No event held (one shared empty array, never written). @internal */
export function noneHeld<T>(): HeldEvents<T> {
  return EMPTY;
}

/** Events held. @internal */
export function heldSize<T>(h: HeldEvents<T>): number {
  if (Array.isArray(h)) return h.length;
  if (h instanceof HeldFew) return h.size;
  return h instanceof Map ? h.size : 1;
}

/** The event of `seq`, if held. @internal */
export function heldGet<T>(h: HeldEvents<T>, seq: number, k: Keys<T>): T | undefined {
  if (Array.isArray(h)) {
    const a = h as readonly T[];
    for (let i = a.length - 1; i >= 0; i--) {
      const e = a[i]!;
      const s = k.seqOf(e);
      if (s === seq) return e;
      if (s < seq) return undefined;
    }
    return undefined;
  }
  if (h instanceof HeldFew) return h.get(seq, k);
  if (h instanceof Map) return h.get(seq);
  return k.seqOf(h as T) === seq ? (h as T) : undefined;
}

/** The highest seq held (0 when none). @internal */
export function heldMax<T>(h: HeldEvents<T>, k: Keys<T>): number {
  if (Array.isArray(h)) {
    const a = h as readonly T[];
    return a.length === 0 ? 0 : k.seqOf(a[a.length - 1]!);
  }
  if (h instanceof HeldFew) return h.max(k);
  if (!(h instanceof Map)) return k.seqOf(h as T);
  let max = 0;
  for (const seq of h.keys()) if (seq > max) max = seq;
  return max;
}

/** `true` when `seq` is held. @internal */
export function heldHas<T>(h: HeldEvents<T>, seq: number, k: Keys<T>): boolean {
  return heldGet(h, seq, k) !== undefined;
}

/** The held events (by seq up to {@link SMALL_HELD}, in insertion order when a map). @internal */
export function heldValues<T>(h: HeldEvents<T>): Iterable<T> {
  if (Array.isArray(h)) return h as readonly T[];
  if (h instanceof HeldFew) return h.values();
  return h instanceof Map ? h.values() : [h as T];
}

/** `h` with `e` added (its seq not held yet). @internal */
export function heldWith<T>(h: HeldEvents<T>, e: T, k: Keys<T>): HeldEvents<T> {
  if (!Array.isArray(h)) {
    if (h instanceof HeldFew) return h.with(e, k);
    if (h instanceof Map) return h.set(k.seqOf(e), e);
    const one = h as T;
    return k.seqOf(one) < k.seqOf(e) ? new HeldTwo(one, e) : new HeldTwo(e, one);
  }
  const a = h as readonly T[];
  const n = a.length;
  if (n === 0) return e;
  if (n >= SMALL_HELD) {
    const map = new Map<number, T>();
    for (const x of a) map.set(k.seqOf(x), x);
    return map.set(k.seqOf(e), e);
  }
  // An array of exactly n + 1 (a push would leave room for 16 more).
  const out = new Array<T>(n + 1);
  let i = n;
  const s = k.seqOf(e);
  while (i > 0 && k.seqOf(a[i - 1]!) > s) {
    out[i] = a[i - 1]!;
    i--;
  }
  out[i] = e;
  while (i > 0) {
    i--;
    out[i] = a[i]!;
  }
  return out;
}

/** `h` without the event of `seq` (the same `h` when not held). @internal */
export function heldWithout<T>(h: HeldEvents<T>, seq: number, k: Keys<T>): HeldEvents<T> {
  if (!Array.isArray(h)) {
    if (h instanceof HeldFew) return h.without(seq, k);
    if (h instanceof Map) {
      h.delete(seq);
      return h.size === 0 ? EMPTY : h;
    }
    return k.seqOf(h as T) === seq ? EMPTY : h;
  }
  const a = h as readonly T[];
  const n = a.length;
  let at = -1;
  for (let i = 0; i < n; i++)
    if (k.seqOf(a[i]!) === seq) {
      at = i;
      break;
    }
  if (at < 0) return h;
  if (n === ARRAY_HELD) {
    // Down to four: the remaining in order, one a field.
    const r = at === 0 ? 1 : 0;
    const s = at <= 1 ? 2 : 1;
    const t = at <= 2 ? 3 : 2;
    const u = at <= 3 ? 4 : 3;
    return new HeldFour(a[r]!, a[s]!, a[t]!, a[u]!);
  }
  const out = new Array<T>(n - 1);
  for (let i = 0, j = 0; i < n; i++) if (i !== at) out[j++] = a[i]!;
  return out;
}
