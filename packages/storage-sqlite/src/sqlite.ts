/**
 * A {@link PeerStore} in one SQLite file on Node's built-in `node:sqlite` (`DatabaseSync`): WAL
 * journal, one transaction per batch, prepared statements, checksummed record blobs.
 *
 * Tables: `meta(key, blob)` holds the header, the identity and the own last seq;
 * `events(id, source, seq, tick, blob)` is unique on `(source, seq)` and indexed on `tick`;
 * `snapshots(id, tick, blob)` is unique on `tick`. `id` grows with every insert, so the most
 * recently written record is the one with the highest id.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
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

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions extends StoreScope, BatchOptions {
  /** The database file (created when absent). */
  readonly path: string;
  /**
   * SQLite's `synchronous` setting: `'full'` (default) syncs the WAL on every commit, so a
   * durable write survives a power loss; `'normal'` syncs only at checkpoints, so a durable
   * write survives a crash of the process but the last commits may be lost with the machine.
   */
  readonly synchronous?: 'full' | 'normal';
}

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, blob BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE events (
  id INTEGER PRIMARY KEY, source TEXT NOT NULL, seq INTEGER NOT NULL, tick INTEGER NOT NULL,
  blob BLOB NOT NULL, UNIQUE (source, seq)
);
CREATE INDEX events_tick ON events (tick);
CREATE TABLE snapshots (id INTEGER PRIMARY KEY, tick INTEGER NOT NULL UNIQUE, blob BLOB NOT NULL);
`;

interface Row {
  [key: string]: unknown;
}

function blobOf(row: Row | undefined): Uint8Array | undefined {
  const b = row?.blob;
  return b instanceof Uint8Array ? b : undefined;
}

class SqliteBackend implements StoreBackend {
  private readonly insertEvent: StatementSync;
  private readonly putSnapshot: StatementSync;
  private readonly putMeta: StatementSync;
  private readonly compactEvents: StatementSync;
  private readonly compactSnapshots: StatementSync;
  private readonly getMeta: StatementSync;
  private readonly allEvents: StatementSync;
  private readonly allSnapshots: StatementSync;
  private open = true;

  constructor(
    readonly location: string,
    private readonly db: DatabaseSync,
  ) {
    this.insertEvent = db.prepare(
      'INSERT OR IGNORE INTO events (source, seq, tick, blob) VALUES (?, ?, ?, ?)',
    );
    this.putSnapshot = db.prepare('INSERT OR REPLACE INTO snapshots (tick, blob) VALUES (?, ?)');
    this.putMeta = db.prepare('INSERT OR REPLACE INTO meta (key, blob) VALUES (?, ?)');
    this.compactEvents = db.prepare('DELETE FROM events WHERE tick < ?');
    this.compactSnapshots = db.prepare(
      'DELETE FROM snapshots WHERE tick < (SELECT max(tick) FROM snapshots WHERE tick <= ?)',
    );
    this.getMeta = db.prepare('SELECT blob FROM meta WHERE key = ?');
    // Rows as arrays: no object per row (a resume reads every held event).
    this.allEvents = db.prepare('SELECT source, seq, tick, blob FROM events');
    this.allEvents.setReturnArrays(true);
    this.allSnapshots = db.prepare('SELECT tick, blob FROM snapshots');
    this.allSnapshots.setReturnArrays(true);
  }

  async commit(writes: readonly BackendWrite[]): Promise<void> {
    if (!this.open) throw new StoreError('WRITE_FAILED', `${this.location}: the database is closed`);
    const db = this.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const w of writes) {
        switch (w.kind) {
          case 'event':
            this.insertEvent.run(w.source, w.seq, w.tick, w.blob);
            break;
          case 'snapshot':
            this.putSnapshot.run(w.tick, w.blob);
            break;
          case 'meta':
            this.putMeta.run(w.key, w.blob);
            break;
          case 'compact':
            this.compactEvents.run(w.beforeTick);
            this.compactSnapshots.run(w.beforeTick);
            break;
        }
      }
      db.exec('COMMIT');
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
  }

  async readMeta(): Promise<BackendMeta> {
    return {
      identity: blobOf(this.getMeta.get('identity') as Row | undefined),
      ownSeq: blobOf(this.getMeta.get('own-seq') as Row | undefined),
    };
  }

  async readAll(): Promise<BackendContents> {
    const db = this.db;
    db.exec('BEGIN');
    try {
      const meta = await this.readMeta();
      const events = (this.allEvents.all() as unknown as unknown[][]).map((r) => ({
        source: r[0] as string,
        seq: r[1] as number,
        tick: r[2] as number,
        blob: r[3] as Uint8Array,
      }));
      const snapshots = (this.allSnapshots.all() as unknown as unknown[][]).map((r) => ({
        tick: r[0] as number,
        blob: r[1] as Uint8Array,
      }));
      return { ...meta, events, snapshots };
    } finally {
      db.exec('COMMIT');
    }
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

/**
 * Opens (creating when absent) the store in the SQLite file `path` for `room` and `appId`.
 * Rejects with a {@link StoreError}: `OPEN_FAILED` (cannot open the file), `CORRUPT` (not a
 * SQLite database, not a Symmetric store, or a damaged header or identity),
 * `UNSUPPORTED_FORMAT`, `WRONG_ROOM` or `WRONG_APP`.
 *
 * ```ts
 * const store = await openSqliteStore({ path: 'peer.db', room: 'lobby', appId: 'whiteboard' });
 * const resume = await store.load();
 * ```
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<BatchingStore> {
  const { path } = options;
  const scope: StoreScope = { room: options.room, appId: options.appId };
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (e) {
    throw new StoreError('OPEN_FAILED', `${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    initialise(db, path, scope, options.synchronous ?? 'full');
    return await BatchingStore.open(new SqliteBackend(path, db), scope, options);
  } catch (e) {
    db.close();
    throw e;
  }
}

function initialise(db: DatabaseSync, path: string, scope: StoreScope, synchronous: 'full' | 'normal'): void {
  let tables: number;
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as Row)
      .n as number;
  } catch (e) {
    throw new StoreError('CORRUPT', `${path}: not a SQLite database (${(e as Error).message})`, { cause: e });
  }
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  if (tables === 0) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(SCHEMA);
      db.prepare("INSERT INTO meta (key, blob) VALUES ('header', ?)").run(encodeStoreHeader(scope));
      db.exec('COMMIT');
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw new StoreError('OPEN_FAILED', `${path}: cannot create the store (${(e as Error).message})`, {
        cause: e,
      });
    }
    return;
  }
  let header: Uint8Array | undefined;
  try {
    header = blobOf(db.prepare("SELECT blob FROM meta WHERE key = 'header'").get() as Row | undefined);
  } catch (e) {
    throw new StoreError('CORRUPT', `${path}: not a Symmetric store (${(e as Error).message})`, { cause: e });
  }
  if (header === undefined) throw new StoreError('CORRUPT', `${path}: not a Symmetric store (no header)`);
  checkStoreHeader(header, scope, path);
}
