import { DatabaseSync } from 'node:sqlite';
import {
  damageBlob,
  damageTarget,
  encodeStoreHeader,
  type StoreDamage,
  type StoreScope,
} from '@symmetric/storage';

/** Damages the most recently written record of the (closed) store file at `path`, as the conformance suite asks. */
export function damageSqliteStore(path: string, damage: StoreDamage): boolean {
  const { record, how } = damageTarget(damage);
  const db = new DatabaseSync(path);
  try {
    if (record === 'header') {
      const row = db.prepare("SELECT blob FROM meta WHERE key = 'header'").get() as
        | { blob: Uint8Array }
        | undefined;
      if (row === undefined) return false;
      db.prepare("UPDATE meta SET blob = ? WHERE key = 'header'").run(damageBlob(row.blob, how));
      return true;
    }
    const table = record === 'event' ? 'events' : 'snapshots';
    const row = db.prepare(`SELECT id, blob FROM ${table} ORDER BY id DESC LIMIT 1`).get() as
      | { id: number; blob: Uint8Array }
      | undefined;
    if (row === undefined) return false;
    db.prepare(`UPDATE ${table} SET blob = ? WHERE id = ?`).run(damageBlob(row.blob, how), row.id);
    return true;
  } finally {
    db.close();
  }
}

/** Rewrites the header of the (closed) store file at `path` as written in format `version`. */
export function setSqliteFormatVersion(path: string, scope: StoreScope, version: number): void {
  const db = new DatabaseSync(path);
  try {
    db.prepare("UPDATE meta SET blob = ? WHERE key = 'header'").run(encodeStoreHeader(scope, version));
  } finally {
    db.close();
  }
}
