/**
 * One source's held events by seq, sized for the common case of a few: an array of exactly
 * their number, ascending by seq, up to {@link SMALL_HELD} events, and a `Map` beyond. A room
 * of N sources holds N of these per peer, so the few-event form costs a 2-slot array instead of
 * a map's hash table. The updates return the structure to keep (a small array is replaced, a
 * map changed in place).
 * @internal
 */

/** The held events of one source: ascending by seq when an array. @internal */
export type HeldEvents<T extends { readonly seq: number }> = readonly T[] | Map<number, T>;

/** The most events kept in the array form; one more turns it into a `Map`. @internal */
export const SMALL_HELD = 16;

const EMPTY: readonly never[] = Object.freeze([]);

/** No event held (one shared empty array, never written). @internal */
export function noneHeld<T extends { readonly seq: number }>(): HeldEvents<T> {
  return EMPTY;
}

/** Events held. @internal */
export function heldSize<T extends { readonly seq: number }>(h: HeldEvents<T>): number {
  return h instanceof Map ? h.size : h.length;
}

/** The event of `seq`, if held. @internal */
export function heldGet<T extends { readonly seq: number }>(h: HeldEvents<T>, seq: number): T | undefined {
  if (h instanceof Map) return h.get(seq);
  for (let i = h.length - 1; i >= 0; i--) {
    const e = h[i]!;
    if (e.seq === seq) return e;
    if (e.seq < seq) return undefined;
  }
  return undefined;
}

/** `true` when `seq` is held. @internal */
export function heldHas<T extends { readonly seq: number }>(h: HeldEvents<T>, seq: number): boolean {
  return heldGet(h, seq) !== undefined;
}

/** The held events (by seq when an array, in insertion order when a map). @internal */
export function heldValues<T extends { readonly seq: number }>(h: HeldEvents<T>): Iterable<T> {
  return h instanceof Map ? h.values() : h;
}

/** `h` with `e` added (its seq not held yet). @internal */
export function heldWith<T extends { readonly seq: number }>(h: HeldEvents<T>, e: T): HeldEvents<T> {
  if (h instanceof Map) return h.set(e.seq, e);
  const n = h.length;
  if (n >= SMALL_HELD) {
    const map = new Map<number, T>();
    for (const x of h) map.set(x.seq, x);
    return map.set(e.seq, e);
  }
  // An array of exactly n + 1 (a push would leave room for 16 more).
  const out = new Array<T>(n + 1);
  let i = n;
  while (i > 0 && h[i - 1]!.seq > e.seq) {
    out[i] = h[i - 1]!;
    i--;
  }
  out[i] = e;
  while (i > 0) {
    i--;
    out[i] = h[i]!;
  }
  return out;
}

/** `h` without the event of `seq` (the same `h` when not held). @internal */
export function heldWithout<T extends { readonly seq: number }>(
  h: HeldEvents<T>,
  seq: number,
): HeldEvents<T> {
  if (h instanceof Map) {
    h.delete(seq);
    return h.size === 0 ? EMPTY : h;
  }
  const n = h.length;
  let at = -1;
  for (let i = 0; i < n; i++)
    if (h[i]!.seq === seq) {
      at = i;
      break;
    }
  if (at < 0) return h;
  if (n === 1) return EMPTY;
  const out = new Array<T>(n - 1);
  for (let i = 0, j = 0; i < n; i++) if (i !== at) out[j++] = h[i]!;
  return out;
}
