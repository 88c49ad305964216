/**
 * This tab's peer, kept in IndexedDB: a reload resumes the same peer (id, key, events, the
 * room's state) instead of joining as a new one. Each tab keeps its own database (a tab key in
 * `sessionStorage`, which survives reloads and is not shared between tabs: two tabs are two
 * peers). Without IndexedDB (or in a private window that refuses it) the page runs unkept.
 */
import type { PeerStore } from '@symmetric/storage';
import { openIndexedDbStore } from '@symmetric/storage-indexeddb';

const TAB_KEY = 'symmetric.tab';

/** This tab's key (made once per tab, kept across reloads). */
function tabKey(storage: Storage | undefined): string {
  const kept = storage?.getItem(TAB_KEY);
  if (kept !== null && kept !== undefined && kept !== '') return kept;
  const key = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
  storage?.setItem(TAB_KEY, key);
  return key;
}

/** The IndexedDB database this tab keeps its peer of `room` and `appId` in. */
export function pageStoreName(room: string, appId: string, storage: Storage | undefined): string {
  return `symmetric-demo:${room}:${appId}:${tabKey(storage)}`;
}

/**
 * Opens this tab's store for `room` and `appId`, or `undefined` (with a console warning) when
 * the browser has no usable IndexedDB. Pass it as the peer's `store` (`openPeer`); close it
 * after the peer stopped.
 */
export async function openPageStore(
  room: string,
  appId: string,
  storage: Storage | undefined,
): Promise<PeerStore | undefined> {
  const name = pageStoreName(room, appId, storage);
  try {
    return await openIndexedDbStore({ room, appId, name });
  } catch (e) {
    console.warn(`this tab's peer is not kept (IndexedDB ${name}): ${String(e)}`);
    return undefined;
  }
}
