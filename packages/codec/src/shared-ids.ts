/**
 * One string per id for the whole process: the {@link IdRegistry} of every codec (every peer
 * of a process: a simulator's thousands, a server's few) holds the same string for an id, so an
 * id every peer names costs its bytes once, not once per peer. Counted per registry holding it
 * and dropped when the last lets go, so the table follows the ids in use.
 * @internal
 */

interface Shared {
  readonly id: string;
  holders: number;
}

const shared = new Map<string, Shared>();

/** One more registry holds `id`: the process's string for it (made from `id` when none holds it). @internal */
export function holdSharedId(id: string): string {
  const s = shared.get(id);
  if (s !== undefined) {
    s.holders++;
    return s.id;
  }
  shared.set(id, { id, holders: 1 });
  return id;
}

/** A registry let go of `id` (one it holds): the entry goes with the last holder. @internal */
export function releaseSharedId(id: string): void {
  const s = shared.get(id);
  if (s !== undefined && --s.holders <= 0) shared.delete(id);
}

/** Ids held by some registry of this process (tests and diagnostics). @internal */
export function sharedIdCount(): number {
  return shared.size;
}
