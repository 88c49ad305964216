/**
 * Checks of a snapshot received from one neighbour before it is adopted: its size while it
 * arrives, its tick against the clock (a claim of the room's time, weighed like a SYNC's), and
 * its frontier against what this peer and its other neighbours know. A frontier
 * is a claim, not a fact: a snapshot whose frontier says it covers events nobody else vouches
 * for would mark those events as held (and lost) everywhere it spreads, so it is refused and its
 * sender cut (`SNAPSHOT`). A snapshot's state cannot be checked before any neighbour has hashed a
 * tick after it: it is adopted on probation, and the hashes of the first settled ticks simulated
 * from it are weighed against the other neighbours' reports ({@link stateContradiction}); a
 * contradicted snapshot is refused, its sender cut, and another neighbour's snapshot taken.
 * @internal
 */
import type { Clock } from '@symmetric/clock-sync';
import type { SnapshotChunkFrame } from '@symmetric/codec';
import type { Quotas } from './quotas.js';

/** What is wrong with a snapshot transfer's size at this chunk, or `undefined`. @internal */
export function snapshotSizeProblem(
  f: SnapshotChunkFrame,
  bytesSoFar: number,
  quotas: Pick<Quotas, 'maxSnapshotBytes' | 'maxSnapshotChunks'>,
): string | undefined {
  if (f.count > quotas.maxSnapshotChunks)
    return `snapshot declares ${f.count} chunks (at most ${quotas.maxSnapshotChunks})`;
  if (bytesSoFar + f.data.length > quotas.maxSnapshotBytes)
    return `snapshot exceeds ${quotas.maxSnapshotBytes} bytes`;
  return undefined;
}

/**
 * What is wrong with a snapshot's `tick` from link `link`, or `undefined`: its tick claims the
 * room's clock is at least there, and a claim the clock would refuse from that link's SYNC (far
 * ahead, and contradicted: see `Clock.refutes`) would set a joiner's clock through the snapshot.
 * @internal
 */
export function snapshotTickProblem(
  clock: Pick<Clock, 'refutes'>,
  link: string,
  tick: number,
  now: number,
): string | undefined {
  try {
    if (!clock.refutes(link, tick, now)) return undefined;
  } catch {
    return undefined;
  }
  return `snapshot at tick ${tick}, far ahead of the room's clock, and contradicted`;
}

/** What the frontier check compares a snapshot's frontier with. @internal */
export interface FrontierWitnesses {
  /**
   * Highest seq of `source` this peer vouches for (0 when none): its contiguous known ids, or
   * its timeline's frontier when higher (compaction folded those seqs or gave them up).
   */
  own(source: string): number;
  /** What each other neighbour that vouches (a non-empty frontier) announced it holds. */
  readonly others: readonly ReadonlyMap<string, number>[];
}

/**
 * The verdict on a snapshot's frontier: what is wrong with it, and whether there was anything
 * to check it against (`checked: false`: no other neighbour vouches yet). With other neighbours that vouch,
 * every listed seq must be within what this peer holds or one of them announced (plus
 * `slackSeqs` for events still in flight), and at most `maxNewSources` sources may be unknown
 * to all of them. With no other neighbour to compare with, the claim cannot be checked and is
 * taken. @internal
 */
export function snapshotVerdict(
  frontier: readonly (readonly [string, number])[],
  witnesses: FrontierWitnesses,
  slackSeqs: number,
  maxNewSources: number,
): { readonly problem: string | undefined; readonly checked: boolean } {
  if (witnesses.others.length === 0) return { problem: undefined, checked: false };
  return { problem: frontierProblem(frontier, witnesses, slackSeqs, maxNewSources), checked: true };
}

function frontierProblem(
  frontier: readonly (readonly [string, number])[],
  witnesses: FrontierWitnesses,
  slackSeqs: number,
  maxNewSources: number,
): string | undefined {
  let unknown = 0;
  for (const [source, seq] of frontier) {
    let vouched = witnesses.own(source);
    let known = vouched > 0;
    for (const o of witnesses.others) {
      const s = o.get(source);
      if (s === undefined) continue;
      known = true;
      if (s > vouched) vouched = s;
    }
    if (!known) {
      if (++unknown > maxNewSources)
        return `snapshot lists more than ${maxNewSources} sources nobody else knows`;
      if (seq > slackSeqs) return `snapshot claims ${source}#${seq}, a source nobody else knows`;
      continue;
    }
    if (seq > vouched + slackSeqs)
      return `snapshot claims ${source}#${seq}; this peer and its other neighbours vouch for #${vouched}`;
  }
  return undefined;
}

/**
 * The verdict on an adopted snapshot's state at a settled tick after it, from the hash reports of
 * that tick: `mine` (this peer's hash, simulated from the snapshot), `sender` (the hash its sender
 * reported, if any) and `others` (what each other neighbour reported). The snapshot is
 * contradicted when more other neighbours agree on one other hash than report ours, and either
 * two or more of them agree on it or the sender itself does not back our hash (a sender that
 * simulates its own snapshot reports our hash, and it reports first: desync.ts gives it ours only
 * then, so an echo backs nothing; one honest neighbour against a sender that simulates its own
 * forged state is one word against another, left to the `desync` report). Returns the problem,
 * or `undefined`.
 * @internal
 */
export function stateContradiction(
  tick: number,
  mine: string,
  sender: string | undefined,
  others: Iterable<string>,
): string | undefined {
  let support = 0;
  const against = new Map<string, number>();
  for (const h of others) {
    if (h === mine) support++;
    else against.set(h, (against.get(h) ?? 0) + 1);
  }
  let best = 0;
  for (const n of against.values()) if (n > best) best = n;
  if (best <= support || (best < 2 && sender === mine)) return undefined;
  return `its state hashes to ${mine} at tick ${tick}; ${best} other neighbour(s) report another hash, ${support} report it`;
}
