/**
 * The ids interned by the tables of one codec. Every encoder and decoder a codec hands
 * out (all the links of one peer) names its table entries by a slot of this registry, so an id
 * named on every link is one entry, and a table costs a few bytes per entry.
 * A slot is counted per table entry that holds it and given back when the last one lets go.
 * The string kept is the process's one for that id (`shared-ids.ts`): every codec of a process
 * holds the same, and the registry finds an id's slot by the process's number of the id, in a
 * {@link SlotIndex}: an array indexed by that number (2 bytes a number) while the registry holds
 * a good share of the numbers below its highest, an integer hash table otherwise, instead of a
 * map keyed by strings.
 */

import { holdSharedId, releaseSharedId, type SharedId, sharedIdOf } from './shared-ids.js';
import { SlotIndex } from './slot-index.js';

/**
 * Dense slots of interned ids, counted per holder and given back when the last lets go: one
 * codec's tables name their entries by them, and the peer's per-link tables of what each
 * neighbour holds and its known event ids share one for its sources.
 */
export class IdRegistry {
  /**
   * The id in each slot, the process's string of it (undefined once given back): read straight
   * from here, not through the process's entry, since every reference to an id asks for it.
   */
  private readonly ids: (string | undefined)[] = [];
  /** Slot of each held id, by its process number. */
  private readonly slots = new SlotIndex();
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
    return this.ids.length;
  }

  /** Ids held. */
  get size(): number {
    return this.slots.size;
  }

  /** The slot of `id`, or −1 when no table holds it. */
  slotOf(id: string): number {
    if (id === this.lastId) return this.lastSlot;
    const s = sharedIdOf(id);
    if (s === undefined) return -1;
    const slot = this.slots.get(s.index);
    if (slot >= 0) {
      this.lastId = id;
      this.lastSlot = slot;
    }
    return slot;
  }

  /** The id in `slot` (a slot some table holds); the next {@link slotOf} of it needs no lookup. */
  id(slot: number): string {
    const id = this.ids[slot];
    if (id === undefined) return '';
    this.lastId = id;
    this.lastSlot = slot;
    return id;
  }

  /** One more table entry holds `id`: its slot (made when none holds it yet). */
  acquire(id: string): number {
    let slot: number;
    if (id === this.lastId) slot = this.lastSlot;
    else {
      // One look-up in the process's ids serves both questions: held here, held anywhere.
      const known = sharedIdOf(id);
      slot = known === undefined ? -1 : this.slots.get(known.index);
      if (slot < 0) {
        const s = holdSharedId(id, known);
        slot = this.add(s);
        id = s.id;
      }
    }
    this.lastId = id;
    this.lastSlot = slot;
    this.refs[slot]!++;
    return slot;
  }

  /** A slot for `s`, an id this registry did not hold (a free one, or a new one). */
  private add(s: SharedId): number {
    let slot = this.free.pop() ?? -1;
    if (slot < 0) {
      slot = this.ids.length;
      this.ids.push(s.id);
      if (slot >= this.refs.length) {
        const refs = new Int32Array(this.refs.length * 2);
        refs.set(this.refs);
        this.refs = refs;
      }
    } else {
      this.ids[slot] = s.id;
    }
    this.slots.add(s.index, slot);
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
    const e = sharedIdOf(this.ids[slot]!)!; // (held: this registry holds it)
    this.slots.delete(e.index);
    releaseSharedId(e);
    this.ids[slot] = undefined;
    this.free.push(slot);
    if (slot === this.lastSlot) this.lastId = undefined; // (its id is no longer here)
  }
}
