/**
 * Forgetting sources gone for {@link FORGET_HORIZONS} horizons. The timeline decides which (its
 * rule depends only on its base tick and the folded events, so every peer forgets the same
 * sources at the same base tick); this drops what the rest of the peer holds per source: known
 * ids (a tombstone is kept until a horizon or more after the timeline lets go of the source),
 * what neighbours announced of it and gap state, and the cached signing key. The peer's own
 * source is never forgotten here.
 * @internal
 */
import type { Timeline } from '@symmetric/core';
import type { PeerContext } from './context.js';
import { peerIdOf } from './identity.js';
import { KEPT_OWN_HORIZONS } from './offline.js';
import type { Repair } from './repair.js';

/**
 * A source is forgotten this many horizons after its newest event (at the base, which trails the
 * network's time by a horizon): its known ids, what neighbours announced of it, its gap state and
 * cached key go, and frontiers stop listing it. Until then a peer keeps a little state per source
 * (its frontier, what neighbours announced of it): in a room with churn, memory grows for this
 * long and then stays level. Two sides of a partition longer than this no longer list the sources
 * only one side held: they are ranked and healed on their prints (history-rank.ts), which do not
 * depend on what either side forgot. The offline merge keeps own events longer (offline.ts), so the
 * timeline keeps a forgotten source's folded frontier in its base as one entry until that age
 * (`keepForgottenFor`): a group cut off together merges back each event once.
 */
export const FORGET_HORIZONS = 1;

/**
 * Per peer (its known ids), the number of known sources and the base's horizon when replaced
 * incarnations were last looked for.
 */
const checkedAt = new WeakMap<object, { readonly size: number; readonly era: number }>();

/**
 * After a compaction of `timeline` (base now at `baseTick`): forget in the rest of the peer the
 * sources it forgot, and the ids it never stored (refused as settled) of sources nothing was
 * heard of for the forget age; drop tombstones two horizons or more past their forgetting.
 * @internal
 */
export function forgetSources<S, E>(
  ctx: PeerContext<S, E>,
  repair: Pick<Repair<S, E>, 'forget' | 'forgetOwn'>,
  timeline: Timeline<S, E>,
  baseTick: number,
): void {
  const gone = timeline.drainForgotten();
  const horizon = ctx.options.horizonTicks;
  if (horizon === undefined) return;
  const forgetAfter = FORGET_HORIZONS * horizon;
  const known = ctx.eventIds;
  const forget = (source: string): void => {
    if (known.knows(source)) return;
    repair.forget(source);
  };
  // The peer's own seqs stay known (it is never forgotten here); a forgotten source's known ids
  // go, those it refused as settled (known, not held) with them.
  for (const [source, seq, lastTick] of gone) {
    if (source === ctx.source) {
      repair.forgetOwn(seq);
      continue;
    }
    known.forget(source, seq, lastTick);
    forget(source);
  }
  // An incarnation that a newer one of the same peer replaced never comes back (a peer that
  // restarts with its store continues as the same source): what the timeline keeps of it for an
  // offline merge goes at once, and its tombstone a horizon after its forgetting (by then every
  // neighbour whose base follows the room's time forgot it too), not two or three.
  const era = Math.floor(baseTick / horizon);
  const check = checkedAt.get(known);
  if (
    (timeline.forgottenKept > 0 && (gone.length > 0 || known.size !== check?.size)) ||
    (known.tombstones.size > 0 && era !== check?.era)
  ) {
    checkedAt.set(known, { size: known.size, era });
    const live = new Set<string>();
    for (let s = known.first(); s >= 0; s = known.after(s)) live.add(peerIdOf(known.idAt(s)));
    const replaced = (source: string): boolean => live.has(peerIdOf(source));
    if (timeline.forgottenKept > 0) timeline.dropForgotten(replaced);
    known.expire((era - 1) * horizon - forgetAfter, replaced);
  }
  const before = known.tombstones.size;
  const forgetMs = (forgetAfter * 1000) / ctx.options.fps;
  known.sweep(
    ctx.now() - forgetMs,
    (source) => source === ctx.source || timeline.maxSeq(source) > 0,
    baseTick - forgetAfter,
  );
  if (known.tombstones.size !== before) for (const source of known.tombstones.keys()) forget(source);
  // A tombstone outlives what the timeline keeps of its source (the folded frontier, for the
  // offline merge: KEPT_OWN_HORIZONS horizons from its newest event) by a horizon or more. A source
  // that comes back while the timeline still lists it is restored there at that frontier, so its
  // known ids must start there too: known from 0 instead, its old seqs would be a gap this peer
  // requests and every neighbour announces and cannot send, which re-bases peers over and over
  // in a room whose sources are quiet for more than a few horizons. Tombstones expire at whole
  // horizons of the base, so peers whose bases differ by a compaction period agree but for one period.
  known.expire(Math.floor(baseTick / horizon - KEPT_OWN_HORIZONS - 1) * horizon - forgetAfter);
}
