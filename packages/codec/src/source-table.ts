/**
 * The per-link, per-direction peer-id table (internal). The encoder and the decoder of one link
 * direction each hold one and apply the same rule to the same sequence of `peer` fields, so both
 * tables stay equal (see PROTOCOL.md, "Peer-id interning"): at most {@link SOURCE_TABLE_SIZE}
 * entries; a definition takes the next index while the table has room, and the index of the least
 * recently used entry once it is full; every reference or definition makes its entry the most
 * recently used.
 *
 * Changes made while a frame is encoded or decoded are journaled, so a frame that fails can be
 * undone exactly ({@link SourceTable.rollback}).
 *
 * Entries name their ids by slots of the codec's {@link IdRegistry} (shared by every link of a
 * peer): an entry costs a few bytes, and an id named on every link is held once.
 */
import { CodecError } from './errors.js';
import { IdRegistry } from './id-registry.js';
import { SOURCE_TABLE_SIZE } from './limits.js';

/** No entry (a list end); entry indexes stay below it (at most 65,535 entries). */
const NONE = 0xffff;
/** The longest journal kept from one frame to the next: 64 changes (three numbers each). */
const KEPT_JOURNAL = 192;
/** Journal entry kinds. */
const APPEND = 0;
const TOUCH = 1;
const REPLACE = 2;

/** One direction's peer-id table (see the module comment). */
export class SourceTable {
  /** Entries held. */
  private count = 0;
  /** Registry slot of entry `i`'s id: 2 bytes each until a slot needs more (above 65,535), 4 then. */
  private slots: Uint16Array | Int32Array = new Uint16Array(0);
  /** Entry index + 1 of each registry slot (encoder side only: the decoder never looks an id up). */
  private indexBySlot: Uint16Array | undefined;
  // Recency list, doubly linked through entry indexes: head is the most
  // recently used entry, tail the least.
  private prev = new Uint16Array(0);
  private next = new Uint16Array(0);
  private head = NONE;
  private tail = NONE;
  // Journal of the frame in progress: `logLength / 3` triples (kind, index, aux) and the ids
  // replacements evicted (the arrays keep their storage from frame to frame).
  private log = new Int32Array(48);
  private logLength = 0;
  private readonly evicted: string[] = [];
  private evictedLength = 0;
  /** Registry slot of the id the last {@link lookup} missed (−1: none, or no table held it). */
  private missed = -1;

  /**
   * @param withIndex look ids up (the encoder's side)
   * @param capacity most entries ({@link SOURCE_TABLE_SIZE}; tests use less)
   * @param registry the slots of the ids (shared by the tables of one codec; a fresh one by default)
   */
  constructor(
    withIndex: boolean,
    private readonly capacity = SOURCE_TABLE_SIZE,
    private readonly registry = new IdRegistry(),
  ) {
    if (!(capacity >= 1 && capacity < NONE)) {
      throw new CodecError('OUT_OF_RANGE', `id table capacity ${capacity} not in 1..65534`);
    }
    this.indexBySlot = withIndex ? new Uint16Array(0) : undefined;
  }

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  /** Entry `i`'s id, by index (tests and diagnostics). */
  get ids(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.registry.id(this.slots[i]!));
    return out;
  }

  /** Start a frame: later changes can be undone by {@link rollback} until the next `begin`. */
  begin(): void {
    this.logLength = 0;
    // Not kept after a big frame (a frontier naming every source): a link keeps its table for
    // its whole life, so a kept journal would follow the most ids one frame ever named.
    if (this.log.length > KEPT_JOURNAL) this.log = new Int32Array(48);
    for (let k = 0; k < this.evictedLength; k++) this.evicted[k] = '';
    this.evictedLength = 0;
  }

  /** The index of `id` (used by this reference), or −1 when it is not in the table. */
  lookup(id: string): number {
    const slot = this.registry.slotOf(id);
    const bySlot = this.indexBySlot!;
    if (slot < 0 || slot >= bySlot.length || bySlot[slot] === 0) {
      this.missed = slot; // the define that follows takes it without looking the id up again
      return -1;
    }
    const i = bySlot[slot]! - 1;
    this.touch(i);
    return i;
  }

  /** The id at `index` (used by this reference), or `undefined` when no entry has that index. */
  at(index: number): string | undefined {
    if (index >= this.count) return undefined;
    this.touch(index);
    return this.registry.id(this.slots[index]!);
  }

  /**
   * A definition of `id`: the next index, or the least recently used one when the table is full.
   * Returns the id as the registry holds it (one string per id for all the codec's links).
   */
  define(id: string): string {
    const n = this.count;
    if (n < this.capacity) {
      this.grow(n + 1);
      this.count = n + 1;
      this.hold(n, id);
      this.pushHead(n);
      this.journal(APPEND, n, 0);
      return this.registry.id(this.slots[n]!);
    }
    const i = this.tail;
    this.evicted[this.evictedLength++] = this.registry.id(this.slots[i]!);
    this.journal(REPLACE, i, 0);
    this.letGo(i);
    this.hold(i, id);
    this.unlink(i);
    this.pushHead(i);
    return this.registry.id(this.slots[i]!);
  }

  /** Give back every id held (the link closed); the table is empty afterwards. */
  dispose(): void {
    for (let i = 0; i < this.count; i++) this.letGo(i);
    this.count = 0;
    this.head = NONE;
    this.tail = NONE;
    this.logLength = 0;
  }

  /** Entry `i` holds `id`. */
  private hold(i: number, id: string): void {
    const missed = this.missed;
    this.missed = -1;
    const registry = this.registry;
    const slot = missed >= 0 && registry.id(missed) === id ? registry.retain(missed) : registry.acquire(id);
    if (slot > 0xffff && this.slots instanceof Uint16Array) this.slots = Int32Array.from(this.slots);
    this.slots[i] = slot;
    let bySlot = this.indexBySlot;
    if (bySlot === undefined) return;
    if (slot >= bySlot.length) {
      const grown = new Uint16Array(Math.max(64, this.registry.capacity, Math.ceil(bySlot.length * 1.25)));
      grown.set(bySlot);
      this.indexBySlot = bySlot = grown;
    }
    bySlot[slot] = i + 1;
  }

  /** Entry `i` lets go of its id. */
  private letGo(i: number): void {
    const slot = this.slots[i]!;
    if (this.indexBySlot !== undefined) this.indexBySlot[slot] = 0;
    this.registry.release(slot);
  }

  /** Undo every change since {@link begin}, newest first. */
  rollback(): void {
    const log = this.log;
    for (let k = this.logLength - 3; k >= 0; k -= 3) {
      const kind = log[k]!;
      const i = log[k + 1]!;
      if (kind === APPEND) {
        this.unlink(i);
        this.letGo(i);
        this.count = i;
      } else if (kind === TOUCH) {
        // `i` was moved to the head from behind `aux`: put it back there.
        this.unlink(i);
        this.insertAfter(log[k + 2]!, i);
      } else {
        // A replacement took the tail's index and moved it to the head.
        this.unlink(i);
        this.letGo(i);
        this.hold(i, this.evicted[--this.evictedLength]!);
        this.insertAfter(this.tail, i);
      }
    }
    this.begin();
  }

  /** Make entry `i` the most recently used. */
  private touch(i: number): void {
    if (i === this.head) return;
    this.journal(TOUCH, i, this.prev[i]!);
    this.unlink(i);
    this.pushHead(i);
  }

  private journal(kind: number, i: number, aux: number): void {
    let log = this.log;
    const k = this.logLength;
    if (k + 3 > log.length) {
      log = new Int32Array(log.length * 2);
      log.set(this.log);
      this.log = log;
    }
    log[k] = kind;
    log[k + 1] = i;
    log[k + 2] = aux;
    this.logLength = k + 3;
  }

  private grow(n: number): void {
    if (n <= this.prev.length) return;
    let size = Math.max(32, Math.ceil(this.prev.length * 1.5));
    while (size < n) size = Math.ceil(size * 1.5);
    size = Math.min(size, this.capacity);
    const prev = new Uint16Array(size);
    const next = new Uint16Array(size);
    const slots = this.slots instanceof Uint16Array ? new Uint16Array(size) : new Int32Array(size);
    prev.set(this.prev);
    next.set(this.next);
    slots.set(this.slots);
    this.prev = prev;
    this.next = next;
    this.slots = slots;
  }

  private unlink(i: number): void {
    const p = this.prev[i]!;
    const q = this.next[i]!;
    if (p === NONE) this.head = q;
    else this.next[p] = q;
    if (q === NONE) this.tail = p;
    else this.prev[q] = p;
  }

  private pushHead(i: number): void {
    this.prev[i] = NONE;
    this.next[i] = this.head;
    if (this.head === NONE) this.tail = i;
    else this.prev[this.head] = i;
    this.head = i;
  }

  /** Insert `i` right behind entry `p` (at the tail when `p` is the tail, at the head when none). */
  private insertAfter(p: number, i: number): void {
    if (p === NONE) {
      this.pushHead(i);
      return;
    }
    const q = this.next[p]!;
    this.prev[i] = p;
    this.next[i] = q;
    this.next[p] = i;
    if (q === NONE) this.tail = i;
    else this.prev[q] = i;
  }

  /** Ids from most to least recently used (tests and diagnostics). */
  recency(): string[] {
    const out: string[] = [];
    for (let i = this.head; i !== NONE; i = this.next[i]!) out.push(this.registry.id(this.slots[i]!));
    return out;
  }
}
