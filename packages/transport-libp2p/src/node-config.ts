/**
 * Building the libp2p node: the platform's transports, listeners and services, plus what every
 * platform shares: Noise, yamux, identify, the connection limits, gossipsub for a room, and the
 * pre-shared key of a private network.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, identifyPush } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { preSharedKey } from '@libp2p/pnet';
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p';
import { gossipService } from './gossip.js';
import { inboundGate } from './inbound-gate.js';
import type { Libp2pTransportOptions, ResolvedOptions } from './options.js';
import { roomKeyToSwarmKey } from './pnet.js';

/** What a platform entry contributes to the libp2p node. */
export interface PlatformConfig {
  readonly transports: NonNullable<Libp2pOptions['transports']>;
  readonly peerDiscovery?: NonNullable<Libp2pOptions['peerDiscovery']>;
  readonly services?: Record<string, (components: never) => unknown>;
  /** Default listen addresses (replaced by the `listen` option). */
  readonly listen: readonly string[];
  /** Listen addresses always added (`/webrtc`, `/p2p-circuit`). */
  readonly extraListen: readonly string[];
  readonly connectionGater?: Libp2pOptions['connectionGater'];
  readonly maxConnections: number;
}

/** A platform entry: builds its part of the libp2p configuration from the options. */
export interface Platform {
  /** `node` or `browser`. */
  readonly name: string;
  /** Validates platform-specific options and returns the libp2p pieces. */
  configure(options: Libp2pTransportOptions): Promise<PlatformConfig>;
}

/** The libp2p options of a transport node: `platform`'s pieces with the shared ones. */
export async function libp2pOptions(
  key: PrivateKey,
  options: Libp2pTransportOptions,
  settings: ResolvedOptions,
  platform: PlatformConfig,
): Promise<Libp2pOptions> {
  const services: Record<string, unknown> = {
    identify: identify(),
    identifyPush: identifyPush(),
    ...platform.services,
  };
  if (options.gossip !== undefined) services.pubsub = gossipService(options.gossip, settings.maxFrameBytes);
  const init: Libp2pOptions = {
    privateKey: key,
    addresses: {
      listen: [...(options.listen ?? platform.listen), ...platform.extraListen],
      ...(options.announce === undefined ? {} : { announce: [...options.announce] }),
    },
    transports: platform.transports,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: options.maxConnections ?? platform.maxConnections,
      inboundConnectionThreshold: settings.inboundConnectionsPerSecond,
      maxIncomingPendingConnections: settings.maxPendingInbound,
      inboundUpgradeTimeout: settings.inboundUpgradeTimeoutMs,
      dialTimeout: settings.dialTimeoutMs,
    },
    services: services as NonNullable<Libp2pOptions['services']>,
    connectionGater: inboundGate(settings.maxPendingInboundPerHost, settings.log, platform.connectionGater)
      .gater,
  };
  if (platform.peerDiscovery !== undefined) init.peerDiscovery = platform.peerDiscovery;
  if (options.roomKey !== undefined) {
    init.connectionProtector = preSharedKey({ psk: await roomKeyToSwarmKey(options.roomKey) });
  }
  return init;
}

/** Creates (and starts) the libp2p node of a transport on `platform`. */
export async function createNode(
  key: PrivateKey,
  options: Libp2pTransportOptions,
  settings: ResolvedOptions,
  platform: Platform,
): Promise<Libp2p> {
  const config = await platform.configure(options);
  return createLibp2p(await libp2pOptions(key, options, settings, config));
}
