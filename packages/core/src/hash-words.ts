/**
 * A state hash (16 lowercase hex digits, as `stateHash` makes it) as two uint32 words and back:
 * how tables that keep many hashes (the timeline's recorded hashes, a peer's own reports and its
 * neighbours' votes) store one in 8 bytes instead of a string.
 * @internal
 */

/** `x` as 8 lowercase hex digits. @internal */
export function hex8(x: number): string {
  return (x >>> 0).toString(16).padStart(8, '0');
}

/** The value of the lowercase hex digits `s[from, from + 8)`, or −1 when one is not. */
function hexWord(s: string, from: number): number {
  let w = 0;
  for (let i = from; i < from + 8; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else return -1;
    w = (w << 4) | d;
  }
  return w >>> 0;
}

/**
 * Write the two words of `hash` at `out[at]` and `out[at + 1]` and return `true` when it is 16
 * lowercase hex digits (a state hash); else write nothing and return `false`.
 * @internal
 */
export function hashToWords(hash: string, out: Uint32Array, at: number): boolean {
  if (hash.length !== 16) return false;
  const hi = hexWord(hash, 0);
  if (hi < 0) return false;
  const lo = hexWord(hash, 8);
  if (lo < 0) return false;
  out[at] = hi;
  out[at + 1] = lo;
  return true;
}

/** The 16 lowercase hex digits of the words `hi`, `lo` (the inverse of {@link hashToWords}). @internal */
export function wordsToHash(hi: number, lo: number): string {
  return hex8(hi) + hex8(lo);
}
