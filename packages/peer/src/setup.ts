/**
 * What a peer is before any component runs: its identity (key, peer id, event source), its
 * codecs, its timeline options and its clock, built from checked options (or a store's resume).
 * @internal
 */

import { Clock } from '@symmetric/clock-sync';
import { type Codec, createCodec, msgpackPayloadCodec, type PayloadCodec } from '@symmetric/codec';
import { type App, Timeline, type TimelineOptions } from '@symmetric/core';
import { PeerError } from './errors.js';
import { FORGET_HORIZONS } from './forget.js';
import { checkSourceLength, type PeerIdentity, randomId, resolveIdentity, sourceId } from './identity.js';
import { KEPT_OWN_HORIZONS } from './offline.js';
import type { ResolvedOptions } from './options.js';
import type { ResumeSeed } from './resume.js';
import type { PeerOptions } from './types.js';

/** What {@link peerBasics} builds. @internal */
export interface PeerBasics<S, E> {
  /** The signing identity (`undefined` in a trusted room). */
  readonly identity: PeerIdentity | undefined;
  /** Peer id. */
  readonly id: string;
  /** Event source (peer id and incarnation). */
  readonly source: string;
  /** Codec of event payloads. */
  readonly payloadCodec: PayloadCodec<E>;
  /** Codec of app states (snapshots). */
  readonly stateCodec: PayloadCodec<S>;
  /** The wire codec (limits checked). */
  readonly codec: Codec<E>;
  /** Options of every timeline this peer builds. */
  readonly timelineOptions: TimelineOptions;
  /** The peer's first timeline of the app. */
  readonly timeline: Timeline<S, E>;
  /** The peer's clock. */
  readonly clock: Clock;
}

/**
 * Identity, codecs, timeline options and clock of a new peer. Throws `PeerError`
 * `INVALID_OPTION` for a bad identity, codec limits, timeline or clock options.
 * @internal
 */
export function peerBasics<S, E>(
  options: PeerOptions<S, E>,
  resolved: ResolvedOptions,
  seed: ResumeSeed | undefined,
  app: App<S, E>,
): PeerBasics<S, E> {
  const identity =
    seed !== undefined
      ? seed.identity
      : resolved.trusted
        ? undefined
        : resolveIdentity(options.identity, options.peerId);
  if (resolved.trusted && options.admission !== undefined)
    throw new PeerError('INVALID_OPTION', 'admission needs an authenticated room (trusted: false)');
  const id = seed?.peerId ?? identity?.peerId ?? options.peerId ?? randomId();
  const source = seed?.source ?? sourceId(id, options.incarnation ?? randomId());
  const payloadCodec: PayloadCodec<E> = options.payloadCodec ?? (msgpackPayloadCodec as PayloadCodec<E>);
  const stateCodec: PayloadCodec<S> = options.stateCodec ?? (msgpackPayloadCodec as PayloadCodec<S>);
  let codec: ReturnType<typeof createCodec<E>>;
  try {
    codec = createCodec<E>({
      payload: payloadCodec,
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    });
  } catch (cause) {
    throw new PeerError('INVALID_OPTION', `invalid codec limits: ${String(cause)}`, { cause });
  }
  checkSourceLength(source, codec.limits.maxIdLength);
  const timelineOptions: TimelineOptions = {
    seed: resolved.seed,
    snapshotEvery: resolved.snapshotEvery,
    maxSnapshots: resolved.maxSnapshots,
    snapshotThinning: resolved.snapshotThinning,
    hashEvery: resolved.hashEvery,
    maxHashes: resolved.maxHashes,
    // Sources gone for FORGET_HORIZONS horizons are forgotten; their folded frontiers stay in the
    // base for the offline merge until KEPT_OWN_HORIZONS (see forget.ts).
    forgetSourcesAfter:
      resolved.horizonTicks === undefined ? undefined : FORGET_HORIZONS * resolved.horizonTicks,
    keepForgottenFor:
      resolved.horizonTicks === undefined
        ? undefined
        : (KEPT_OWN_HORIZONS - FORGET_HORIZONS) * resolved.horizonTicks,
    // Histories are printed every eighth of a horizon: two sides of a long partition are ranked
    // on their prints once the sources only one side holds are forgotten (see history-rank.ts).
    printEvery:
      resolved.horizonTicks === undefined ? undefined : Math.max(1, Math.floor(resolved.horizonTicks / 8)),
    // Every timeline of the peer (the first, a joiner's, a resumed one) indexes its per-source
    // log by the codec's id registry, which the known ids and the link tables index by too: no
    // map from source to slot of its own. A timeline dropped lets go of its slots there.
    sourceSlots: codec.ids,
    // An event's Ed25519 signature (64 bytes) is held in a column of the log's: a signed event
    // costs 64 bytes more than an unsigned one instead of being kept whole with its array.
    bytesField: { name: 'signature', length: 64 },
  };
  let timeline: Timeline<S, E>;
  let clock: Clock;
  try {
    timeline = new Timeline<S, E>(app, timelineOptions);
    clock = new Clock(resolved.clock);
  } catch (cause) {
    throw new PeerError('INVALID_OPTION', String(cause), { cause });
  }
  return {
    identity,
    id,
    source,
    payloadCodec,
    stateCodec,
    codec,
    timelineOptions,
    timeline,
    clock,
  };
}
