/**
 * The libp2p {@link Transport}: one long-lived, length-prefixed stream per neighbour on the
 * Symmetric protocol id, over Noise-encrypted, yamux-multiplexed libp2p connections. The
 * platform entries (`index.ts` for Node, `browser.ts`) only differ in which libp2p transports
 * and services they plug in; everything here runs in both.
 *
 * This class wires the parts together and runs their lifecycle: the shared
 * {@link TransportContext}, the {@link LinkRegistry}, the {@link Dialer}, the
 * {@link InboundAcceptor}, the {@link AddressKeepers} and the gossip room.
 */
import type { Connection, PeerId, PrivateKey, Stream } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import {
  type Link,
  type RoomBroadcast,
  type Transport,
  TransportError,
  type TransportHandler,
} from '@symmetric/transport';
import type { Libp2p } from 'libp2p';
import { type Libp2pTransportStats, TransportContext } from './context.js';
import { Dialer, parseDialTarget } from './dialer.js';
import { describeError, toTransportError } from './errors.js';
import { GossipBroadcast, type GossipRoom, GossipRoomImpl } from './gossip.js';
import { randomNonce } from './handshake.js';
import { InboundAcceptor } from './inbound.js';
import { AddressKeepers } from './keepers.js';
import { peerIdOf, signWith, symmetricIdentity, toIdentity, verifySignature } from './keys.js';
import { createNode, type Platform } from './node-config.js';
import { type Libp2pTransportOptions, resolveOptions } from './options.js';
import { LinkRegistry } from './registry.js';

export type { Libp2pTransportStats } from './context.js';

/** Most concurrent Symmetric streams per connection and direction. */
const MAX_STREAMS_PER_CONNECTION = 16;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A Symmetric {@link Transport} over libp2p. Create it with `createLibp2pTransport` from the
 * package entry (Node or browser); the class itself is platform-neutral.
 */
export class Libp2pTransport implements Transport {
  /** `libp2p`. */
  readonly name = 'libp2p';
  /** This peer's id (libp2p Ed25519 peer id string): the Symmetric peer id. */
  readonly peerId: string;
  /** The libp2p protocol id of Symmetric links, e.g. `/symmetric/1.0.0`. */
  readonly protocol: string;
  /** Counters; see {@link Libp2pTransportStats}. */
  readonly counters: Libp2pTransportStats;

  private readonly key: PrivateKey;
  private readonly options: Libp2pTransportOptions;
  private readonly platform: Platform;
  private readonly ctx: TransportContext;
  private readonly registry: LinkRegistry;
  private readonly dialer: Dialer;
  private readonly inbound: InboundAcceptor;
  private readonly keepers: AddressKeepers;
  private stopPromise: Promise<void> | undefined;
  private room_: GossipRoomImpl | undefined;
  private readonly broadcast_: GossipBroadcast | undefined;

  /**
   * Use `createLibp2pTransport` (from either entry) instead: it resolves the identity and the
   * platform.
   * @internal
   * @param platform The platform entry (Node or browser) providing libp2p transports.
   * @param options See {@link Libp2pTransportOptions}.
   * @param key The identity (already resolved; the factories generate one when none is given).
   */
  constructor(platform: Platform, options: Libp2pTransportOptions, key: PrivateKey) {
    this.platform = platform;
    this.options = options;
    const settings = resolveOptions(options);
    this.key = toIdentity(key);
    this.peerId = peerIdOf(this.key);
    this.protocol = settings.protocol;
    const ctx = new TransportContext(this.peerId, settings);
    this.ctx = ctx;
    this.counters = ctx.counters;
    this.registry = new LinkRegistry(ctx);
    this.dialer = new Dialer(ctx, this.registry);
    this.inbound = new InboundAcceptor(ctx, this.registry);
    this.keepers = new AddressKeepers(ctx, {
      peerOf: (address) => parseDialTarget(address).peer,
      isLinked: (peer) => this.registry.linkTo(peer) !== undefined,
      link: (address) => this.dialer.dial(address),
      connect: (address, generation) => this.dialer.connect(address, generation),
    });
    this.registry.observe(this.keepers);
    this.broadcast_ =
      options.gossip === undefined
        ? undefined
        : new GossipBroadcast(settings.maxFrameBytes, { error: (e) => ctx.report(e) });
  }

  /** The libp2p node while started (for advanced use: metrics, extra protocols); `undefined` otherwise. */
  get libp2p(): Libp2p | undefined {
    return this.ctx.node;
  }

  /** The gossipsub room when the `gossip` option is set and the transport is started. */
  get room(): GossipRoom | undefined {
    return this.room_;
  }

  /**
   * The room's gossipsub topic as a `Transport.broadcast` channel (with the `gossip` option;
   * `undefined` without it). Present before `start`; `publish` returns `false` while stopped, and
   * listeners stay registered across restarts. `@symmetric/peer` uses it with
   * `dissemination: 'broadcast'`.
   */
  get broadcast(): RoomBroadcast | undefined {
    return this.broadcast_;
  }

  /** A snapshot of the counters. */
  stats(): Libp2pTransportStats {
    return { ...this.counters };
  }

  /**
   * This transport's key as the Symmetric peer identity (`createPeer({ identity })`): the same
   * Ed25519 key, so the peer id, the libp2p peer id and the key that signs events are one.
   */
  get identity(): {
    readonly peerId: string;
    readonly publicKey: Uint8Array;
    readonly secretKey: Uint8Array;
  } {
    return symmetricIdentity(this.key);
  }

  /** Signs `data` with this peer's key (64-byte Ed25519 signature); works before `start`. */
  sign(data: Uint8Array): Promise<Uint8Array> {
    return signWith(this.key, data);
  }

  /** `true` when `signature` is `peerId`'s signature of `data`; never throws. */
  verify(peerId: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return verifySignature(peerId, data, signature);
  }

  async start(handler: TransportHandler): Promise<void> {
    const { ctx } = this;
    if (ctx.phase !== 'idle') throw new TransportError('ALREADY_STARTED', `transport is ${ctx.phase}`);
    ctx.phase = 'starting';
    const generation = ++ctx.generation;
    ctx.handler = handler;
    ctx.nonce = randomNonce();
    let node: Libp2p;
    try {
      node = await createNode(this.key, this.options, ctx.settings, this.platform);
    } catch (error) {
      ctx.phase = 'idle';
      ctx.handler = undefined;
      throw toTransportError('LISTEN_FAILED', 'libp2p failed to start', error);
    }
    ctx.node = node;
    try {
      await node.handle(
        this.protocol,
        (stream: Stream, connection: Connection) => this.inbound.accept(stream, connection, generation),
        { maxInboundStreams: MAX_STREAMS_PER_CONNECTION, maxOutboundStreams: MAX_STREAMS_PER_CONNECTION },
      );
      this.startRoom(node);
    } catch (error) {
      this.broadcast_?.bind(undefined);
      this.room_ = undefined;
      await Promise.resolve(node.stop()).catch(() => {});
      ctx.node = undefined;
      ctx.phase = 'idle';
      ctx.handler = undefined;
      throw toTransportError('LISTEN_FAILED', 'could not register the Symmetric protocol', error);
    }
    this.watchNode(node, generation);
    ctx.phase = 'running';
    ctx.log('info', 'libp2p transport started', { peerId: this.peerId, addresses: this.addresses() });
    this.keepers.start();
  }

  addresses(): string[] {
    if (!this.ctx.running || this.ctx.node === undefined) return [];
    return this.ctx.node.getMultiaddrs().map((ma) => ma.toString());
  }

  links(): Link[] {
    return this.registry.all();
  }

  dial(address: string): Promise<Link> {
    return this.dialer.dial(address);
  }

  async stop(): Promise<void> {
    if (this.ctx.phase === 'idle') return;
    if (this.ctx.phase === 'stopping' || this.stopPromise !== undefined) return this.stopPromise;
    this.stopPromise = this.shutDown();
    try {
      await this.stopPromise;
    } finally {
      this.stopPromise = undefined;
    }
  }

  private startRoom(node: Libp2p): void {
    const { gossip } = this.options;
    if (gossip === undefined) return;
    this.room_ = new GossipRoomImpl(node, gossip.room, this.protocol, this.ctx.settings.maxFrameBytes, {
      error: (e) => this.ctx.report(e),
    });
    this.room_.start();
    this.broadcast_?.bind(this.room_);
  }

  /** Dials peers mDNS finds, and re-dials relays whose connection drops. */
  private watchNode(node: Libp2p, generation: number): void {
    const { ctx } = this;
    const discovery = (node.services as { mdns?: EventTarget }).mdns;
    discovery?.addEventListener('peer', (evt) => {
      if (!ctx.isLive(generation)) return;
      const info = (evt as CustomEvent<{ id: PeerId; multiaddrs: Multiaddr[] }>).detail;
      const peer = info.id.toString();
      if (peer === this.peerId || this.registry.linkTo(peer) !== undefined || this.dialer.isDialling(peer)) {
        return;
      }
      ctx.log('debug', 'discovered peer', { peer });
      void Promise.resolve(node.peerStore.merge(info.id, { multiaddrs: info.multiaddrs }))
        .then(() => this.dialer.dialTarget({ kind: 'peer', peer, peerId: info.id }))
        .catch((error: unknown) => {
          ctx.report(toTransportError('DIAL_FAILED', `dial to discovered peer ${peer} failed`, error));
        });
    });
    node.addEventListener('peer:disconnect', (evt) => {
      if (ctx.isLive(generation)) this.keepers.disconnected(evt.detail.toString());
    });
  }

  private async shutDown(): Promise<void> {
    const { ctx } = this;
    // A start in progress finishes first, so its node is stopped too.
    while (ctx.phase === 'starting') await sleep(10);
    if (ctx.phase !== 'running') return;
    ctx.phase = 'stopping';
    const node = ctx.node;
    this.keepers.stop();
    this.broadcast_?.bind(undefined);
    this.room_?.stop();
    this.room_ = undefined;
    this.registry.stop();
    // Let the closes flush before the connections go.
    await sleep(10);
    try {
      await node?.stop();
    } catch (error) {
      ctx.log('warn', 'libp2p stop failed', { error: describeError(error) });
    }
    ctx.node = undefined;
    this.registry.clear();
    this.dialer.clear();
    ctx.phase = 'idle';
    ctx.log('info', 'libp2p transport stopped', { peerId: this.peerId });
  }
}
