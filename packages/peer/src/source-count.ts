/**
 * How many sources a peer hears from, in memory that does not grow with the room: a k-minimum-
 * values sketch. Each source hashes to a number in [0, 1); the sketch keeps the `k` smallest
 * hashes heard recently. While it never had to leave a source out, its size is the exact count;
 * afterwards the count is estimated as `(size − 1) / largest kept hash` (relative error about
 * `1 / √k`: 13 % for the default 64).
 * @internal
 */
export class SourceCount {
  /** Kept sources: their hash and when last heard (at most `k`). */
  private readonly kept = new Map<string, { hash: number; at: number }>();
  /** `true` once a source was left out (the size is no longer the count). */
  private saturated = false;

  /** @param k how many sources the sketch keeps. */
  constructor(private readonly k = 64) {}

  /** `source` was heard at local time `now`. */
  note(source: string, now: number): void {
    const known = this.kept.get(source);
    if (known !== undefined) {
      known.at = now;
      return;
    }
    const hash = hash01(source);
    if (this.kept.size < this.k) {
      this.kept.set(source, { hash, at: now });
      return;
    }
    this.saturated = true;
    let largest: string | undefined;
    let h = -1;
    for (const [s, e] of this.kept) {
      if (e.hash > h) {
        h = e.hash;
        largest = s;
      }
    }
    if (hash >= h) return;
    this.kept.delete(largest!);
    this.kept.set(source, { hash, at: now });
  }

  /** `source` left. */
  forget(source: string): void {
    this.kept.delete(source);
  }

  /** Forget sources not heard for more than `keepMs` before `now`. */
  expire(now: number, keepMs: number): void {
    for (const [s, e] of this.kept) if (now - e.at > keepMs) this.kept.delete(s);
  }

  /** The estimated count of sources heard (exact while no source was left out). */
  estimate(): number {
    const size = this.kept.size;
    if (!this.saturated || size < 2) return size;
    let h = 0;
    for (const e of this.kept.values()) if (e.hash > h) h = e.hash;
    return Math.max(size, Math.round((size - 1) / h));
  }

  /** Sources kept (at most `k`). */
  get size(): number {
    return this.kept.size;
  }
}

/** A hash of `s` in [0, 1) (FNV-1a, then mixed). */
export function hash01(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}
