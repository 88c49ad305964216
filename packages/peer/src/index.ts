/**
 * `@symmetric/peer`: the Symmetric middleware runtime. It composes the deterministic timeline
 * (`@symmetric/core`), clock agreement (`@symmetric/clock-sync`) and the wire format
 * (`@symmetric/codec`) over any number of transports (`@symmetric/transport`): events are
 * stamped `now + Δ`, flooded with dedup by `(source, seq)`, repaired by frontier exchange on
 * every (re)connection, applied at their tick on every peer (rolling back when late), with
 * snapshot join, bounded history, desync detection and an ephemeral presence channel.
 *
 * Sans-I/O at heart: {@link Peer.step} takes the time; frames arrive through the transports'
 * callbacks. {@link Peer.start} adds real timers.
 *
 * @packageDocumentation
 */

export type { SignedMessage } from './batch-verify.js';
export { verifyBatch } from './batch-verify.js';
export { connectionState, describeConnection } from './connection.js';
export type { PeerErrorCode } from './errors.js';
export { isPeerError, PeerError } from './errors.js';
export { FORGET_HORIZONS } from './forget.js';
export type { PeerIdentity } from './identity.js';
export {
  generateIdentity,
  identityFromSecretKey,
  peerIdFromPublicKey,
  publicKeyOfPeerId,
} from './identity.js';
export { openPeer } from './open.js';
export { createPeer, peerIdOf } from './peer.js';
export { QUOTA_DEFAULTS, type Quotas } from './quotas.js';
export { BATCH_VERIFY_MIN } from './signing.js';
export { type SizeTable, sizeLines, tableSizes } from './table-sizes.js';
export type {
  AdmissionOptions,
  BroadcastStats,
  ConnectionState,
  DesyncInfo,
  DialTarget,
  DisseminationOptions,
  NeighbourInfo,
  OfflineMerge,
  Peer,
  PeerEvents,
  PeerExcludedInfo,
  PeerJoinInfo,
  PeerLeaveInfo,
  PeerOptions,
  PeerStats,
  PeerStatus,
  PresenceInfo,
  PresenceOptions,
  RollbackInfo,
  SnapshotAdoptedInfo,
} from './types.js';
