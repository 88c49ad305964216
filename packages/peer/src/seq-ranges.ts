/**
 * Sets of seqs of one source as ascending, apart `[from, to]` pairs (a hole between two pairs):
 * what a peer's history holds of a source and what a neighbour's frontier claims (its contiguous
 * seq, then the seqs past holes above it). Pure functions, so the frontier comparisons that decide
 * repairs and re-bases are the same on every peer.
 * @internal
 */

/** A frontier entry's claim (`seq` contiguous from 1, `above` past holes) as pairs. @internal */
export function claimRanges(seq: number, above: readonly number[] | undefined): number[] {
  const out = seq > 0 ? [1, seq] : [];
  if (above !== undefined) for (const s of above) out.push(s);
  return out;
}

/** Pairs as a frontier entry: the contiguous seq from 1 and the pairs past holes above it. @internal */
export function toClaim(ranges: readonly number[]): { seq: number; above: number[] } {
  if (ranges.length >= 2 && ranges[0] === 1) return { seq: ranges[1]!, above: ranges.slice(2) };
  return { seq: 0, above: [...ranges] };
}

/** How many seqs the pairs hold. @internal */
export function rangeCount(ranges: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < ranges.length; i += 2) n += ranges[i + 1]! - ranges[i]! + 1;
  return n;
}

/** The highest seq of the pairs (0 when empty). @internal */
export function rangeMax(ranges: readonly number[]): number {
  return ranges.length === 0 ? 0 : ranges[ranges.length - 1]!;
}

/** `true` when `seq` is in the pairs. @internal */
export function rangeHas(ranges: readonly number[], seq: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (seq < ranges[i]!) return false;
    if (seq <= ranges[i + 1]!) return true;
  }
  return false;
}

/** `true` when every seq of `inner` is in `outer`. @internal */
export function covers(outer: readonly number[], inner: readonly number[]): boolean {
  return missingFrom(outer, inner, 1).length === 0;
}

/** The seqs of `want` not in `have`, as pairs (at most `maxPairs`). @internal */
export function missingFrom(have: readonly number[], want: readonly number[], maxPairs: number): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < want.length && out.length / 2 < maxPairs; i += 2) {
    let from = want[i]!;
    const to = want[i + 1]!;
    while (from <= to && out.length / 2 < maxPairs) {
      while (j < have.length && have[j + 1]! < from) j += 2;
      if (j >= have.length || have[j]! > to) {
        out.push(from, to);
        break;
      }
      if (have[j]! > from) out.push(from, have[j]! - 1);
      from = have[j + 1]! + 1;
    }
  }
  return out;
}

/**
 * A tie-break between two sets of one source: compares their pair bounds in order (then the
 * longer list). Negative when `a` comes first, 0 when they are the same set.
 * @internal
 */
export function compareRanges(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** `ranges` without the seqs up to `upTo`. @internal */
export function above(ranges: readonly number[], upTo: number): number[] {
  if (upTo <= 0) return ranges as number[];
  const out: number[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    const to = ranges[i + 1]!;
    if (to <= upTo) continue;
    out.push(Math.max(ranges[i]!, upTo + 1), to);
  }
  return out;
}
