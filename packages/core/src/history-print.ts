/**
 * The print of a history's settled prefix: how many events it folded into its base with a tick
 * before a mark, and an order-independent digest of their identities `(source, seq, tick)`. The
 * marks are whole multiples of `every` ticks, so two timelines of one history that compacted at
 * different ticks print the same at every mark both passed, whichever sources each forgot
 * since: a print is what two histories are compared on once the events that tell them apart
 * are forgotten. A print at a mark never changes for a history (everything before it is
 * settled); only adopting another history's snapshot replaces the prints.
 * @internal
 */
import type { HistoryPrint, TimelineSnapshot } from './timeline-types.js';

/** Digests are sums modulo 2^48 (exact in a double). */
const DIGEST_MOD = 2 ** 48;
/**
 * Prints kept at the newest marks passed: sixty-four (eight horizons of marks at a peer's
 * spacing of an eighth of a horizon), so two histories that split up to about seven horizons ago
 * are still compared at the first mark where they differ. Snapshots carry them.
 */
export const KEPT_PRINTS = 64;

/** A 32-bit hash of a string (FNV-1a, then a final mix). @internal */
export function sourceHash(source: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < source.length; i++) {
    h ^= source.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

function fmix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The digest term of one event: 48 bits of `(source, seq, tick)`. @internal */
export function eventTerm(hashA: number, hashB: number, seq: number, tick: number): number {
  const lo = fmix(hashA ^ Math.imul(seq | 0, 0x9e3779b1) ^ fmix(tick | 0));
  const hi = fmix(hashB ^ Math.imul((seq / 0x1_0000_0000) | 0, 0x85ebca77) ^ lo) & 0xffff;
  return hi * 0x1_0000_0000 + lo;
}

/** What a history folded before its newest mark, and past it by mark. @internal */
export class HistoryPrints {
  /** Prints at the newest marks passed, oldest first. */
  private readonly kept: HistoryPrint[] = [];
  /** The newest mark passed (all events folded before it are in `count` and `digest`). */
  private mark = 0;
  private count = 0;
  private digest = 0;
  /** Events folded at or after `mark`, by the mark that starts their span: `[count, digest]`. */
  private readonly open = new Map<number, [number, number]>();
  /** `false` after a snapshot without prints: the prefix before it is unknown, so are its prints. */
  private known = true;

  /** `every`: ticks between marks (at least 1). */
  constructor(readonly every: number) {}

  /** An event was folded into the base. */
  fold(hashA: number, hashB: number, seq: number, tick: number): void {
    const term = eventTerm(hashA, hashB, seq, tick);
    if (tick < this.mark) {
      this.count++;
      this.digest = (this.digest + term) % DIGEST_MOD;
      return;
    }
    const span = tick - (tick % this.every);
    const o = this.open.get(span);
    if (o === undefined) this.open.set(span, [1, term]);
    else {
      o[0]++;
      o[1] = (o[1] + term) % DIGEST_MOD;
    }
  }

  /** The base reached `base`: every mark at or before it is passed, its print kept. */
  passTo(base: number): void {
    const last = base - (base % this.every);
    if (last <= this.mark) return;
    // The prints of the newest marks only: a base that jumped far keeps the last few.
    let m = Math.max(this.mark, last - KEPT_PRINTS * this.every);
    if (m > this.mark) this.sealBefore(m);
    while (m < last) {
      m += this.every;
      this.sealBefore(m);
      this.kept.push({ tick: m, count: this.count, digest: this.digest });
      if (this.kept.length > KEPT_PRINTS) this.kept.shift();
    }
  }

  /** Move the spans before `m` into the sealed sums. */
  private sealBefore(m: number): void {
    for (const [span, [n, d]] of this.open) {
      if (span >= m) continue;
      this.count += n;
      this.digest = (this.digest + d) % DIGEST_MOD;
      this.open.delete(span);
    }
    this.mark = m;
  }

  /** Prints at the newest marks passed, oldest first (at most {@link KEPT_PRINTS}). */
  prints(): readonly HistoryPrint[] {
    return this.known ? this.kept : [];
  }

  /** What a snapshot carries to continue the prints: the sums at the newest mark and past it. */
  toSnapshot(): TimelineSnapshot<unknown>['print'] {
    if (!this.known) return undefined;
    const open: [number, number, number][] = [];
    for (const [span, [n, d]] of this.open) open.push([span, n, d]);
    open.sort((a, b) => a[0] - b[0]);
    const kept: [number, number, number][] = [];
    for (const k of this.kept) if (k.tick < this.mark) kept.push([k.tick, k.count, k.digest]);
    return { every: this.every, mark: this.mark, count: this.count, digest: this.digest, open, kept };
  }

  /**
   * Continue from a snapshot's prints at its `tick`. `false` when it has none, marks at another
   * spacing or is malformed: the history's prefix is then unknown, and so are its prints (none).
   */
  fromSnapshot(p: TimelineSnapshot<unknown>['print'], tick: number): boolean {
    this.kept.length = 0;
    this.open.clear();
    this.count = 0;
    this.digest = 0;
    this.known = true;
    const ok =
      p !== undefined &&
      p.every === this.every &&
      validSum(p.mark, p.count, p.digest) &&
      p.mark % this.every === 0 &&
      p.mark <= tick &&
      p.open.every(([span, n, d]) => validSum(span, n, d) && span % this.every === 0 && span >= p.mark) &&
      validKept(p.kept ?? [], this.every, p.mark, p.count);
    if (!ok) {
      this.mark = tick - (tick % this.every);
      this.known = false;
      return false;
    }
    this.mark = p.mark;
    this.count = p.count;
    this.digest = p.digest;
    for (const [span, n, d] of p.open) this.open.set(span, [n, d]);
    for (const [t, n, d] of p.kept ?? []) this.kept.push({ tick: t, count: n, digest: d });
    if (p.mark > 0) this.kept.push({ tick: p.mark, count: p.count, digest: p.digest });
    if (this.kept.length > KEPT_PRINTS) this.kept.splice(0, this.kept.length - KEPT_PRINTS);
    this.passTo(tick);
    return true;
  }
}

function validSum(tick: number, count: number, digest: number): boolean {
  return (
    Number.isSafeInteger(tick) &&
    tick >= 0 &&
    Number.isSafeInteger(count) &&
    count >= 0 &&
    Number.isSafeInteger(digest) &&
    digest >= 0 &&
    digest < DIGEST_MOD
  );
}

/**
 * `true` when `kept` are prints at marks before `mark` (whole multiples of `every`, oldest first,
 * at most {@link KEPT_PRINTS}) whose counts never exceed the next one's, nor `count`.
 */
function validKept(
  kept: readonly (readonly [number, number, number])[],
  every: number,
  mark: number,
  count: number,
): boolean {
  if (!Array.isArray(kept) || kept.length >= KEPT_PRINTS) return false;
  let tick = -1;
  let n = 0;
  for (const k of kept) {
    if (!Array.isArray(k) || k.length !== 3 || !validSum(k[0], k[1], k[2])) return false;
    if (k[0] <= tick || k[0] % every !== 0 || k[0] >= mark || k[1] < n) return false;
    tick = k[0];
    n = k[1];
  }
  return n <= count;
}
