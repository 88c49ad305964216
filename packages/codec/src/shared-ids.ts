/**
 * One string per id for the whole process: the {@link IdRegistry} of every codec (every peer
 * of a process: a simulator's thousands, a server's few) holds the same string for an id, so an
 * id every peer names costs its bytes once, not once per peer. Each id held also has a small
 * number of the process's (dense, reused once free), which a registry looks its slot up by
 * (an integer key in a table of its own instead of a string key in a map per registry).
 * Counted per registry holding it and dropped when the last lets go, so the table follows the
 * ids in use.
 * @internal
 */

/** An id some registry of this process holds: its one string, its number, its holders. @internal */
export interface SharedId {
  readonly id: string;
  /** The id's number in this process (from 0; a number given back is reused). */
  readonly index: number;
  holders: number;
}

const shared = new Map<string, SharedId>();
/** Numbers given back, reused before new ones. */
const freeIndexes: number[] = [];
let nextIndex = 0;

/** The process's entry of `id`, if some registry holds it. @internal */
export function sharedIdOf(id: string): SharedId | undefined {
  return shared.get(id);
}

/**
 * One more registry holds `id`: the process's entry for it (made from `id` when none holds it).
 * `known` is what {@link sharedIdOf} says of `id` (the caller has just asked).
 * @internal
 */
export function holdSharedId(id: string, known: SharedId | undefined): SharedId {
  const s = known;
  if (s !== undefined) {
    s.holders++;
    return s;
  }
  const made: SharedId = { id, index: freeIndexes.pop() ?? nextIndex++, holders: 1 };
  shared.set(id, made);
  return made;
}

/** A registry let go of `s` (an entry it holds): the entry and its number go with the last holder. @internal */
export function releaseSharedId(s: SharedId): void {
  if (--s.holders > 0) return;
  shared.delete(s.id);
  freeIndexes.push(s.index);
}

/** Ids held by some registry of this process (tests and diagnostics). @internal */
export function sharedIdCount(): number {
  return shared.size;
}
