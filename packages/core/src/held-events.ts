/**
 * One source's held events by seq, as handles into the log's columns ({@link EventColumns}). A
 * room of N sources holds N of these per peer, most holding one to four events, so the common
 * case costs no object at all:
 *
 * - none: {@link NO_EVENT};
 * - up to {@link SMALL_HELD}: the handle of the highest seq, the others chained from it through
 *   the columns' `next` cell, descending by seq (4 bytes an event, in the columns);
 * - beyond: a `Map` from seq to handle, kept until emptied.
 *
 * Where the events were objects, two to four of them cost an object of 40 to 56 bytes (24 of
 * header, 8 a field on 64-bit Node) and more an array: at 2,000 simulated peers after 120
 * virtual s about 30 KB a peer. Events mostly arrive in seq order, so a new one goes first and
 * the lookups of new seqs (is it held? extend the frontier) stop at once; the walk of a chain
 * is at most {@link SMALL_HELD} steps. The form follows from the count alone (up to the first
 * time a map is needed), so equal histories are held alike. The updates return the value to
 * keep (a chain's new first handle; a map changed in place).
 * @internal
 */
import type { EventKeys } from './event-keys.js';

/** What the held forms read and write of a handle: its seq, and the next handle of its chain. */
export interface HeldKeys extends Pick<EventKeys<number>, 'seqOf'> {
  /** The handle after `h` in its chain ({@link NO_EVENT} at the end). */
  nextOf(h: number): number;
  /** Set the handle after `h` in its chain. */
  setNext(h: number, next: number): void;
}

/**
 * The held events of one source: none ({@link NO_EVENT}), a chain of up to {@link SMALL_HELD}
 * (its first handle, highest seq first), or a map by seq. @internal
 */
export type HeldEvents = number | Map<number, number>;

/** No event held (also the end of a chain). @internal */
export const NO_EVENT = -1;

/** The most events kept in a chain; one more turns it into a `Map`. @internal */
export const SMALL_HELD = 16;

/** No event held. @internal */
export function noneHeld(): HeldEvents {
  return NO_EVENT;
}

/** Events held. @internal */
export function heldSize(held: HeldEvents, k: HeldKeys): number {
  if (typeof held !== 'number') return held.size;
  let n = 0;
  for (let h = held; h !== NO_EVENT; h = k.nextOf(h)) n++;
  return n;
}

/** The handle of `seq`, if held. @internal */
export function heldGet(held: HeldEvents, seq: number, k: HeldKeys): number | undefined {
  if (typeof held !== 'number') return held.get(seq);
  for (let h = held; h !== NO_EVENT; h = k.nextOf(h)) {
    const s = k.seqOf(h);
    if (s === seq) return h;
    if (s < seq) return undefined;
  }
  return undefined;
}

/** The highest seq held (0 when none). @internal */
export function heldMax(held: HeldEvents, k: HeldKeys): number {
  if (typeof held === 'number') return held === NO_EVENT ? 0 : k.seqOf(held);
  let max = 0;
  for (const seq of held.keys()) if (seq > max) max = seq;
  return max;
}

/** `true` when `seq` is held. @internal */
export function heldHas(held: HeldEvents, seq: number, k: HeldKeys): boolean {
  return heldGet(held, seq, k) !== undefined;
}

/** The held handles (a chain's by descending seq; a map's in its insertion order). @internal */
export function heldValues(held: HeldEvents, k: HeldKeys): Iterable<number> {
  if (typeof held !== 'number') return held.values();
  const out: number[] = [];
  for (let h = held; h !== NO_EVENT; h = k.nextOf(h)) out.push(h);
  return out;
}

/** `held` with handle `e` added (its seq not held yet). @internal */
export function heldWith(held: HeldEvents, e: number, k: HeldKeys): HeldEvents {
  const seq = k.seqOf(e);
  if (typeof held !== 'number') return held.set(seq, e);
  if (held === NO_EVENT || k.seqOf(held) < seq) {
    // The common case: a new highest seq goes first.
    k.setNext(e, held);
    return reaches(e, SMALL_HELD + 1, k) ? toMap(e, k) : e;
  }
  let prev = held;
  for (let h = k.nextOf(held); h !== NO_EVENT && k.seqOf(h) > seq; h = k.nextOf(h)) prev = h;
  k.setNext(e, k.nextOf(prev));
  k.setNext(prev, e);
  return reaches(held, SMALL_HELD + 1, k) ? toMap(held, k) : held;
}

/** `true` when the chain from `first` holds at least `n` events (walked no further than that). */
function reaches(first: number, n: number, k: HeldKeys): boolean {
  let count = 0;
  for (let h = first; h !== NO_EVENT; h = k.nextOf(h)) if (++count >= n) return true;
  return false;
}

/** The chain from `first` as a map by seq (its handles by descending seq). */
function toMap(first: number, k: HeldKeys): Map<number, number> {
  const map = new Map<number, number>();
  for (let h = first; h !== NO_EVENT; h = k.nextOf(h)) map.set(k.seqOf(h), h);
  return map;
}

/** `held` without the event of `seq` (the same `held` when not held). @internal */
export function heldWithout(held: HeldEvents, seq: number, k: HeldKeys): HeldEvents {
  if (typeof held !== 'number') {
    held.delete(seq);
    return held.size === 0 ? NO_EVENT : held;
  }
  if (held === NO_EVENT) return held;
  if (k.seqOf(held) === seq) return k.nextOf(held);
  let prev = held;
  for (let h = k.nextOf(held); h !== NO_EVENT; h = k.nextOf(h)) {
    const s = k.seqOf(h);
    if (s === seq) {
      k.setNext(prev, k.nextOf(h));
      return held;
    }
    if (s < seq) return held;
    prev = h;
  }
  return held;
}
