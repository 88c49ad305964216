/**
 * The small interface a storage medium implements to become a {@link PeerStore} through
 * {@link BatchingStore}: it keeps opaque, checksummed record blobs (records.ts) plus the index
 * columns it needs, and applies batches of writes atomically. Queueing, tickets, validation,
 * checksums, ordering and the resume rules live in {@link BatchingStore}, the same for every medium.
 */

/** One write of a batch. A backend applies a batch's writes in order, all or none. */
export type BackendWrite =
  /** Replace the meta record `key` (`identity` or `own-seq`). */
  | { readonly kind: 'meta'; readonly key: 'identity' | 'own-seq'; readonly blob: Uint8Array }
  /** Insert an event record unless `(source, seq)` is already held (then keep the held one). */
  | {
      readonly kind: 'event';
      readonly source: string;
      readonly seq: number;
      readonly tick: number;
      readonly blob: Uint8Array;
    }
  /** Insert a snapshot record, replacing one at the same tick. */
  | { readonly kind: 'snapshot'; readonly tick: number; readonly blob: Uint8Array }
  /**
   * Delete every event with `tick < beforeTick`, and every snapshot with a tick below the
   * highest snapshot tick that is `<= beforeTick` (none when there is no such snapshot).
   */
  | { readonly kind: 'compact'; readonly beforeTick: number };

/** An event record as a backend returns it: its index columns and its blob. */
export interface BackendEvent {
  readonly source: string;
  readonly seq: number;
  readonly tick: number;
  readonly blob: Uint8Array;
}

/** A snapshot record as a backend returns it. */
export interface BackendSnapshot {
  readonly tick: number;
  readonly blob: Uint8Array;
}

/** The meta records (each absent until first written). */
export interface BackendMeta {
  readonly identity: Uint8Array | undefined;
  readonly ownSeq: Uint8Array | undefined;
}

/** Everything a backend holds, in any order. */
export interface BackendContents extends BackendMeta {
  readonly events: readonly BackendEvent[];
  readonly snapshots: readonly BackendSnapshot[];
}

/**
 * A storage medium. Its opener has already created or checked the store header
 * ({@link encodeStoreHeader}, {@link checkStoreHeader}) before handing it to {@link BatchingStore}.
 */
export interface StoreBackend {
  /** Where it lives (a file path, a database name), for error messages. */
  readonly location: string;
  /** Applies `writes` in order as one atomic, durable transaction; resolves once durable. */
  commit(writes: readonly BackendWrite[]): Promise<void>;
  /** The meta records. */
  readMeta(): Promise<BackendMeta>;
  /** Every record. */
  readAll(): Promise<BackendContents>;
  /** Releases the medium (after the last commit). */
  close(): Promise<void>;
  /** Releases the medium at once, as a crash would: a commit in flight may or may not land. */
  abandon?(): void;
}
