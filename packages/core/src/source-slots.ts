/**
 * Source slots: dense small integers naming source ids, counted per holder, which a timeline's
 * per-source log indexes its columns by ({@link TimelineOptions.sourceSlots}). A timeline used
 * alone makes its own {@link SourceSlotMap}; a host with a registry of its sources already (the
 * peer runtime: its codec's, which its per-link tables and known ids index by) passes that one,
 * so the log keeps no map from source to slot of its own and a source costs it only its cells.
 */
import { TimelineError } from './errors.js';
import type { TimelineOptions } from './timeline-types.js';

/**
 * A registry of source slots shared by the tables of one host (see the module comment). A slot
 * is held per table entry ({@link acquire}) and given back when the last holder lets go
 * ({@link release}); a slot given back may be handed out again for another id.
 */
export interface SourceSlots {
  /** Slots ever made: every slot handed out is below it (the length of arrays indexed by slot). */
  readonly capacity: number;
  /** The slot of `id` while some holder holds it, else −1. */
  slotOf(id: string): number;
  /** The id in `slot` (a slot some holder holds). */
  id(slot: number): string;
  /** One more holder holds `id`: its slot (made when none holds it yet). */
  acquire(id: string): number;
  /** A holder let go of `slot`: given back when it was the last. */
  release(slot: number): void;
}

/**
 * The default {@link SourceSlots}: a map from id to slot, the id in each slot and a count of
 * holders per slot (about 28 bytes a map entry, 8 a slot's id and 4 its count).
 */
export class SourceSlotMap implements SourceSlots {
  /** Slot of each held id. */
  private readonly slots = new Map<string, number>();
  /** The id in each slot (undefined once given back). */
  private readonly ids: (string | undefined)[] = [];
  /** Holders of each slot. */
  private refs = new Int32Array(16);
  /** Slots given back, reused before new ones. */
  private readonly free: number[] = [];

  /** Slots ever made. */
  get capacity(): number {
    return this.ids.length;
  }

  /** Ids held. */
  get size(): number {
    return this.slots.size;
  }

  /** The slot of `id`, or −1 when none holds it. */
  slotOf(id: string): number {
    return this.slots.get(id) ?? -1;
  }

  /** The id in `slot` ('' when none holds it). */
  id(slot: number): string {
    return this.ids[slot] ?? '';
  }

  /** One more holder holds `id`: its slot. */
  acquire(id: string): number {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.ids.length;
      if (slot === this.ids.length) {
        this.ids.push(id);
        if (slot >= this.refs.length) {
          const refs = new Int32Array(this.refs.length * 2);
          refs.set(this.refs);
          this.refs = refs;
        }
      } else this.ids[slot] = id;
      this.slots.set(id, slot);
    }
    this.refs[slot]!++;
    return slot;
  }

  /** A holder let go of `slot`: given back when it was the last. */
  release(slot: number): void {
    if (--this.refs[slot]! > 0) return;
    this.slots.delete(this.ids[slot]!);
    this.ids[slot] = undefined;
    this.free.push(slot);
  }
}

/**
 * The registry `options` name ({@link TimelineOptions.sourceSlots}), checked to have the methods a
 * {@link SourceSlots} has (`BAD_OPTION` when not), or a new {@link SourceSlotMap}. @internal
 */
export function sourceSlotsOption(value: TimelineOptions['sourceSlots']): SourceSlots {
  if (value === undefined) return new SourceSlotMap();
  const v = value as Partial<Record<keyof SourceSlots, unknown>> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.capacity !== 'number' ||
    typeof v.slotOf !== 'function' ||
    typeof v.id !== 'function' ||
    typeof v.acquire !== 'function' ||
    typeof v.release !== 'function'
  ) {
    throw new TimelineError('BAD_OPTION', 'sourceSlots must have capacity, slotOf, id, acquire and release');
  }
  return value;
}
