import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BatchingStore, isStoreError, type PeerStore, type StoreScope } from '@symmetric/storage';
import { runStoreConformance } from '@symmetric/storage/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/index.js';
import { damageSqliteStore, setSqliteFormatVersion } from './hooks.js';

const dir = mkdtempSync(join(tmpdir(), 'symmetric-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const scopes = new Map<string, StoreScope>();

runStoreConformance('sqlite', {
  location: () => join(dir, `store-${n++}.db`),
  open: async (path, scope, options) => {
    const store = await openSqliteStore({ ...scope, ...options, path });
    scopes.set(path, scope);
    return store;
  },
  crash: (store: PeerStore) => (store as BatchingStore).abandon(),
  damage: (path, damage) => damageSqliteStore(path, damage),
  setFormatVersion: (path, version) => setSqliteFormatVersion(path, scopes.get(path) as StoreScope, version),
  propertyRuns: 15,
});

describe('openSqliteStore', () => {
  const scope = { room: 'r', appId: 'a' };

  it('refuses a file that is not a SQLite database, and a SQLite database that is not a store (CORRUPT)', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database at all, just some text that is long enough'.repeat(40));
    await expect(openSqliteStore({ ...scope, path: junk })).rejects.toMatchObject({ code: 'CORRUPT' });
    const other = join(dir, 'other.db');
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(other);
    db.exec('CREATE TABLE notes (text TEXT)');
    db.close();
    const error = await openSqliteStore({ ...scope, path: other }).catch((e: unknown) => e);
    expect(isStoreError(error) && error.code).toBe('CORRUPT');
    expect((error as Error).message).toMatch(/not a Symmetric store/);
  });

  it('fails with OPEN_FAILED where the file cannot be created', async () => {
    await expect(
      openSqliteStore({ ...scope, path: join(dir, 'missing', 'dir', 'x.db') }),
    ).rejects.toMatchObject({
      code: 'OPEN_FAILED',
    });
  });

  it('runs in WAL mode with the chosen synchronous setting', async () => {
    const path = join(dir, 'wal.db');
    const store = await openSqliteStore({ ...scope, path, synchronous: 'normal' });
    store.putEvents([{ source: 's', seq: 1, tick: 1, bytes: new Uint8Array(3) }]);
    await store.flush();
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path);
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    db.close();
    await store.close();
  });
});
