/**
 * This tab's peer, kept in IndexedDB: a reload resumes the same peer (id, key, events, the
 * room's state) instead of joining as a new one. Each tab keeps its own database, named by a
 * tab key kept in `sessionStorage` (which survives reloads).
 *
 * A kept peer is held by one tab at a time: the tab holds a Web Lock named after the database
 * for as long as it runs, and the browser releases it when the tab closes or crashes. A tab
 * that has no key of its own (a new tab, or the first tab after the browser crashed or was
 * closed) adopts a kept peer of the same room and app that no running tab holds, the most
 * recently opened first, so the user's peer and its events come back after a crash. A
 * duplicated tab, which copies `sessionStorage`, finds its key's lock taken and becomes a peer
 * of its own. Without IndexedDB (or in a private window that refuses it) the page runs unkept;
 * without Web Locks each tab keeps to its own key.
 */
import type { PeerStore } from '@symmetric/storage';
import { openIndexedDbStore } from '@symmetric/storage-indexeddb';

const TAB_KEY = 'symmetric.tab';
const USED_PREFIX = 'symmetric.used:';

/** What {@link openPageStore} uses of the browser (each part optional: absent means unsupported). */
export interface PageStorage {
  /** Per-tab storage for the tab key (`sessionStorage`). */
  readonly session?: Storage | undefined;
  /** Per-origin storage for when each kept peer was last opened (`localStorage`). */
  readonly local?: Storage | undefined;
  /** Web Locks (`navigator.locks`): which kept peers a running tab holds. */
  readonly locks?: LockManager | undefined;
  /** Lists the origin's IndexedDB databases (`indexedDB.databases`). */
  readonly databases?: (() => Promise<readonly IDBDatabaseInfo[]>) | undefined;
}

/** The prefix of the IndexedDB databases that keep peers of `room` and `appId`. */
export function pageStorePrefix(room: string, appId: string): string {
  return `symmetric-demo:${room}:${appId}:`;
}

function newKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

/**
 * Takes the Web Lock `name` if no one holds it and keeps it until the page goes away.
 * Resolves whether it was taken.
 */
function holdLock(locks: LockManager, name: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(false);
          return undefined;
        }
        resolve(true);
        // Held for the page's life: the browser drops it when the tab closes or crashes.
        return new Promise<void>(() => {});
      })
      .catch(reject);
  });
}

function readKey(storage: Storage | undefined, key: string): string | undefined {
  try {
    const v = storage?.getItem(key);
    return v === null || v === undefined || v === '' ? undefined : v;
  } catch {
    return undefined;
  }
}

function writeKey(storage: Storage | undefined, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // A storage that refuses writes (quota, privacy mode): the page runs on, unremembered.
  }
}

/** Kept peers of this room and app, most recently opened first. */
async function keptNames(prefix: string, env: PageStorage): Promise<string[]> {
  if (env.databases === undefined) return [];
  let infos: readonly IDBDatabaseInfo[];
  try {
    infos = await env.databases();
  } catch {
    return [];
  }
  const names = infos
    .map((d) => d.name ?? '')
    .filter((n) => n.startsWith(prefix) && n.length > prefix.length);
  const used = (n: string) => Number(readKey(env.local, USED_PREFIX + n) ?? 0);
  return names.sort((a, b) => used(b) - used(a) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The IndexedDB database this tab keeps its peer of `room` and `appId` in, held by this tab
 * (see the module comment for which one that is). Resolves the database's name.
 */
export async function claimPageStore(room: string, appId: string, env: PageStorage): Promise<string> {
  const prefix = pageStorePrefix(room, appId);
  const own = readKey(env.session, TAB_KEY);
  const locks = env.locks;
  let name: string | undefined;
  if (locks === undefined) {
    name = prefix + (own ?? newKey());
  } else {
    if (own !== undefined && (await holdLock(locks, prefix + own))) name = prefix + own;
    if (name === undefined && own === undefined) {
      for (const kept of await keptNames(prefix, env)) {
        if (await holdLock(locks, kept)) {
          name = kept;
          break;
        }
      }
    }
    while (name === undefined) {
      const fresh = prefix + newKey();
      if (await holdLock(locks, fresh)) name = fresh;
    }
  }
  writeKey(env.session, TAB_KEY, name.slice(prefix.length));
  writeKey(env.local, USED_PREFIX + name, String(Date.now()));
  return name;
}

/** What this page's browser offers {@link openPageStore} (each part absent when unsupported). */
export function browserPageStorage(): PageStorage {
  const pick = <T>(get: () => T): T | undefined => {
    try {
      return get();
    } catch {
      return undefined;
    }
  };
  const idb = pick(() => globalThis.indexedDB);
  return {
    session: pick(() => window.sessionStorage),
    local: pick(() => window.localStorage),
    locks: pick(() => navigator.locks),
    databases: typeof idb?.databases === 'function' ? () => idb.databases() : undefined,
  };
}

/**
 * Opens this tab's store for `room` and `appId`, or `undefined` (with a console warning) when
 * the browser has no usable IndexedDB. Pass it as the peer's `store` (`openPeer`); close it
 * after the peer stopped.
 */
export async function openPageStore(
  room: string,
  appId: string,
  env: PageStorage,
): Promise<PeerStore | undefined> {
  let name = pageStorePrefix(room, appId);
  try {
    name = await claimPageStore(room, appId, env);
    return await openIndexedDbStore({ room, appId, name });
  } catch (e) {
    console.warn(`this tab's peer is not kept (IndexedDB ${name}): ${String(e)}`);
    return undefined;
  }
}
