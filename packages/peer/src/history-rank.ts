/**
 * Ranking two histories: which one a peer re-bases on when they cannot be merged event by event
 * (each settled events the other lacks). The order is read on the histories' prints (see core's
 * `Timeline.prints`): at the oldest mark both kept where they differ, the history that folded
 * more events before it ranks higher, ties going to the larger digest. A history's print at a
 * mark never changes, so two histories compare at the same mark however long each was kept, on
 * whichever peers of each; the order is the lexicographic order of their prints, one total order
 * every pair of peers reads the same, so the whole room ends on one history and no peer re-bases
 * back. Histories that print the same at every mark both kept are ranked on what their frontiers
 * list (one holding every event the other holds), or not yet: their next marks tell them apart.
 * @internal
 */
import type { FrontierPrint } from '@symmetric/codec';
import { claimOf, type RemoteFrontier } from './remote-frontier.js';
import { covers } from './seq-ranges.js';

/**
 * How two histories' prints compare (see {@link printOrder}): `'equal'` (the same at every mark
 * both kept, or no mark in common), `'greater'` / `'less'` (theirs against ours, at the oldest
 * mark both kept where they differ).
 * @internal
 */
export type PrintOrder = 'equal' | 'greater' | 'less';

/**
 * The order of the prints `theirs` against `mine` (each oldest first): read at the oldest mark
 * both have where they differ, on the count of events folded before it, then on the digest.
 * @internal
 */
export function printOrder(mine: readonly FrontierPrint[], theirs: readonly FrontierPrint[]): PrintOrder {
  let i = 0;
  let j = 0;
  while (i < mine.length && j < theirs.length) {
    const m = mine[i]!;
    const t = theirs[j]!;
    if (m.tick < t.tick) i++;
    else if (t.tick < m.tick) j++;
    else {
      if (t.count !== m.count) return t.count > m.count ? 'greater' : 'less';
      if (t.digest !== m.digest) return t.digest > m.digest ? 'greater' : 'less';
      i++;
      j++;
    }
  }
  return 'equal';
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
 * (`order` `'equal'`).
 * @internal
 */
export function dominates(remote: RemoteFrontier, own: OwnHistory, order: PrintOrder): boolean {
  if (order !== 'equal') return false;
  for (const source of own.sources) if (!covers(claimOf(remote, source), own.mine(source))) return false;
  return true;
}

/**
 * `true` when `remote`'s history outranks `own` (see the module comment): its prints are the
 * greater, or they agree and it lists every event ours does.
 * @internal
 */
export function outranks(remote: RemoteFrontier, own: OwnHistory, order: PrintOrder): boolean {
  return order === 'greater' || dominates(remote, own, order);
}
