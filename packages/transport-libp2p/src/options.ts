/**
 * Options of the libp2p transport, shared by the Node and browser entries, with their
 * defaults and validation.
 */
import type { PrivateKey } from '@libp2p/interface';
import { ConfigError } from './errors.js';

/** The libp2p protocol id of Symmetric links: protocol name plus the Symmetric protocol version. */
export const DEFAULT_PROTOCOL = '/symmetric/1.0.0';

/** Largest frame by default: 1 MiB, the codec's default `maxFrameBytes`. */
export const DEFAULT_MAX_FRAME_BYTES = 1_048_576;

/** Reconnection backoff for bootstrap and relay addresses. */
export interface RedialOptions {
  /** First delay after a failure or a dropped link, in ms. Default 250. */
  readonly initialMs?: number;
  /** Upper bound of the delay, in ms. Default 15 000. */
  readonly maxMs?: number;
  /** Growth factor per consecutive failure. Default 2. */
  readonly factor?: number;
  /** Random spread, as a fraction of the delay (0.2 = ±20 %). Default 0.2. */
  readonly jitter?: number;
  /** A link that stayed up this long resets the backoff, in ms. Default 10 000. */
  readonly stableAfterMs?: number;
}

/** mDNS discovery on the local network (Node only). */
export interface MdnsOptions {
  /** Query interval in ms. Default 10 000 (libp2p's default). */
  readonly interval?: number;
  /** Service tag; only peers using the same tag find each other. Default `symmetric.local`. */
  readonly serviceTag?: string;
}

/** Dissemination over gossipsub: one topic per room (see the README for when to use it). */
export interface GossipOptions {
  /** Room name; the topic is `<protocol>/room/<room>`. */
  readonly room: string;
  /** Target mesh degree D (gossipsub default 6); Dlo/Dhi follow as D−2 / 2·D. */
  readonly meshDegree?: number;
  /** Heartbeat interval in ms (gossipsub default 1000). */
  readonly heartbeatMs?: number;
  /** Publish own messages to every subscribed peer, not only the mesh (gossipsub default true). */
  readonly floodPublish?: boolean;
  /**
   * Penalise more than this many room peers sharing one IP address (gossipsub's Sybil defence,
   * IP colocation factor). Off by default: with gossipsub's defaults (threshold 10) an eleventh
   * peer behind the same NAT, relay or host drives every score negative and the mesh never
   * forms (measured: 16 peers on 127.0.0.1 with 12 connections each had empty meshes).
   */
  readonly ipColocationThreshold?: number;
}

/** Serving as a circuit-relay-v2 relay for browsers (Node only). */
export interface RelayServerOptions {
  /** Most concurrent reservations. Default 128 (libp2p's default is 15). */
  readonly maxReservations?: number;
  /**
   * Keep libp2p's limits on relayed connections (2 minutes, 128 KiB each). Default `true`:
   * relayed connections only carry the WebRTC signalling; Symmetric frames go over WebRTC.
   */
  readonly applyDefaultLimit?: boolean;
}

/** A logging callback; the transport never logs anywhere else. */
export type LogFn = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  data?: Record<string, unknown>,
) => void;

/** Options of {@link createLibp2pTransport} (Node and browser entries share them). */
export interface Libp2pTransportOptions {
  /**
   * The peer's Ed25519 key: a libp2p `PrivateKey` or its protobuf bytes
   * ({@link identityToBytes}). Keep it to keep the peer id across restarts. Default: a new key.
   */
  readonly privateKey?: PrivateKey | Uint8Array;
  /**
   * Multiaddrs to listen on. Node default: `/ip4/0.0.0.0/tcp/0` and `/ip4/0.0.0.0/tcp/0/ws`.
   * Browser default: none (plus `/p2p-circuit` and `/webrtc`, added automatically when
   * `relays` or WebRTC are in use).
   */
  readonly listen?: readonly string[];
  /** Multiaddrs announced instead of the listen addresses (e.g. a public `/dns4/.../wss`). */
  readonly announce?: readonly string[];
  /** Multiaddrs of Symmetric peers to dial at start and re-dial with backoff whenever the link drops. */
  readonly bootstrap?: readonly string[];
  /**
   * Multiaddrs of circuit-relay-v2 relays to keep a connection (and a reservation) with, so
   * other peers can reach this one over WebRTC. Re-dialled with backoff.
   */
  readonly relays?: readonly string[];
  /** Backoff for `bootstrap` and `relays`. */
  readonly redial?: RedialOptions;
  /** The libp2p protocol id of Symmetric links. Default `/symmetric/1.0.0`. */
  readonly protocol?: string;
  /** Largest frame sent or accepted, in bytes. Default 1 MiB (the codec's default). */
  readonly maxFrameBytes?: number;
  /** Bytes queued for one link before the link is closed as too slow. Default 64 MiB. */
  readonly maxBufferedBytes?: number;
  /**
   * Unsent bytes of all links together: when a send would take the total beyond it, the link
   * holding the most is closed (`LINK_CLOSED`) and its stream aborted. Default 128 MiB.
   */
  readonly maxTotalBufferedBytes?: number;
  /** Time for the transport handshake on a new stream, in ms. Default 10 000. */
  readonly handshakeTimeoutMs?: number;
  /** Time for one `dial`, connection and handshake included, in ms. Default 10 000. */
  readonly dialTimeoutMs?: number;
  /**
   * Inbound connections accepted per second from one remote host. libp2p's default of 5
   * refuses the 6th peer connecting from the same IP within a second (a LAN behind one NAT,
   * a relay, a test on 127.0.0.1). Default 100.
   */
  readonly inboundConnectionsPerSecond?: number;
  /**
   * Inbound connections of one remote host (IP address) still in their upgrade (room key, Noise,
   * muxer) at once; the next one is refused and closed. One address holding many half-open
   * connections then cannot take the listener's pending slots from everyone else. Default 32.
   */
  readonly maxPendingInboundPerHost?: number;
  /** Inbound connections still in their upgrade at once, over all hosts. Default 256. */
  readonly maxPendingInbound?: number;
  /**
   * Time for an inbound connection's upgrade (room key, Noise, muxer), in ms; a connection still
   * silent or half-way after it is closed and frees its pending slot. Default 5 000 (libp2p's: 10 000).
   */
  readonly inboundUpgradeTimeoutMs?: number;
  /** Most connections in total; beyond it libp2p prunes untagged ones. Default 300 (Node) / 100 (browser). */
  readonly maxConnections?: number;
  /**
   * A private network: only peers holding the same room key can connect (libp2p pnet, XSalsa20
   * under Noise). A string or bytes of any length (hashed to a 32-byte pre-shared key), or a
   * libp2p swarm key file (`/key/swarm/psk/1.0.0/...`). Not applied to WebRTC links (libp2p
   * upgrades them without the protector); their signalling still needs the key.
   */
  readonly roomKey?: string | Uint8Array;
  /** mDNS discovery of other peers on the LAN (Node only): `true` or options. Default off. */
  readonly mdns?: boolean | MdnsOptions;
  /** Dissemination over gossipsub for one room. Default off. */
  readonly gossip?: GossipOptions;
  /**
   * WebRTC between peers through a relay. Browser: always on. Node: off unless set (it loads
   * the native `node-datachannel`).
   */
  readonly webrtc?: boolean | { readonly iceServers?: readonly RTCIceServerLike[] };
  /** Serve as a circuit-relay-v2 relay for browsers (Node only): `true` or options. */
  readonly relayServer?: boolean | RelayServerOptions;
  /**
   * Browser only: allow dialling `ws://` and private or loopback addresses, which libp2p's
   * browser connection gater refuses by default. Needed for a relay on localhost or a LAN.
   */
  readonly allowPrivateAddresses?: boolean;
  /** Receives the transport's log lines (errors are also reported to `onError`). */
  readonly log?: LogFn;
}

/** An ICE server as in `RTCIceServer` (kept structural so Node builds need no DOM types). */
export interface RTCIceServerLike {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly protocol: string;
  readonly maxFrameBytes: number;
  readonly maxBufferedBytes: number;
  readonly maxTotalBufferedBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly dialTimeoutMs: number;
  readonly inboundConnectionsPerSecond: number;
  readonly maxPendingInboundPerHost: number;
  readonly maxPendingInbound: number;
  readonly inboundUpgradeTimeoutMs: number;
  readonly redial: Required<RedialOptions>;
  readonly bootstrap: readonly string[];
  readonly relays: readonly string[];
  readonly log: LogFn;
}

const noop: LogFn = () => {};

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ConfigError('BAD_OPTION', `${name} must be a finite number >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Applies defaults and validates; throws {@link ConfigError} `BAD_OPTION`. */
export function resolveOptions(options: Libp2pTransportOptions): ResolvedOptions {
  const protocol = options.protocol ?? DEFAULT_PROTOCOL;
  if (typeof protocol !== 'string' || !protocol.startsWith('/') || protocol.length > 256) {
    throw new ConfigError(
      'BAD_OPTION',
      `protocol must be a libp2p protocol id starting with "/", got ${String(protocol)}`,
    );
  }
  const r = options.redial ?? {};
  const redial: Required<RedialOptions> = {
    initialMs: positive('redial.initialMs', r.initialMs, 250),
    maxMs: positive('redial.maxMs', r.maxMs, 15_000),
    factor: positive('redial.factor', r.factor, 2),
    jitter: positive('redial.jitter', r.jitter, 0.2, 0),
    stableAfterMs: positive('redial.stableAfterMs', r.stableAfterMs, 10_000, 0),
  };
  if (redial.jitter >= 1) throw new ConfigError('BAD_OPTION', 'redial.jitter must be below 1');
  if (
    options.gossip !== undefined &&
    (typeof options.gossip.room !== 'string' || options.gossip.room === '')
  ) {
    throw new ConfigError('BAD_OPTION', 'gossip.room must be a non-empty string');
  }
  for (const [name, list] of [
    ['bootstrap', options.bootstrap],
    ['relays', options.relays],
    ['listen', options.listen],
    ['announce', options.announce],
  ] as const) {
    if (list !== undefined && (!Array.isArray(list) || list.some((a) => typeof a !== 'string'))) {
      throw new ConfigError('BAD_OPTION', `${name} must be an array of multiaddr strings`);
    }
  }
  return {
    protocol,
    maxFrameBytes: positive('maxFrameBytes', options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES),
    maxBufferedBytes: positive('maxBufferedBytes', options.maxBufferedBytes, 64 * 1024 * 1024),
    maxTotalBufferedBytes: positive(
      'maxTotalBufferedBytes',
      options.maxTotalBufferedBytes,
      128 * 1024 * 1024,
    ),
    handshakeTimeoutMs: positive('handshakeTimeoutMs', options.handshakeTimeoutMs, 10_000),
    dialTimeoutMs: positive('dialTimeoutMs', options.dialTimeoutMs, 10_000),
    inboundConnectionsPerSecond: positive(
      'inboundConnectionsPerSecond',
      options.inboundConnectionsPerSecond,
      100,
    ),
    maxPendingInboundPerHost: positive('maxPendingInboundPerHost', options.maxPendingInboundPerHost, 32),
    maxPendingInbound: positive('maxPendingInbound', options.maxPendingInbound, 256),
    inboundUpgradeTimeoutMs: positive('inboundUpgradeTimeoutMs', options.inboundUpgradeTimeoutMs, 5_000),
    redial,
    bootstrap: options.bootstrap ?? [],
    relays: options.relays ?? [],
    log: options.log ?? noop,
  };
}
