/** What the Node and browser entries both export (one list, so the two cannot drift apart). */
export { ConfigError, type ConfigErrorCode, isConfigError } from './errors.js';
export type { GossipRoom, GossipRoomStats } from './gossip.js';
export {
  generateIdentity,
  identityFromBytes,
  identityFromSeed,
  identityToBytes,
  peerIdOf,
  symmetricIdentity,
  verifySignature,
} from './keys.js';
export {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_PROTOCOL,
  type GossipOptions,
  type Libp2pTransportOptions,
  type LogFn,
  type MdnsOptions,
  type RedialOptions,
  type RelayServerOptions,
  type RTCIceServerLike,
} from './options.js';
export { roomKeyToSwarmKey } from './pnet.js';
export { Libp2pTransport, type Libp2pTransportStats } from './transport.js';
