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
 * Until the table is full nothing is evicted, so recency is kept as a use stamp per entry: a
 * reference rewrites its own entry only (a recency list would rewrite its neighbours' entries
 * too, three more places in memory per reference on every link). The first definition into a
 * full table orders the entries by stamp into the recency list the eviction rule walks; from then
 * on the list is kept. Both keep the same order, so the choice is invisible on the wire.
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
/** Journal storage of a table that has not needed more than its first change per frame. */
const NO_LOG = new Int32Array(0);
/** Journal entry kinds. */
const APPEND = 0;
const TOUCH = 1;
const REPLACE = 2;
/** The table's recency went from stamps to the list (undone by restoring the saved stamps). */
const TO_LIST = 3;
/**
 * Stamps are renumbered 1..n (their order kept) at the start of a frame once the next stamp
 * reaches this: a stamp and a journaled one stay below 2^31, however long the link lives.
 */
const STAMP_LIMIT = 2 ** 30;

/**
 * How a table keeps its entries' recency: `stamps` while it is not full (the numbers of entry
 * `i` at `3i` and `3i + 1` are the high and low 16 bits of its last use's stamp), `list` from
 * the first definition into a full table (they are its neighbours in the recency list).
 */
type Recency = 'stamps' | 'list';

/** One direction's peer-id table (see the module comment). */
export class SourceTable {
  /** Entries held. */
  private count = 0;
  /**
   * The entries, three numbers each, side by side (what one reference reads and writes is in one
   * place, and growing the table is one allocation): at `3i` and `3i + 1` entry `i`'s recency
   * (see {@link Recency}; in the list, doubly linked through entry indexes, head is the most
   * recently used entry, tail the least), at `3i + 2` the registry slot of its id. 2 bytes a
   * number until a slot needs more (above 65,535), 4 then.
   */
  private entries: Uint16Array | Int32Array = new Uint16Array(0);
  /** Entry index + 1 of each registry slot (encoder side only: the decoder never looks an id up). */
  private indexBySlot: Uint16Array | undefined;
  private recencyBy: Recency = 'stamps';
  /**
   * The last stamp given: the most recently used entry's while stamps are kept (after a rollback
   * it may be above every stamp: the order is what counts).
   */
  private clock = 0;
  /**
   * The entries as they were before the frame in progress turned the stamps into the list: a
   * rollback reads their stamps back.
   */
  private stampedEntries: Uint16Array | Int32Array | undefined;
  private head = NONE;
  private tail = NONE;
  // Journal of the frame in progress: its first change (kind, index, aux) in fields of the table
  // (a frame of one event changes the table once, and writes no array), the later ones as
  // `logLength / 3` triples, and the ids replacements evicted (the arrays keep their storage
  // from frame to frame).
  private firstKind = -1;
  private firstIndex = 0;
  private firstAux = 0;
  private log = NO_LOG;
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
    /** Stamps are renumbered at the start of a frame once the next reaches this (tests use less). */
    private readonly stampLimit = STAMP_LIMIT,
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
    for (let i = 0; i < this.count; i++) out.push(this.registry.id(this.entries[3 * i + 2]!));
    return out;
  }

  /** Start a frame: later changes can be undone by {@link rollback} until the next `begin`. */
  begin(): void {
    this.firstKind = -1;
    // Not kept after a big frame (a frontier naming every source): a link keeps its table for
    // its whole life, so a kept journal would follow the most ids one frame ever named.
    if (this.logLength > KEPT_JOURNAL) this.log = new Int32Array(48);
    this.logLength = 0;
    for (let k = 0; k < this.evictedLength; k++) this.evicted[k] = '';
    this.evictedLength = 0;
    this.stampedEntries = undefined;
    if (this.recencyBy === 'stamps' && this.clock >= this.stampLimit) this.renumber();
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
    return this.registry.id(this.entries[3 * index + 2]!);
  }

  /**
   * A definition of `id`: the next index, or the least recently used one when the table is full.
   * Returns the id as the registry holds it (one string per id for all the codec's links).
   */
  define(id: string): string {
    const n = this.count;
    if (n < this.capacity) {
      if (3 * n >= this.entries.length) this.grow(n + 1);
      this.count = n + 1;
      this.hold(n, id);
      if (this.recencyBy === 'stamps') this.stamp(n, ++this.clock);
      else this.pushHead(n);
      this.journal(APPEND, n, 0);
      return this.registry.id(this.entries[3 * n + 2]!);
    }
    if (this.recencyBy === 'stamps') this.toList();
    const i = this.tail;
    this.evicted[this.evictedLength++] = this.registry.id(this.entries[3 * i + 2]!);
    this.journal(REPLACE, i, 0);
    this.letGo(i);
    this.hold(i, id);
    this.unlink(i);
    this.pushHead(i);
    return this.registry.id(this.entries[3 * i + 2]!);
  }

  /** Give back every id held (the link closed); the table is empty afterwards. */
  dispose(): void {
    for (let i = 0; i < this.count; i++) this.letGo(i);
    this.count = 0;
    this.head = NONE;
    this.tail = NONE;
    this.recencyBy = 'stamps';
    this.clock = 0;
    this.stampedEntries = undefined;
    this.firstKind = -1;
    this.logLength = 0;
  }

  /** Entry `i` holds `id`. */
  private hold(i: number, id: string): void {
    const missed = this.missed;
    this.missed = -1;
    const registry = this.registry;
    const slot = missed >= 0 && registry.id(missed) === id ? registry.retain(missed) : registry.acquire(id);
    if (slot > 0xffff && this.entries instanceof Uint16Array) this.widen();
    this.entries[3 * i + 2] = slot;
    let bySlot = this.indexBySlot;
    if (bySlot === undefined) return;
    if (slot >= bySlot.length) {
      // Registry slots are made one at a time: grown by half at least, not copied per new id.
      const grown = new Uint16Array(Math.max(64, this.registry.capacity, Math.ceil(bySlot.length * 1.5)));
      grown.set(bySlot);
      this.indexBySlot = bySlot = grown;
    }
    bySlot[slot] = i + 1;
  }

  /** Entry `i` lets go of its id. */
  private letGo(i: number): void {
    const slot = this.entries[3 * i + 2]!;
    if (this.indexBySlot !== undefined) this.indexBySlot[slot] = 0;
    this.registry.release(slot);
  }

  /** Undo every change since {@link begin}, newest first. */
  rollback(): void {
    const log = this.log;
    for (let k = this.logLength - 3; k >= 0; k -= 3) this.undo(log[k]!, log[k + 1]!, log[k + 2]!);
    if (this.firstKind >= 0) this.undo(this.firstKind, this.firstIndex, this.firstAux);
    this.begin();
  }

  /** Undo one journaled change. */
  private undo(kind: number, i: number, aux: number): void {
    if (kind === APPEND) {
      if (this.recencyBy === 'list') this.unlink(i);
      this.letGo(i);
      this.count = i;
    } else if (kind === TOUCH) {
      if (this.recencyBy === 'stamps') {
        // `aux` was its stamp.
        this.stamp(i, aux);
        return;
      }
      // `i` was moved to the head from behind `aux`: put it back there.
      this.unlink(i);
      this.insertAfter(aux, i);
    } else if (kind === TO_LIST) {
      // Every later change is undone: back to the stamps the entries had when the list was made
      // (the slots are the entries' own: an undone replacement may have held its id anew).
      const e = this.entries;
      const stamped = this.stampedEntries!;
      for (let j = 0; j < this.count; j++) {
        e[3 * j] = stamped[3 * j]!;
        e[3 * j + 1] = stamped[3 * j + 1]!;
      }
      this.stampedEntries = undefined;
      this.recencyBy = 'stamps';
      this.head = NONE;
      this.tail = NONE;
    } else {
      // A replacement took the tail's index and moved it to the head.
      this.unlink(i);
      this.letGo(i);
      this.hold(i, this.evicted[--this.evictedLength]!);
      this.insertAfter(this.tail, i);
    }
  }

  /** Make entry `i` the most recently used. */
  private touch(i: number): void {
    if (this.recencyBy === 'stamps') {
      const e = this.entries;
      const was = e[3 * i]! * 0x10000 + e[3 * i + 1]!;
      if (was === this.clock) return;
      this.journal(TOUCH, i, was);
      const now = ++this.clock;
      e[3 * i] = now >>> 16;
      e[3 * i + 1] = now & 0xffff;
      return;
    }
    if (i === this.head) return;
    this.journal(TOUCH, i, this.entries[3 * i]!);
    this.unlink(i);
    this.pushHead(i);
  }

  /** Entry `i`'s stamp is `s` (below 2^31). */
  private stamp(i: number, s: number): void {
    const e = this.entries;
    e[3 * i] = s >>> 16;
    e[3 * i + 1] = s & 0xffff;
  }

  /** The entries by stamp, least recently used first. */
  private byStamp(): number[] {
    const e = this.entries;
    const order: number[] = [];
    for (let i = 0; i < this.count; i++) order.push(i);
    const at = (i: number): number => e[3 * i]! * 0x10000 + e[3 * i + 1]!;
    return order.sort((a, b) => at(a) - at(b));
  }

  /** Stamps 1..n in the same order, so the next stays far below 2^31. */
  private renumber(): void {
    const order = this.byStamp();
    for (let k = 0; k < order.length; k++) this.stamp(order[k]!, k + 1);
    this.clock = order.length;
  }

  /** The first definition into the full table: recency from stamps to the list (journaled). */
  private toList(): void {
    const order = this.byStamp();
    this.stampedEntries = this.entries.slice();
    this.recencyBy = 'list';
    this.head = NONE;
    this.tail = NONE;
    for (const i of order) this.pushHead(i);
    this.journal(TO_LIST, 0, 0);
  }

  private journal(kind: number, i: number, aux: number): void {
    if (this.firstKind < 0) {
      this.firstKind = kind;
      this.firstIndex = i;
      this.firstAux = aux;
      return;
    }
    let log = this.log;
    const k = this.logLength;
    if (k + 3 > log.length) {
      log = new Int32Array(Math.max(48, log.length * 2));
      log.set(this.log);
      this.log = log;
    }
    log[k] = kind;
    log[k + 1] = i;
    log[k + 2] = aux;
    this.logLength = k + 3;
  }

  /** Room for at least `n` entries (the caller checked that there is not). */
  private grow(n: number): void {
    const held = this.entries.length / 3;
    let size = Math.max(32, Math.ceil(held * 1.5));
    while (size < n) size = Math.ceil(size * 1.5);
    size = Math.min(size, this.capacity);
    const entries =
      this.entries instanceof Uint16Array ? new Uint16Array(3 * size) : new Int32Array(3 * size);
    entries.set(this.entries);
    this.entries = entries;
  }

  /** 4 bytes a number from now on (a registry slot above 65,535). */
  private widen(): void {
    this.entries = Int32Array.from(this.entries);
  }

  private unlink(i: number): void {
    const e = this.entries;
    const p = e[3 * i]!;
    const q = e[3 * i + 1]!;
    if (p === NONE) this.head = q;
    else e[3 * p + 1] = q;
    if (q === NONE) this.tail = p;
    else e[3 * q] = p;
  }

  private pushHead(i: number): void {
    const e = this.entries;
    const head = this.head;
    e[3 * i] = NONE;
    e[3 * i + 1] = head;
    if (head === NONE) this.tail = i;
    else e[3 * head] = i;
    this.head = i;
  }

  /** Insert `i` right behind entry `p` (at the tail when `p` is the tail, at the head when none). */
  private insertAfter(p: number, i: number): void {
    if (p === NONE) {
      this.pushHead(i);
      return;
    }
    const e = this.entries;
    const q = e[3 * p + 1]!;
    e[3 * i] = p;
    e[3 * i + 1] = q;
    e[3 * p + 1] = i;
    if (q === NONE) this.tail = i;
    else e[3 * q] = i;
  }

  /** Ids from most to least recently used (tests and diagnostics). */
  recency(): string[] {
    const e = this.entries;
    if (this.recencyBy === 'stamps') {
      return this.byStamp()
        .reverse()
        .map((i) => this.registry.id(e[3 * i + 2]!));
    }
    const out: string[] = [];
    for (let i = this.head; i !== NONE; i = e[3 * i + 1]!) out.push(this.registry.id(e[3 * i + 2]!));
    return out;
  }
}
