/**
 * Reading a store back: who the peer is (its peer id, event source and key, kept from the
 * store's identity or made new on a store's first use) and the timeline it resumes (the newest
 * settled snapshot, the events held beyond it, the own seq reached). Pure: nothing here writes.
 * @internal
 */
import type { PayloadCodec, WireEvent } from '@symmetric/codec';
import { type App, Timeline, type TimelineOptions } from '@symmetric/core';
import type { StoredState } from '@symmetric/storage';
import { PeerError } from './errors.js';
import {
  identityFromSecretKey,
  type PeerIdentity,
  peerIdOf,
  randomId,
  resolveIdentity,
  sourceId,
} from './identity.js';
import { decodeSnapshot } from './snapshot-blob.js';
import { eventFromStore } from './stored-event.js';

/** Who a peer with a store is, and what it resumes from. @internal */
export interface ResumeSeed {
  /** The key pair (authenticated rooms). */
  readonly identity: PeerIdentity | undefined;
  /** The peer id. */
  readonly peerId: string;
  /** The event source, kept for the store's whole life. */
  readonly source: string;
  /** Starts of this store so far, this one included. */
  readonly incarnation: number;
  /** What the store held when opened. */
  readonly state: StoredState;
}

/** What {@link seedFromStore} needs of the peer's options. @internal */
export interface SeedOptions {
  readonly room: string;
  readonly appId: string;
  readonly trusted: boolean;
  readonly identity: PeerIdentity | undefined;
  readonly peerId: string | undefined;
  readonly incarnation: string | undefined;
}

function storeError(message: string, cause?: unknown): PeerError {
  return new PeerError('STORE', message, cause === undefined ? undefined : { cause });
}

/**
 * The peer a store belongs to: the stored identity (its source, and its key checked against
 * its peer id and the options), or a new one on a store's first use. A store with a damaged
 * snapshot is refused: events it had folded in may be gone with it.
 * @throws {@link PeerError} `STORE` (or `INVALID_OPTION` for a bad identity option)
 * @internal
 */
export function seedFromStore(state: StoredState, options: SeedOptions): ResumeSeed {
  const badSnapshot = state.dropped.find((d) => d.kind === 'snapshot');
  if (badSnapshot !== undefined)
    throw storeError(
      `the store's snapshot at tick ${badSnapshot.key} is damaged (${badSnapshot.reason}): the events it ` +
        'folded in may be lost; resume from a copy of the store, or start with an empty one',
    );
  const stored = state.identity;
  if (stored === undefined) {
    const identity = options.trusted ? undefined : resolveIdentity(options.identity, options.peerId);
    const peerId = identity?.peerId ?? options.peerId ?? randomId();
    return {
      identity,
      peerId,
      source: sourceId(peerId, options.incarnation ?? randomId()),
      incarnation: 1,
      state,
    };
  }
  if (stored.room !== options.room || stored.appId !== options.appId)
    throw storeError(
      `the store holds a peer of room '${stored.room}', app '${stored.appId}', not room '${options.room}', app '${options.appId}'`,
    );
  const source = stored.peerId;
  const peerId = peerIdOf(source);
  if (source === peerId) throw storeError(`the store's identity '${source}' is not an event source`);
  let identity: PeerIdentity | undefined;
  if (!options.trusted) {
    if (stored.key === undefined)
      throw storeError(`the store's peer '${peerId}' has no key: it was a peer of a trusted room`);
    try {
      identity = identityFromSecretKey(stored.key.privateKey);
    } catch (cause) {
      throw storeError(`the store's key is not an Ed25519 key: ${String(cause)}`, cause);
    }
    if (identity.peerId !== peerId)
      throw storeError(`the store's key is peer '${identity.peerId}''s, not its peer '${peerId}''s`);
  }
  const asked = options.identity?.peerId ?? options.peerId;
  if (asked !== undefined && asked !== peerId)
    throw storeError(`the store belongs to peer '${peerId}', not '${asked}'`);
  return { identity, peerId, source, incarnation: stored.incarnation + 1, state };
}

/** The timeline a store resumes, and where its own events stood. @internal */
export interface RestoredTimeline<S, E> {
  /** Started from the stored snapshot (or from the app's initial state without one). */
  readonly timeline: Timeline<S, E>;
  /** The held events the snapshot has not folded in, by `(tick, source, seq)`. */
  readonly events: readonly WireEvent<E>[];
  /** The snapshot's frontier (empty without one). */
  readonly folded: readonly (readonly [string, number])[];
  /** The highest own seq ever stored. */
  readonly ownSeq: number;
  /** The tick of the newest own event held (0 without one). */
  readonly ownTick: number;
  /** The last tick the store knows of: its snapshot's or its newest event's. */
  readonly lastTick: number;
}

/**
 * Rebuild the timeline a store holds (its events decoded, nothing inserted yet).
 * @throws {@link PeerError} `STORE` when the snapshot or an event does not decode
 * @internal
 */
export function restoreTimeline<S, E>(
  seed: ResumeSeed,
  app: App<S, E>,
  timelineOptions: TimelineOptions,
  stateCodec: PayloadCodec<S>,
  payloadCodec: PayloadCodec<E>,
): RestoredTimeline<S, E> {
  const { snapshot, events: stored, ownLastSeq } = seed.state;
  let timeline: Timeline<S, E>;
  let folded: readonly (readonly [string, number])[] = [];
  try {
    if (snapshot === undefined) timeline = new Timeline<S, E>(app, timelineOptions);
    else {
      const decoded = decodeSnapshot(snapshot.bytes, stateCodec);
      folded = decoded.frontier;
      timeline = Timeline.fromSnapshot<S, E>(app, decoded, timelineOptions);
    }
  } catch (cause) {
    throw storeError(`the store's snapshot cannot be restored: ${String(cause)}`, cause);
  }
  const events: WireEvent<E>[] = [];
  let ownTick = 0;
  let lastTick = snapshot?.tick ?? 0;
  for (const s of stored) {
    try {
      events.push(eventFromStore(s, payloadCodec));
    } catch (cause) {
      timeline.releaseSources(); // (dropped: its slots in the codec's registry go)
      throw storeError(`the store's ${String(cause)}`, cause);
    }
    if (s.source === seed.source && s.tick > ownTick) ownTick = s.tick;
    if (s.tick > lastTick) lastTick = s.tick;
  }
  return { timeline, events, folded, ownSeq: ownLastSeq, ownTick, lastTick };
}

/**
 * The damaged records a store dropped while loading, as the `STORE` errors the peer reports once
 * attached (own events among them were never sent; others' come back by repair).
 * @internal
 */
export function droppedRecords(state: StoredState): PeerError[] {
  return state.dropped.map(
    (d) =>
      new PeerError('STORE', `a damaged ${d.kind} record (${d.key}) was dropped from the store: ${d.reason}`),
  );
}
