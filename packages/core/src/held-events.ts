/**
 * One source's held events by seq, sized for the common case of a few: the event itself when
 * one is held, an array of exactly their number, ascending by seq, up to {@link SMALL_HELD}
 * events, and a `Map` beyond. A room of N sources holds N of these per peer, so the few-event
 * forms cost nothing or a 2-slot array instead of a map's hash table (a source of a quiet room
 * mostly holds one event: no array at all). The updates return the structure to keep (an event
 * or a small array is replaced, a map changed in place).
 * @internal
 */

/**
 * The held events of one source: none (the shared empty array), one (the event), a few
 * (ascending by seq) or many (by seq). @internal
 */
export type HeldEvents<T extends { readonly seq: number }> = T | readonly T[] | Map<number, T>;

/** The most events kept in the array form; one more turns it into a `Map`. @internal */
export const SMALL_HELD = 16;

const EMPTY: readonly never[] = Object.freeze([]);

/** No event held (one shared empty array, never written). @internal */
export function noneHeld<T extends { readonly seq: number }>(): HeldEvents<T> {
  return EMPTY;
}

/** Events held. @internal */
export function heldSize<T extends { readonly seq: number }>(h: HeldEvents<T>): number {
  if (Array.isArray(h)) return h.length;
  return h instanceof Map ? h.size : 1;
}

/** The event of `seq`, if held. @internal */
export function heldGet<T extends { readonly seq: number }>(h: HeldEvents<T>, seq: number): T | undefined {
  if (Array.isArray(h)) {
    const a = h as readonly T[];
    for (let i = a.length - 1; i >= 0; i--) {
      const e = a[i]!;
      if (e.seq === seq) return e;
      if (e.seq < seq) return undefined;
    }
    return undefined;
  }
  if (h instanceof Map) return h.get(seq);
  return (h as T).seq === seq ? (h as T) : undefined;
}

/** The highest seq held (0 when none). @internal */
export function heldMax<T extends { readonly seq: number }>(h: HeldEvents<T>): number {
  if (Array.isArray(h)) {
    const a = h as readonly T[];
    return a.length === 0 ? 0 : a[a.length - 1]!.seq;
  }
  if (!(h instanceof Map)) return (h as T).seq;
  let max = 0;
  for (const seq of h.keys()) if (seq > max) max = seq;
  return max;
}

/** `true` when `seq` is held. @internal */
export function heldHas<T extends { readonly seq: number }>(h: HeldEvents<T>, seq: number): boolean {
  return heldGet(h, seq) !== undefined;
}

/** The held events (by seq when an array, in insertion order when a map). @internal */
export function heldValues<T extends { readonly seq: number }>(h: HeldEvents<T>): Iterable<T> {
  if (Array.isArray(h)) return h as readonly T[];
  return h instanceof Map ? h.values() : [h as T];
}

/** `h` with `e` added (its seq not held yet). @internal */
export function heldWith<T extends { readonly seq: number }>(h: HeldEvents<T>, e: T): HeldEvents<T> {
  if (!Array.isArray(h)) {
    if (h instanceof Map) return h.set(e.seq, e);
    const one = h as T;
    return one.seq < e.seq ? [one, e] : [e, one];
  }
  const a = h as readonly T[];
  const n = a.length;
  if (n === 0) return e;
  if (n >= SMALL_HELD) {
    const map = new Map<number, T>();
    for (const x of a) map.set(x.seq, x);
    return map.set(e.seq, e);
  }
  // An array of exactly n + 1 (a push would leave room for 16 more).
  const out = new Array<T>(n + 1);
  let i = n;
  while (i > 0 && a[i - 1]!.seq > e.seq) {
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
export function heldWithout<T extends { readonly seq: number }>(
  h: HeldEvents<T>,
  seq: number,
): HeldEvents<T> {
  if (!Array.isArray(h)) {
    if (h instanceof Map) {
      h.delete(seq);
      return h.size === 0 ? EMPTY : h;
    }
    return (h as T).seq === seq ? EMPTY : h;
  }
  const a = h as readonly T[];
  const n = a.length;
  let at = -1;
  for (let i = 0; i < n; i++)
    if (a[i]!.seq === seq) {
      at = i;
      break;
    }
  if (at < 0) return h;
  if (n === 1) return EMPTY;
  if (n === 2) return a[1 - at]!;
  const out = new Array<T>(n - 1);
  for (let i = 0, j = 0; i < n; i++) if (i !== at) out[j++] = a[i]!;
  return out;
}
