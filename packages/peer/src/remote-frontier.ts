/**
 * What one neighbour is known to hold (its announced frontier, kept per link), and the pure
 * readers repair and re-basing share: what it claims of a source, whether it claims one event.
 * @internal
 */
import type { FrontierPrint, IdRegistry } from '@symmetric/codec';
import { claimRanges, rangeHas } from './seq-ranges.js';
import { type HoldsTable, SourceSeqs } from './source-seqs.js';

/** What one neighbour is known to hold. @internal */
export interface RemoteFrontier {
  /** Highest contiguous seq per source the neighbour is known to hold (slots shared by all links). */
  readonly holds: SourceSeqs;
  /** Per source, the seqs past holes above `holds` its frontier claims (`[from, to]` pairs). */
  readonly above: Map<string, readonly number[]>;
  /** The prints of its history it sent (its last frontier's, and the prints frames since), oldest first. */
  prints: readonly FrontierPrint[];
  /** The newest mark of the prints this peer sent it (Infinity before any frontier, -Infinity: none yet). */
  sentMark: number;
  /** The last order of its prints against ours, and what it was read on (see PrintExchange.order). */
  printOrder?: {
    readonly theirs: readonly FrontierPrint[];
    readonly mine: readonly FrontierPrint[];
    readonly length: number;
    /** Our oldest and newest print then (the objects: a print is never changed in place). */
    readonly first: FrontierPrint | undefined;
    readonly last: FrontierPrint | undefined;
    readonly order: 'equal' | 'greater' | 'less';
    /** The count of base changes of our history then (see `Driver.bases`): our prints change only with it. */
    readonly bases: number;
  };
  /** Its frontier arrived at least once. */
  received: boolean;
  /** A SEQ_CONFLICT about this incarnation's source was reported for this link. */
  conflictReported: boolean;
}

/**
 * What a neighbour is known to hold before its first frontier: nothing, over the peer's source
 * `slots` (the codec's registry; its seqs in a column of `table`, the links' shared one, when given); no prints sent to it yet. @internal
 */
export function newRemoteFrontier(slots: IdRegistry, table?: HoldsTable): RemoteFrontier {
  return {
    holds: new SourceSeqs(slots, table),
    above: new Map(),
    prints: [],
    sentMark: Number.POSITIVE_INFINITY,
    received: false,
    conflictReported: false,
  };
}

/** What `remote`'s frontier claims of `source`, as `[from, to]` pairs. @internal */
export function claimOf(remote: RemoteFrontier, source: string): number[] {
  return claimRanges(remote.holds.get(source) ?? 0, remote.above.get(source));
}

/** `true` when `remote`'s frontier claims `source#seq`. @internal */
export function claims(remote: RemoteFrontier, source: string, seq: number): boolean {
  return (remote.holds.get(source) ?? 0) >= seq || rangeHas(remote.above.get(source) ?? [], seq);
}
