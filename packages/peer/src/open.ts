/**
 * Opening a peer with its store: read the store, work out who the peer is, and build the
 * runtime that resumes from it.
 */
import { PeerError } from './errors.js';
import { PeerRuntime } from './peer.js';
import { seedFromStore } from './resume.js';
import type { Peer, PeerOptions } from './types.js';

/**
 * Open a peer with its store ({@link PeerOptions.store}; without one, the same as
 * {@link createPeer}). A store used before resumes the peer it holds: the same peer id, event
 * source and key, own seqs continuing above the stored ones, its newest settled snapshot and
 * the events held beyond it, simulated up to the last tick the store knows of (the room's time
 * stood still while nobody ran it); it rejoins as part of the room, and neighbours send only
 * what it lacks. A new store keeps the peer created now.
 *
 * @throws {@link PeerError} `STORE` when the store cannot be read or resumed from (damaged
 *   snapshot, undecodable event, another room, app or peer: `cause` is the store's error), and
 *   whatever {@link createPeer} throws.
 * @example
 * ```ts
 * const store = await openSqliteStore({ path: 'peer.db', room: 'demo', appId: 'rect' });
 * const peer = await openPeer({ app: rectangleApp, transports: [transport], room: 'demo', appId: 'rect', store });
 * await peer.start();
 * // ... later
 * await peer.stop();
 * await store.close();
 * ```
 */
export async function openPeer<S, E>(options: PeerOptions<S, E>): Promise<Peer<S, E>> {
  const store = options.store;
  if (store === undefined) return new PeerRuntime<S, E>(options, undefined);
  const appId = options.appId ?? '';
  if (store.scope.room !== options.room || store.scope.appId !== appId)
    throw new PeerError(
      'STORE',
      `the store is room '${store.scope.room}', app '${store.scope.appId}'; the peer is room '${options.room}', app '${appId}'`,
    );
  let state: Awaited<ReturnType<typeof store.load>>;
  try {
    state = await store.load();
  } catch (cause) {
    throw new PeerError('STORE', `the store cannot be read: ${String(cause)}`, { cause });
  }
  const seed = seedFromStore(state, {
    room: options.room,
    appId,
    trusted: options.trusted === true,
    identity: options.identity,
    peerId: options.peerId,
    incarnation: options.incarnation,
  });
  return new PeerRuntime<S, E>(options, seed);
}
