/**
 * A {@link PeerStore} in the browser's IndexedDB, through `idb`: one database per store, one
 * `readwrite` transaction with `durability: 'strict'` per batch (the browser reports it
 * complete only once it is on disk), checksummed record blobs.
 *
 * Object stores (database version {@link DATABASE_VERSION}): `meta` (out-of-line keys:
 * `header`, `identity`, `own-seq`), `events` (auto-increment keys, unique index `id` on
 * `[source, seq]`, index `tick`), `snapshots` (auto-increment keys, unique index `tick`). Keys
 * grow with every insert, so the most recently written record has the highest key.
 */
import {
  type BackendContents,
  type BackendMeta,
  type BackendWrite,
  BatchingStore,
  type BatchOptions,
  checkStoreHeader,
  encodeStoreHeader,
  type StoreBackend,
  StoreError,
  type StoreScope,
} from '@symmetric/storage';
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, openDB } from 'idb';

/** The IndexedDB schema version of the stores this package writes. */
export const DATABASE_VERSION = 1;

/** An event row of the `events` object store. */
export interface EventRow {
  source: string;
  seq: number;
  tick: number;
  blob: Uint8Array;
}

/** A snapshot row of the `snapshots` object store. */
export interface SnapshotRow {
  tick: number;
  blob: Uint8Array;
}

/** The database schema (for `idb`'s typings). */
export interface PeerStoreSchema extends DBSchema {
  meta: { key: string; value: Uint8Array };
  events: { key: number; value: EventRow; indexes: { id: [string, number]; tick: number } };
  snapshots: { key: number; value: SnapshotRow; indexes: { tick: number } };
}

type Db = IDBPDatabase<PeerStoreSchema>;
type WriteTx = IDBPTransaction<PeerStoreSchema, ('meta' | 'events' | 'snapshots')[], 'readwrite'>;
const STORES = ['meta', 'events', 'snapshots'] as const;

async function applyWrite(tx: WriteTx, w: BackendWrite): Promise<void> {
  switch (w.kind) {
    case 'meta':
      await tx.objectStore('meta').put(w.blob, w.key);
      return;
    case 'event': {
      const events = tx.objectStore('events');
      if ((await events.index('id').getKey([w.source, w.seq])) === undefined) {
        await events.add({ source: w.source, seq: w.seq, tick: w.tick, blob: w.blob });
      }
      return;
    }
    case 'snapshot': {
      const snapshots = tx.objectStore('snapshots');
      const old = await snapshots.index('tick').getKey(w.tick);
      if (old !== undefined) await snapshots.delete(old);
      await snapshots.add({ tick: w.tick, blob: w.blob });
      return;
    }
    case 'compact': {
      const events = tx.objectStore('events');
      let cursor = await events.index('tick').openCursor(IDBKeyRange.upperBound(w.beforeTick, true));
      while (cursor !== null) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
      const byTick = tx.objectStore('snapshots').index('tick');
      const newest = await byTick.openKeyCursor(IDBKeyRange.upperBound(w.beforeTick), 'prev');
      if (newest === null) return;
      let old = await byTick.openCursor(IDBKeyRange.upperBound(newest.key, true));
      while (old !== null) {
        await old.delete();
        old = await old.continue();
      }
      return;
    }
  }
}

class IndexedDbBackend implements StoreBackend {
  private open = true;

  constructor(
    readonly location: string,
    private readonly db: Db,
  ) {}

  async commit(writes: readonly BackendWrite[]): Promise<void> {
    if (!this.open) throw new StoreError('WRITE_FAILED', `${this.location}: the database is closed`);
    const tx = this.db.transaction([...STORES], 'readwrite', { durability: 'strict' });
    try {
      for (const w of writes) await applyWrite(tx, w);
      await tx.done;
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      await tx.done.catch(() => {});
      throw e;
    }
  }

  async readMeta(): Promise<BackendMeta> {
    const tx = this.db.transaction('meta', 'readonly');
    const [identity, ownSeq] = await Promise.all([tx.store.get('identity'), tx.store.get('own-seq')]);
    return { identity, ownSeq };
  }

  async readAll(): Promise<BackendContents> {
    const tx = this.db.transaction([...STORES], 'readonly');
    const [identity, ownSeq, events, snapshots] = await Promise.all([
      tx.objectStore('meta').get('identity'),
      tx.objectStore('meta').get('own-seq'),
      tx.objectStore('events').getAll(),
      tx.objectStore('snapshots').getAll(),
    ]);
    return { identity, ownSeq, events, snapshots };
  }

  async close(): Promise<void> {
    this.abandon();
  }

  abandon(): void {
    if (!this.open) return;
    this.open = false;
    this.db.close();
  }
}

/** Options of {@link openIndexedDbStore}. */
export interface IndexedDbStoreOptions extends StoreScope, BatchOptions {
  /** The database name; default `symmetric:<room>:<appId>`. */
  readonly name?: string;
}

/**
 * Opens (creating when absent) the store in the IndexedDB database `name` for `room` and
 * `appId`. Rejects with a {@link StoreError}: `OPEN_FAILED` (no IndexedDB, or the database is
 * blocked), `UNSUPPORTED_FORMAT` (a newer database or record format), `CORRUPT` (not a
 * Symmetric store, or a damaged header or identity), `WRONG_ROOM` or `WRONG_APP`.
 *
 * ```ts
 * const store = await openIndexedDbStore({ room: 'lobby', appId: 'whiteboard' });
 * const resume = await store.load();
 * ```
 */
export async function openIndexedDbStore(options: IndexedDbStoreOptions): Promise<BatchingStore> {
  const scope: StoreScope = { room: options.room, appId: options.appId };
  const name = options.name ?? `symmetric:${scope.room}:${scope.appId}`;
  if ((globalThis as { indexedDB?: IDBFactory }).indexedDB === undefined)
    throw new StoreError('OPEN_FAILED', `${name}: this runtime has no IndexedDB`);
  let db: Db;
  let created = false;
  try {
    db = await openDB<PeerStoreSchema>(name, DATABASE_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion !== 0) return; // an existing database of this version: checked below
        created = true;
        database.createObjectStore('meta');
        const events = database.createObjectStore('events', { autoIncrement: true });
        events.createIndex('id', ['source', 'seq'], { unique: true });
        events.createIndex('tick', 'tick');
        const snapshots = database.createObjectStore('snapshots', { autoIncrement: true });
        snapshots.createIndex('tick', 'tick', { unique: true });
      },
      blocked() {
        // another tab holds an older version open; openDB waits for it
      },
    });
  } catch (e) {
    if ((e as { name?: unknown }).name === 'VersionError') {
      throw new StoreError(
        'UNSUPPORTED_FORMAT',
        `${name}: the database is of a newer version than ${DATABASE_VERSION}`,
        {
          cause: e,
        },
      );
    }
    throw new StoreError('OPEN_FAILED', `${name}: ${String(e)}`, { cause: e });
  }
  try {
    if (!STORES.every((s) => db.objectStoreNames.contains(s))) {
      throw new StoreError('CORRUPT', `${name}: not a Symmetric store (its object stores differ)`);
    }
    if (created) {
      await db.put('meta', encodeStoreHeader(scope), 'header');
    } else {
      const header = await db.get('meta', 'header');
      if (header === undefined) throw new StoreError('CORRUPT', `${name}: not a Symmetric store (no header)`);
      checkStoreHeader(header, scope, name);
    }
    return await BatchingStore.open(new IndexedDbBackend(name, db), scope, options);
  } catch (e) {
    db.close();
    throw e;
  }
}
