/**
 * What a peer keeps in a store, and the {@link PeerStore} interface every store implements.
 */
import type { StoreError } from './errors.js';

/** The room and app a store belongs to: fixed when it is created, checked on every open. */
export interface StoreScope {
  /** The room's name. */
  readonly room: string;
  /** The application's id (a store of one app never opens for another). */
  readonly appId: string;
}

/** Key material kept with an identity, as opaque bytes (e.g. an Ed25519 key pair). */
export interface StoredKey {
  /** The public key. */
  readonly publicKey: Uint8Array;
  /** The private key (or seed). Stores keep it as they keep everything else: protect the medium. */
  readonly privateKey: Uint8Array;
}

/** Who the peer is in its room. */
export interface PeerIdentity {
  /** The room (equal to the store's). */
  readonly room: string;
  /** The app id (equal to the store's). */
  readonly appId: string;
  /** The peer id, the `source` of its own events. A store keeps one peer id for its whole life. */
  readonly peerId: string;
  /** How many times this peer has (re)started; never goes back. */
  readonly incarnation: number;
  /** Key material, when the peer signs its events. */
  readonly key?: StoredKey;
}

/** One event as stored: opaque encoded bytes keyed by `(source, seq)`, with the tick it is applied at. */
export interface StoredEvent {
  /** The peer id that emitted it. */
  readonly source: string;
  /** The source's own counter, from 1. */
  readonly seq: number;
  /** The tick it is applied at. */
  readonly tick: number;
  /** The encoded event (the store never looks inside). */
  readonly bytes: Uint8Array;
}

/** A settled snapshot: the state at `tick` with every event of `frontier` folded in. */
export interface StoredSnapshot {
  /** The tick of the state it holds. */
  readonly tick: number;
  /** The encoded snapshot (the store never looks inside). */
  readonly bytes: Uint8Array;
  /** Per source, the highest seq folded into it; events above it are not in the snapshot. */
  readonly frontier: ReadonlyMap<string, number>;
}

/** A record found damaged when loading, and dropped. */
export interface DroppedRecord {
  /** Which kind of record. */
  readonly kind: 'event' | 'snapshot';
  /** Its key as the backend indexed it: `source:seq` for an event, the tick for a snapshot. */
  readonly key: string;
  /** What is wrong with it (checksum mismatch, cut short, fields disagreeing with its key). */
  readonly reason: string;
}

/** Everything a peer needs to resume, as {@link PeerStore.load} returns it. */
export interface StoredState {
  /** The identity, when one was set. */
  readonly identity: PeerIdentity | undefined;
  /** The newest intact snapshot, when there is one. */
  readonly snapshot: StoredSnapshot | undefined;
  /**
   * The held events the snapshot has not folded in (all of them without a snapshot), ordered by
   * `(tick, source, seq)` (sources compared as JavaScript strings).
   */
  readonly events: readonly StoredEvent[];
  /**
   * The highest own seq ever appended (0 when none), kept even when compaction or damage removed
   * the event itself: a resumed peer continues above it and never reuses a seq.
   */
  readonly ownLastSeq: number;
  /** Damaged records found and dropped by this load (they are never returned). */
  readonly dropped: readonly DroppedRecord[];
}

/** Counters of a store since it was opened. */
export interface StoreStats {
  /** Writes queued (one per call that returned a ticket). */
  readonly queued: number;
  /** The highest ticket known durable. */
  readonly durableTicket: number;
  /** Writes queued and not durable yet. */
  readonly pending: number;
  /** Batches written (one backend transaction each). */
  readonly commits: number;
  /** Damaged records dropped by loads. */
  readonly dropped: number;
}

/**
 * A write's place in the store's queue. Tickets count up from 1 in call order; a ticket is
 * durable once {@link PeerStore.durableTicket} reaches it, and every smaller ticket is durable too.
 */
export type WriteTicket = number;

/**
 * How a store batches its writes. A write is queued when the call returns; the store writes the
 * queue as one transaction at most `maxBatchDelayMs` after the first queued write (sooner when
 * `maxBatchRecords` are queued or on {@link PeerStore.flush}).
 *
 * **The crash window**: a crash loses the writes queued and not yet durable — at most
 * `maxBatchDelayMs` plus one transaction's time worth of writes. Nothing reported durable is
 * lost. A runtime that sends an own event only once its ticket is durable therefore never
 * sends an event a restart forgets, and never reuses a seq it sent.
 */
export interface BatchOptions {
  /** Longest a queued write waits before its batch is written; default 0 (the end of the current task). */
  readonly maxBatchDelayMs?: number;
  /** A batch is written at once when this many writes are queued; default 1024. */
  readonly maxBatchRecords?: number;
}

/**
 * A peer's local store. Every write method is synchronous: it validates its arguments (throwing
 * a {@link StoreError}), queues the write, and returns its {@link WriteTicket}; the store writes
 * queued writes in batches, in call order, each batch atomically. A synchronous runtime holds an
 * own event back until its ticket is durable (poll {@link durableTicket}, or listen with
 * {@link onDurable}); async code awaits {@link whenDurable} or {@link flush}.
 *
 * A store belongs to one room and app, and to one peer id once an identity is set.
 */
export interface PeerStore {
  /** The room and app it belongs to. */
  readonly scope: StoreScope;
  /** The highest ticket whose write is durable (0 before the first). */
  readonly durableTicket: number;
  /**
   * Everything stored, to resume from: waits for queued writes to be durable, then reads.
   * Damaged event and snapshot records are dropped and listed in `dropped`, never returned.
   */
  load(): Promise<StoredState>;
  /** Sets (or updates: incarnation, key) the identity. Throws `BAD_IDENTITY` for another room, app or peer id. */
  setIdentity(identity: PeerIdentity): WriteTicket;
  /**
   * Queues one of the peer's own events, to be durable BEFORE it is sent: its source must be the
   * identity's peer id (`NO_IDENTITY` before one is set, `BAD_INPUT` otherwise) and its seq
   * above every own seq so far (`BAD_SEQ`). `await store.whenDurable(store.appendOwn(e))` is the
   * async form.
   */
  appendOwn(event: StoredEvent): WriteTicket;
  /** Queues events received from others (or own events again). A `(source, seq)` already held keeps its first bytes. */
  putEvents(events: readonly StoredEvent[]): WriteTicket;
  /** Queues a settled snapshot; one at the same tick is replaced. */
  putSnapshot(snapshot: StoredSnapshot): WriteTicket;
  /**
   * Queues the removal of what the horizon dropped: every held event with `tick < beforeTick`,
   * and every snapshot older than the newest snapshot at or before `beforeTick`. Store the
   * settled snapshot first: events compacted away are only recoverable from it. The own last seq
   * is kept.
   */
  compact(beforeTick: number): WriteTicket;
  /**
   * Resolves once `ticket` is durable, writing the queue now rather than when its batch is due;
   * rejects with the store's failure (`WRITE_FAILED`, `CLOSED`).
   */
  whenDurable(ticket: WriteTicket): Promise<void>;
  /** Writes what is queued now and resolves once it is durable. */
  flush(): Promise<void>;
  /** Calls `listener` with the new durable ticket after each batch is written. Returns an unsubscribe function. */
  onDurable(listener: (ticket: WriteTicket) => void): () => void;
  /** Calls `listener` when a batch fails to be written (the store then accepts nothing more). */
  onError(listener: (error: StoreError) => void): () => void;
  /** Counters since it was opened. */
  stats(): StoreStats;
  /** Writes what is queued, then releases the backend. Later calls throw `CLOSED`; idempotent. */
  close(): Promise<void>;
}
