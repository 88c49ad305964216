/**
 * The ids interned by the tables of one codec. Every encoder and decoder a codec hands
 * out (all the links of one peer) names its table entries by a slot of this registry, so an id
 * named on every link is one string and one map entry, and a table costs a few bytes per entry.
 * A slot is counted per table entry that holds it and given back when the last one lets go.
 * The string kept is the process's one for that id (`shared-ids.ts`): every codec of a process
 * holds the same.
 */
import { holdSharedId, releaseSharedId } from './shared-ids.js';

/**
 * Dense slots of interned ids, counted per holder and given back when the last lets go: one
 * codec's tables name their entries by them, and the peer's per-link tables of what each
 * neighbour holds share one for its sources.
 */
export class IdRegistry {
  /** Slot of each held id. */
  private readonly slotById = new Map<string, number>();
  /** The id of each slot (`''` once given back). */
  private readonly idOf: string[] = [];
  /** Table entries holding each slot. */
  private refs = new Int32Array(64);
  /** Slots given back, reused before new ones. */
  private readonly free: number[] = [];
  /**
   * The id last found and its slot: an event's source is looked up by several tables in a row
   * (the link it came on, the links it is relayed to), each asking for the same id.
   */
  private lastId: string | undefined = undefined;
  private lastSlot = -1;

  /** Slots ever made (the bound of every slot number, for arrays indexed by slot). */
  get capacity(): number {
    return this.idOf.length;
  }

  /** Ids held. */
  get size(): number {
    return this.slotById.size;
  }

  /** The slot of `id`, or −1 when no table holds it. */
  slotOf(id: string): number {
    if (id === this.lastId) return this.lastSlot;
    const slot = this.slotById.get(id);
    if (slot === undefined) return -1;
    this.lastId = id;
    this.lastSlot = slot;
    return slot;
  }

  /** The id in `slot` (a slot some table holds); the next {@link slotOf} of it needs no lookup. */
  id(slot: number): string {
    const id = this.idOf[slot]!;
    if (id !== '') {
      this.lastId = id;
      this.lastSlot = slot;
    }
    return id;
  }

  /** One more table entry holds `id`: its slot (made when none holds it yet). */
  acquire(id: string): number {
    let slot = id === this.lastId ? this.lastSlot : this.slotById.get(id);
    if (slot === undefined) {
      id = holdSharedId(id);
      slot = this.free.pop();
      if (slot === undefined) {
        slot = this.idOf.length;
        this.idOf.push(id);
        if (slot >= this.refs.length) {
          const refs = new Int32Array(this.refs.length * 2);
          refs.set(this.refs);
          this.refs = refs;
        }
      } else {
        this.idOf[slot] = id;
      }
      this.slotById.set(id, slot);
    }
    this.lastId = id;
    this.lastSlot = slot;
    this.refs[slot]!++;
    return slot;
  }

  /** One more table entry holds the id in `slot` (a slot some table holds): {@link acquire} without the lookup. */
  retain(slot: number): number {
    this.refs[slot]!++;
    return slot;
  }

  /** A table entry let go of `slot`: the slot is given back when it was the last. */
  release(slot: number): void {
    if (--this.refs[slot]! > 0) return;
    const id = this.idOf[slot]!;
    this.slotById.delete(id);
    releaseSharedId(id);
    this.idOf[slot] = '';
    this.free.push(slot);
    if (slot === this.lastSlot) this.lastId = undefined; // (its id is no longer here)
  }
}
