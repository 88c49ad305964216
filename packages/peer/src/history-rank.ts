/**
 * Ranking two histories: which one a peer re-bases on when they cannot be merged event by event
 * (each lost events behind the horizon the other holds). The order is computed the same way on
 * both sides from what they exchanged (frontiers and prints), so every peer of the room ends on
 * the same history and none re-bases back: first the events each frontier lists (their sum,
 * then source by source), then the prints of the settled prefixes (count, then digest) at a mark
 * past the link's opening (see {@link printOrder}), which never change for a history. The prints
 * tell histories apart once the sources only one side holds events of are forgotten and the
 * frontiers list the same.
 * @internal
 */
import type { FrontierPrint } from '@symmetric/codec';
import { claimOf, type RemoteFrontier } from './remote-frontier.js';
import { compareRanges, covers, rangeCount } from './seq-ranges.js';

/**
 * How two histories' prints compare (see {@link printOrder}): `'equal'` (or nothing to compare:
 * the frontiers decide), `'greater'` / `'less'` (theirs against ours, at a mark past the link's
 * opening), or `'pending'`: they differ, but only at marks from before the link opened, when the
 * events that tell them apart may still have been coming in; the next marks decide.
 * @internal
 */
export type PrintOrder = 'equal' | 'greater' | 'less' | 'pending';

/**
 * The order of the prints `theirs` against `mine`. They are compared at the newest mark of
 * theirs at or before `upTo` (the newest mark this peer sent that neighbour, so both sides of a
 * link compare at the same mark) that `mine` also has. When they differ there, the order is read
 * at the newest such mark after `openMark` (this peer's newest mark when the link opened): a
 * history's print at a mark never changes, and past the marks the link opened at, the events
 * only one side settled are all before the mark, so every pair of peers of the two histories
 * reads the same order.
 * @internal
 */
export function printOrder(
  mine: readonly FrontierPrint[],
  theirs: readonly FrontierPrint[],
  upTo = Number.POSITIVE_INFINITY,
  openMark = Number.NEGATIVE_INFINITY,
): PrintOrder {
  let differ = false;
  for (let i = theirs.length - 1; i >= 0; i--) {
    const t = theirs[i]!;
    if (t.tick > upTo) continue;
    const m = printAt(mine, t.tick);
    if (m === undefined) continue;
    if (t.count === m.count && t.digest === m.digest) return differ ? 'pending' : 'equal';
    if (t.tick > openMark) {
      if (t.count !== m.count) return t.count > m.count ? 'greater' : 'less';
      return t.digest > m.digest ? 'greater' : 'less';
    }
    differ = true;
  }
  return differ ? 'pending' : 'equal';
}

function printAt(prints: readonly FrontierPrint[], tick: number): FrontierPrint | undefined {
  for (let j = prints.length - 1; j >= 0; j--) if (prints[j]!.tick === tick) return prints[j];
  return undefined;
}

/** What ranking reads of this peer's history. @internal */
export interface OwnHistory {
  /** The sources this peer knows of. */
  readonly sources: Iterable<string>;
  /** The seqs of `source` its history holds, as `[from, to]` pairs. */
  mine(source: string): number[];
}

/**
 * `true` when `remote` announced holding every event `own` holds and its prints agree with ours
 * (`order` `'equal'`: equal, or nothing to compare).
 * @internal
 */
export function dominates(remote: RemoteFrontier, own: OwnHistory, order: PrintOrder): boolean {
  if (order !== 'equal') return false;
  for (const source of own.sources) if (!covers(claimOf(remote, source), own.mine(source))) return false;
  return true;
}

/**
 * The order of what `remote`'s frontier lists against what `own` holds: positive when it lists
 * more events (or as many, and the larger frontier source by source), negative when fewer, 0
 * when they list the same.
 * @internal
 */
export function compareListed(remote: RemoteFrontier, own: OwnHistory): number {
  const sources = [...new Set([...remote.holds.keys(), ...own.sources])].sort();
  let other = 0;
  let mine = 0;
  for (const source of sources) {
    other += rangeCount(claimOf(remote, source));
    mine += rangeCount(own.mine(source));
  }
  if (other !== mine) return other > mine ? 1 : -1;
  for (const source of sources) {
    const order = compareRanges(claimOf(remote, source), own.mine(source));
    if (order !== 0) return order > 0 ? 1 : -1;
  }
  return 0;
}

/**
 * `true` when `remote`'s history outranks `own` (see the module comment): the prints agree (or
 * cannot be compared) and it lists every event ours does; or it lists more events, or as many
 * and the larger frontier source by source; or it lists the same and its print is the greater.
 * @internal
 */
export function outranks(remote: RemoteFrontier, own: OwnHistory, order: PrintOrder): boolean {
  if (dominates(remote, own, order)) return true;
  const listed = compareListed(remote, own);
  return listed !== 0 ? listed > 0 : order === 'greater';
}
