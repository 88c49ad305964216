/**
 * Address helpers of a loopback network (internal): the key of an address pair, the check of an
 * address, and the started transports' order.
 */
import { LoopbackError } from './errors.js';
import type { LoopbackTransport } from './transport.js';

/** Inserts `t` into `list` (sorted by creation serial), keeping the order. */
export function insertBySerial(list: LoopbackTransport[], t: LoopbackTransport): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.serial < t.serial) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, t);
}

/** The key of the unordered pair `a`, `b` (the same either way round). */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** @throws {LoopbackError} `BAD_ADDRESS` unless `address` is a non-empty string. */
export function checkAddress(address: unknown): void {
  if (typeof address !== 'string' || address === '') {
    throw new LoopbackError(
      'BAD_ADDRESS',
      `a loopback address is a non-empty string, got ${JSON.stringify(address)}`,
    );
  }
}
