/**
 * The libp2p {@link Transport}: one long-lived, length-prefixed stream per neighbour on the
 * Symmetric protocol id, over Noise-encrypted, yamux-multiplexed libp2p connections. The
 * platform entries (`index.ts` for Node, `browser.ts`) only differ in which libp2p transports
 * and services they plug in; everything here runs in both.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, identifyPush } from '@libp2p/identify';
import type { Connection, PeerId, PrivateKey, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { preSharedKey } from '@libp2p/pnet';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import type {
  CloseInfo,
  Link,
  RoomBroadcast,
  Transport,
  TransportErrorCode,
  TransportHandler,
} from '@symmetric/transport';
import { isTransportError, TransportError } from '@symmetric/transport';
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p';
import { encodeFrame, FrameDecoder } from './framing.js';
import { GossipBroadcast, type GossipRoom, GossipRoomImpl, gossipService } from './gossip.js';
import {
  decodeHandshake,
  encodeAccept,
  encodeHello,
  encodeReject,
  HANDSHAKE_VERSION,
  type HandshakeFrame,
  RejectCode,
  randomNonce,
} from './handshake.js';
import { peerIdOf, signWith, toIdentity, verifySignature } from './keys.js';
import { type Libp2pTransportOptions, type ResolvedOptions, resolveOptions } from './options.js';
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

/** Counters of one transport instance (monotonic over its lifetime, across restarts). */
export interface Libp2pTransportStats {
  /** Links reported to `onLink`. */
  linksOpened: number;
  /** Links reported to `onClose`. */
  linksClosed: number;
  /** Frames handed to `onFrame`. */
  framesIn: number;
  /** Frames accepted by `Link.send`. */
  framesOut: number;
  /** Payload bytes of `framesIn`. */
  bytesIn: number;
  /** Payload bytes of `framesOut`. */
  bytesOut: number;
  /** Dials that rejected (explicit or background). */
  dialFailures: number;
  /** Streams refused because the tie-break kept another link to the same peer. */
  duplicatesRejected: number;
  /** Streams or connections dropped for breaking the protocol (garbage, oversized, timeouts). */
  protocolErrors: number;
  /** Background re-dials of bootstrap and relay addresses. */
  redials: number;
  /** Links replaced because the neighbour restarted (new instance) or re-dialled. */
  linksReplaced: number;
}

type Target =
  | { readonly kind: 'addr'; readonly addr: Multiaddr; readonly peer: string | undefined }
  | {
      readonly kind: 'peer';
      readonly peer: string;
      readonly peerId: PeerId;
    };

interface Keeper {
  readonly address: string;
  readonly kind: 'symmetric' | 'relay';
  peer: string | undefined;
  attempt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  busy: boolean;
}

/** Internal: the transport side of a link, used by {@link Libp2pLink}. */
interface LinkOwner {
  sendOn(link: Libp2pLink, frame: Uint8Array): boolean;
  closeLink(link: Libp2pLink, info: CloseInfo): void;
}

/** One Symmetric link: one libp2p stream to one neighbour. */
class Libp2pLink implements Link {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly remoteAddress: string;
  readonly remotePeerId: string;
  /** The neighbour's instance nonce from the handshake (changes when it restarts). */
  readonly remoteNonce: string;
  readonly openedAt: number;
  open = true;
  readonly stream: Stream;
  readonly connection: Connection;
  private readonly owner: LinkOwner;

  constructor(
    owner: LinkOwner,
    init: {
      id: string;
      direction: 'inbound' | 'outbound';
      stream: Stream;
      connection: Connection;
      remotePeerId: string;
      remoteNonce: string;
    },
  ) {
    this.owner = owner;
    this.id = init.id;
    this.direction = init.direction;
    this.stream = init.stream;
    this.connection = init.connection;
    this.remoteAddress = init.connection.remoteAddr.toString();
    this.remotePeerId = init.remotePeerId;
    this.remoteNonce = init.remoteNonce;
    this.openedAt = Date.now();
  }

  send(frame: Uint8Array): boolean {
    return this.owner.sendOn(this, frame);
  }

  close(reason = 'closed'): void {
    this.owner.closeLink(this, { local: true, reason });
  }
}

/**
 * The per-stream reader: feeds chunks to the frame decoder, hands the first frame to the
 * handshake callback and every later frame to the link.
 */
class StreamSession {
  link: Libp2pLink | undefined;
  /** Set once the stream is given up (violation, reject, close): nothing more is delivered. */
  dead = false;
  private handshakeSeen = false;
  readonly decoder: FrameDecoder;

  constructor(
    readonly stream: Stream,
    readonly connection: Connection,
    maxFrameBytes: number,
    private readonly callbacks: {
      handshake(session: StreamSession, frame: Uint8Array): void;
      frame(link: Libp2pLink, frame: Uint8Array): void;
      violation(session: StreamSession, error: TransportError): void;
      ended(session: StreamSession, error: Error | undefined, remoteClose: boolean): void;
    },
  ) {
    this.decoder = new FrameDecoder(maxFrameBytes);
    stream.addEventListener('message', (evt) => this.onMessage(evt.data));
    stream.addEventListener('remoteCloseWrite', () => this.callbacks.ended(this, undefined, true));
    stream.addEventListener('close', (evt) => this.callbacks.ended(this, evt.error, false));
  }

  private onMessage(data: Uint8Array | { subarray(): Uint8Array; readonly byteLength: number }): void {
    if (this.dead) return;
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(data);
    } catch (error) {
      this.callbacks.violation(
        this,
        isTransportError(error)
          ? error
          : new TransportError('PROTOCOL', 'undecodable frame', { cause: error }),
      );
      return;
    }
    for (const frame of frames) {
      if (this.dead) return;
      if (!this.handshakeSeen) {
        this.handshakeSeen = true;
        this.callbacks.handshake(this, frame);
        continue;
      }
      const link = this.link;
      if (link === undefined) {
        this.callbacks.violation(
          this,
          new TransportError('PROTOCOL', 'frame before the handshake completed'),
        );
        return;
      }
      if (!link.open) return; // closed locally: the rest is dropped, never delivered after onClose
      this.callbacks.frame(link, frame);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function wrap(code: TransportErrorCode, message: string, cause: unknown): TransportError {
  if (isTransportError(cause)) return cause;
  const name = (cause as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new TransportError('TIMEOUT', `${message}: timed out`, { cause });
  }
  return new TransportError(code, `${message}: ${describe(cause)}`, { cause });
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
  readonly counters: Libp2pTransportStats = {
    linksOpened: 0,
    linksClosed: 0,
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    dialFailures: 0,
    duplicatesRejected: 0,
    protocolErrors: 0,
    redials: 0,
    linksReplaced: 0,
  };

  private readonly key: PrivateKey;
  private readonly options: Libp2pTransportOptions;
  private readonly resolved: ResolvedOptions;
  private readonly platform: Platform;
  private node: Libp2p | undefined;
  private handler: TransportHandler | undefined;
  private state: 'idle' | 'starting' | 'running' | 'stopping' = 'idle';
  private stopPromise: Promise<void> | undefined;
  private generation = 0;
  private nonce = '';
  private nextLinkId = 0;
  private readonly links_ = new Map<string, Libp2pLink>();
  private readonly byPeer = new Map<string, Libp2pLink>();
  private readonly dialing = new Map<string, Promise<Link>>();
  private readonly handshaking = new Set<string>();
  private readonly inboundPending = new Map<string, number>();
  private readonly linkWaiters = new Map<string, Set<() => void>>();
  private readonly keepers: Keeper[] = [];
  private readonly sessions = new Set<StreamSession>();
  private room_: GossipRoomImpl | undefined;
  private readonly broadcast_: GossipBroadcast | undefined;

  /**
   * @param platform The platform entry (Node or browser) providing libp2p transports.
   * @param options See {@link Libp2pTransportOptions}.
   * @param key The identity (already resolved; the factories generate one when none is given).
   */
  constructor(platform: Platform, options: Libp2pTransportOptions, key: PrivateKey) {
    this.platform = platform;
    this.options = options;
    this.resolved = resolveOptions(options);
    this.key = toIdentity(key);
    this.peerId = peerIdOf(this.key);
    this.protocol = this.resolved.protocol;
    this.broadcast_ =
      options.gossip === undefined
        ? undefined
        : new GossipBroadcast(this.resolved.maxFrameBytes, { error: (e) => this.report(e) });
  }

  /** The libp2p node while started (for advanced use: metrics, extra protocols); `undefined` otherwise. */
  get libp2p(): Libp2p | undefined {
    return this.node;
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

  /** Signs `data` with this peer's key (64-byte Ed25519 signature); works before `start`. */
  sign(data: Uint8Array): Promise<Uint8Array> {
    return signWith(this.key, data);
  }

  /** `true` when `signature` is `peerId`'s signature of `data`; never throws. */
  verify(peerId: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return verifySignature(peerId, data, signature);
  }

  async start(handler: TransportHandler): Promise<void> {
    if (this.state !== 'idle') {
      throw new TransportError('ALREADY_STARTED', `transport is ${this.state}`);
    }
    this.state = 'starting';
    const generation = ++this.generation;
    this.handler = handler;
    this.nonce = randomNonce();
    let node: Libp2p;
    try {
      node = await this.createNode();
    } catch (error) {
      this.state = 'idle';
      this.handler = undefined;
      throw wrap('LISTEN_FAILED', 'libp2p failed to start', error);
    }
    this.node = node;
    try {
      await node.handle(
        this.protocol,
        (stream, connection) => this.onInboundStream(stream, connection, generation),
        {
          maxInboundStreams: 16,
          maxOutboundStreams: 16,
        },
      );
      if (this.options.gossip !== undefined) {
        this.room_ = new GossipRoomImpl(
          node,
          this.options.gossip.room,
          this.protocol,
          this.resolved.maxFrameBytes,
          {
            error: (e) => this.report(e),
          },
        );
        this.room_.start();
        this.broadcast_?.bind(this.room_);
      }
    } catch (error) {
      this.broadcast_?.bind(undefined);
      this.room_ = undefined;
      await Promise.resolve(node.stop()).catch(() => {});
      this.node = undefined;
      this.state = 'idle';
      this.handler = undefined;
      throw wrap('LISTEN_FAILED', 'could not register the Symmetric protocol', error);
    }
    const discovery = (node.services as { mdns?: EventTarget }).mdns;
    discovery?.addEventListener('peer', (evt) => {
      if (this.generation !== generation || this.state !== 'running') return;
      const info = (evt as CustomEvent<{ id: PeerId; multiaddrs: Multiaddr[] }>).detail;
      const peer = info.id.toString();
      if (peer === this.peerId || this.byPeer.has(peer) || this.dialing.has(peer)) return;
      this.log('debug', 'discovered peer', { peer });
      void Promise.resolve(node.peerStore.merge(info.id, { multiaddrs: info.multiaddrs }))
        .then(() => this.dialTarget({ kind: 'peer', peer, peerId: info.id }))
        .catch((error: unknown) => {
          this.report(wrap('DIAL_FAILED', `dial to discovered peer ${peer} failed`, error));
        });
    });
    node.addEventListener('peer:disconnect', (evt) => {
      if (this.generation !== generation || this.state !== 'running') return;
      const peer = evt.detail.toString();
      for (const k of this.keepers) if (k.kind === 'relay' && k.peer === peer) this.scheduleKeeper(k);
    });
    this.state = 'running';
    this.log('info', 'libp2p transport started', { peerId: this.peerId, addresses: this.addresses() });
    for (const address of this.resolved.bootstrap) this.addKeeper(address, 'symmetric');
    for (const address of this.resolved.relays) this.addKeeper(address, 'relay');
  }

  private async createNode(): Promise<Libp2p> {
    const platform = await this.platform.configure(this.options);
    const services: Record<string, unknown> = {
      identify: identify(),
      identifyPush: identifyPush(),
      ...platform.services,
    };
    if (this.options.gossip !== undefined)
      services.pubsub = gossipService(this.options.gossip, this.resolved.maxFrameBytes);
    const init: Libp2pOptions = {
      privateKey: this.key,
      addresses: {
        listen: [...(this.options.listen ?? platform.listen), ...platform.extraListen],
        ...(this.options.announce === undefined ? {} : { announce: [...this.options.announce] }),
      },
      transports: platform.transports,
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: {
        maxConnections: this.options.maxConnections ?? platform.maxConnections,
        inboundConnectionThreshold: this.resolved.inboundConnectionsPerSecond,
        maxIncomingPendingConnections: Math.max(10, this.resolved.inboundConnectionsPerSecond),
        dialTimeout: this.resolved.dialTimeoutMs,
      },
      services: services as NonNullable<Libp2pOptions['services']>,
    };
    if (platform.peerDiscovery !== undefined) init.peerDiscovery = platform.peerDiscovery;
    if (platform.connectionGater !== undefined) init.connectionGater = platform.connectionGater;
    if (this.options.roomKey !== undefined) {
      init.connectionProtector = preSharedKey({ psk: await roomKeyToSwarmKey(this.options.roomKey) });
    }
    return createLibp2p(init);
  }

  addresses(): string[] {
    if (this.state !== 'running' || this.node === undefined) return [];
    return this.node.getMultiaddrs().map((ma) => ma.toString());
  }

  links(): Link[] {
    return [...this.links_.values()];
  }

  dial(address: string): Promise<Link> {
    if (this.state !== 'running') {
      return Promise.reject(new TransportError('NOT_STARTED', `cannot dial: transport is ${this.state}`));
    }
    let target: Target;
    try {
      target = this.parseTarget(address);
    } catch (error) {
      return Promise.reject(wrap('BAD_ADDRESS', `bad address ${JSON.stringify(address)}`, error));
    }
    return this.dialTarget(target);
  }

  private parseTarget(address: string): Target {
    if (typeof address !== 'string' || address.trim() === '') {
      throw new TransportError('BAD_ADDRESS', 'empty address');
    }
    if (!address.startsWith('/')) {
      // A bare peer id: dial through the addresses libp2p knows (discovery, earlier dials).
      const peerId = peerIdFromString(address);
      return { kind: 'peer', peer: peerId.toString(), peerId };
    }
    const addr = multiaddr(address);
    if (addr.getComponents().length === 0) throw new TransportError('BAD_ADDRESS', 'empty multiaddr');
    const peer = addr.getComponents().findLast((c) => c.name === 'p2p')?.value;
    return { kind: 'addr', addr, peer };
  }

  private dialTarget(target: Target): Promise<Link> {
    const peer = target.peer;
    if (peer === this.peerId) {
      this.counters.dialFailures++;
      return Promise.reject(new TransportError('BAD_ADDRESS', 'cannot dial this transport itself'));
    }
    if (peer !== undefined) {
      const existing = this.byPeer.get(peer);
      if (existing?.open) return Promise.resolve(existing);
      const inFlight = this.dialing.get(peer);
      if (inFlight !== undefined) return inFlight;
    }
    const promise = this.runDial(target).catch((error: unknown) => {
      this.counters.dialFailures++;
      throw wrap('DIAL_FAILED', 'dial failed', error);
    });
    if (peer !== undefined) {
      this.dialing.set(peer, promise);
      const clear = (): void => {
        if (this.dialing.get(peer) === promise) this.dialing.delete(peer);
      };
      promise.then(clear, clear);
    }
    return promise;
  }

  private async runDial(target: Target): Promise<Link> {
    const generation = this.generation;
    const deadline = Date.now() + this.resolved.dialTimeoutMs;
    let retryDelay = 50;
    for (;;) {
      const node = this.liveNode(generation);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new TransportError('TIMEOUT', 'dial timed out');
      let connection: Connection;
      try {
        connection = await node.dial(target.kind === 'addr' ? target.addr : target.peerId, {
          signal: AbortSignal.timeout(remaining),
        });
      } catch (error) {
        this.liveNode(generation);
        throw wrap('DIAL_FAILED', `could not connect to ${this.describeTarget(target)}`, error);
      }
      this.liveNode(generation);
      const peer = connection.remotePeer.toString();
      if (peer === this.peerId)
        throw new TransportError('BAD_ADDRESS', 'the address is this transport itself');
      if (target.peer === undefined) {
        // Learnt the peer only now: join a dial already under way to it.
        const other = this.dialing.get(peer);
        if (other !== undefined) return other;
      }
      const existing = this.byPeer.get(peer);
      if (existing?.open) return existing;
      if ((this.inboundPending.get(peer) ?? 0) > 0) {
        // The neighbour is dialling us right now: give its handshake a moment.
        const link = await this.waitForLink(
          peer,
          Math.min(this.resolved.handshakeTimeoutMs, deadline - Date.now()),
        );
        if (link !== undefined) return link;
        this.liveNode(generation);
      }
      const outcome = await this.handshakeOut(connection, peer, generation, deadline);
      if (outcome.kind === 'link') return outcome.link;
      // Rejected as a duplicate: the neighbour keeps (or is about to report) another link.
      const link = await this.waitForLink(peer, Math.min(retryDelay * 4, Math.max(0, deadline - Date.now())));
      if (link !== undefined) return link;
      await sleep(retryDelay);
      retryDelay = Math.min(retryDelay * 2, 1000);
    }
  }

  private describeTarget(target: Target): string {
    return target.kind === 'addr' ? target.addr.toString() : target.peer;
  }

  /** The running node of `generation`, or throws NOT_STARTED when stopped in between. */
  private liveNode(generation: number): Libp2p {
    if (this.generation !== generation || this.state !== 'running' || this.node === undefined) {
      throw new TransportError('NOT_STARTED', 'transport stopped during the dial');
    }
    return this.node;
  }

  private waitForLink(peer: string, timeoutMs: number): Promise<Libp2pLink | undefined> {
    const existing = this.byPeer.get(peer);
    if (existing?.open) return Promise.resolve(existing);
    if (timeoutMs <= 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let waiters = this.linkWaiters.get(peer);
      if (waiters === undefined) {
        waiters = new Set();
        this.linkWaiters.set(peer, waiters);
      }
      const set = waiters;
      const done = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.linkWaiters.get(peer) === set) this.linkWaiters.delete(peer);
        const link = this.byPeer.get(peer);
        resolve(link?.open ? link : undefined);
      };
      const wake = (): void => done();
      const timer = setTimeout(done, timeoutMs);
      set.add(wake);
    });
  }

  private wakeWaiters(peer: string): void {
    const waiters = this.linkWaiters.get(peer);
    if (waiters !== undefined) for (const wake of [...waiters]) wake();
  }

  /** Opens the stream, sends HELLO, waits for ACCEPT or REJECT. */
  private async handshakeOut(
    connection: Connection,
    peer: string,
    generation: number,
    deadline: number,
  ): Promise<{ kind: 'link'; link: Libp2pLink } | { kind: 'duplicate' }> {
    // Announce the dial before opening the stream, so an inbound HELLO from the same peer
    // arriving meanwhile goes through the tie-break.
    this.handshaking.add(peer);
    let stream: Stream;
    try {
      stream = await connection.newStream(this.protocol, {
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
    } catch (error) {
      this.handshaking.delete(peer);
      this.liveNode(generation);
      throw wrap('HANDSHAKE_FAILED', `peer ${peer} does not speak ${this.protocol}`, error);
    }
    if (this.generation !== generation || this.state !== 'running') {
      this.handshaking.delete(peer);
      stream.abort(new Error('transport stopped'));
      throw new TransportError('NOT_STARTED', 'transport stopped during the dial');
    }
    const already = this.byPeer.get(peer);
    if (already?.open) {
      // The neighbour's own dial won the tie-break while we were opening the stream.
      this.handshaking.delete(peer);
      void stream.close().catch(() => stream.abort(new Error('duplicate')));
      return { kind: 'link', link: already };
    }
    stream.maxWriteBufferLength = this.resolved.maxBufferedBytes;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.handshaking.delete(peer);
        this.sessions.delete(session);
        fn();
      };
      const fail = (error: TransportError, hangUp: boolean): void => {
        session.dead = true;
        finish(() => reject(error));
        stream.abort(error);
        if (hangUp) connection.abort(error);
      };
      const session = new StreamSession(stream, connection, this.resolved.maxFrameBytes, {
        handshake: (s, frame) => {
          let answer: HandshakeFrame;
          try {
            answer = decodeHandshake(frame);
          } catch (error) {
            this.counters.protocolErrors++;
            fail(wrap('PROTOCOL', `bad handshake answer from ${peer}`, error), true);
            return;
          }
          if (answer.kind === 'reject') {
            s.dead = true;
            void stream.close().catch(() => {});
            if (answer.code === RejectCode.Duplicate) {
              finish(() => resolve({ kind: 'duplicate' }));
            } else {
              finish(() =>
                reject(new TransportError('HANDSHAKE_FAILED', `refused by ${peer}: ${answer.reason}`)),
              );
            }
            return;
          }
          if (answer.kind !== 'accept' || answer.version !== HANDSHAKE_VERSION) {
            this.counters.protocolErrors++;
            fail(new TransportError('PROTOCOL', `unexpected handshake answer from ${peer}`), true);
            return;
          }
          if (this.generation !== generation || this.state !== 'running') {
            fail(new TransportError('NOT_STARTED', 'transport stopped during the dial'), false);
            return;
          }
          const existing = this.byPeer.get(peer);
          if (existing?.open) {
            // Cannot happen with a conforming neighbour (it refuses while its own dial is pending);
            // keep the link we already report and drop this stream.
            s.dead = true;
            void stream.close().catch(() => {});
            finish(() => resolve({ kind: 'link', link: existing }));
            return;
          }
          const link = this.adopt(s, 'outbound', peer, answer.nonce);
          finish(() => resolve({ kind: 'link', link }));
        },
        frame: (link, frame) => this.deliver(link, frame),
        violation: (s, error) => this.violation(s, error, peer),
        ended: (s, error, remoteClose) => {
          if (s.link !== undefined) {
            this.streamEnded(s.link, error, remoteClose);
            return;
          }
          if (!settled) {
            s.dead = true;
            finish(() =>
              reject(
                new TransportError('HANDSHAKE_FAILED', `stream to ${peer} closed during the handshake`, {
                  cause: error,
                }),
              ),
            );
            stream.abort(new Error('handshake aborted'));
          }
        },
      });
      this.sessions.add(session);
      const timer = setTimeout(
        () => {
          this.counters.protocolErrors++;
          fail(new TransportError('TIMEOUT', `no handshake answer from ${peer}`), false);
        },
        Math.max(1, Math.min(this.resolved.handshakeTimeoutMs, deadline - Date.now())),
      );
      try {
        stream.send(encodeFrame(encodeHello(this.nonce)));
      } catch (error) {
        fail(wrap('HANDSHAKE_FAILED', `could not write to ${peer}`, error), false);
      }
    });
  }

  private onInboundStream(stream: Stream, connection: Connection, generation: number): void {
    if (this.generation !== generation || this.state !== 'running') {
      stream.abort(new Error('transport not running'));
      return;
    }
    const peer = connection.remotePeer.toString();
    stream.maxWriteBufferLength = this.resolved.maxBufferedBytes;
    this.inboundPending.set(peer, (this.inboundPending.get(peer) ?? 0) + 1);
    let pending = true;
    const settle = (): void => {
      if (!pending) return;
      pending = false;
      clearTimeout(timer);
      this.sessions.delete(session);
      const n = (this.inboundPending.get(peer) ?? 1) - 1;
      if (n <= 0) this.inboundPending.delete(peer);
      else this.inboundPending.set(peer, n);
    };
    const session = new StreamSession(stream, connection, this.resolved.maxFrameBytes, {
      handshake: (s, frame) => {
        settle();
        let hello: HandshakeFrame;
        try {
          hello = decodeHandshake(frame);
          if (hello.kind !== 'hello')
            throw new TransportError('PROTOCOL', `expected HELLO, got ${hello.kind}`);
        } catch (error) {
          this.violation(s, wrap('PROTOCOL', `garbage instead of a handshake from ${peer}`, error), peer);
          return;
        }
        this.decideInbound(s, peer, hello);
      },
      frame: (link, frame) => this.deliver(link, frame),
      violation: (s, error) => {
        settle();
        this.violation(s, error, peer);
      },
      ended: (s, error, remoteClose) => {
        settle();
        if (s.link !== undefined) this.streamEnded(s.link, error, remoteClose);
        else if (!s.dead) {
          s.dead = true;
          if (remoteClose) void stream.close().catch(() => {});
        }
      },
    });
    this.sessions.add(session);
    const timer = setTimeout(() => {
      settle();
      this.violation(session, new TransportError('TIMEOUT', `no handshake from ${peer} in time`), peer);
    }, this.resolved.handshakeTimeoutMs);
  }

  /** The tie-break: exactly one link per neighbour, even when both dial at once. */
  private decideInbound(
    session: StreamSession,
    peer: string,
    hello: { version: number; nonce: string },
  ): void {
    const { stream } = session;
    const refuse = (code: (typeof RejectCode)[keyof typeof RejectCode], reason: string): void => {
      session.dead = true;
      try {
        stream.send(encodeFrame(encodeReject(code, reason)));
      } catch {
        // closing anyway
      }
      void stream.close().catch(() => {});
    };
    if (this.state !== 'running') {
      refuse(RejectCode.Stopping, 'stopping');
      return;
    }
    if (hello.version !== HANDSHAKE_VERSION) {
      this.counters.protocolErrors++;
      refuse(RejectCode.Version, `handshake version ${hello.version} not supported`);
      this.report(
        new TransportError('HANDSHAKE_FAILED', `peer ${peer} uses handshake version ${hello.version}`),
      );
      return;
    }
    const existing = this.byPeer.get(peer);
    const lowerWins = this.peerId < peer; // the stream dialled by the lower peer id is kept
    if (existing?.open) {
      if (existing.remoteNonce !== hello.nonce) {
        this.counters.linksReplaced++;
        this.closeLink(existing, { local: false, reason: 'neighbour restarted; replaced by its new link' });
      } else if (existing.direction === 'outbound' && lowerWins) {
        this.counters.duplicatesRejected++;
        refuse(RejectCode.Duplicate, 'a link to you already exists');
        return;
      } else {
        // The neighbour dropped its side of `existing` and dialled again before we saw it go.
        this.counters.linksReplaced++;
        this.closeLink(existing, { local: false, reason: 'neighbour re-dialled; replaced by its new link' });
      }
    } else if (this.handshaking.has(peer) && lowerWins) {
      this.counters.duplicatesRejected++;
      refuse(RejectCode.Duplicate, 'simultaneous dial: keeping the stream dialled by the lower peer id');
      return;
    }
    try {
      stream.send(encodeFrame(encodeAccept(this.nonce)));
    } catch (error) {
      session.dead = true;
      this.report(wrap('HANDSHAKE_FAILED', `could not answer ${peer}`, error));
      stream.abort(new Error('write failed'));
      return;
    }
    this.adopt(session, 'inbound', peer, hello.nonce);
  }

  /** Turns a handshaken stream into a reported link. */
  private adopt(
    session: StreamSession,
    direction: 'inbound' | 'outbound',
    peer: string,
    nonce: string,
  ): Libp2pLink {
    const link = new Libp2pLink(this, {
      id: `libp2p-${this.generation}-${++this.nextLinkId}`,
      direction,
      stream: session.stream,
      connection: session.connection,
      remotePeerId: peer,
      remoteNonce: nonce,
    });
    session.link = link;
    this.links_.set(link.id, link);
    this.byPeer.set(peer, link);
    this.counters.linksOpened++;
    void Promise.resolve(
      this.node?.peerStore.merge(session.connection.remotePeer, { tags: { symmetric: { value: 100 } } }),
    ).catch(() => {});
    this.log('debug', 'link open', { link: link.id, peer, direction });
    try {
      this.handler?.onLink(link);
    } catch (error) {
      this.report(wrap('INTERNAL', 'onLink handler threw', error), link);
    }
    this.wakeWaiters(peer);
    for (const k of this.keepers) {
      if (k.kind === 'symmetric' && k.peer === peer && k.timer !== undefined) {
        clearTimeout(k.timer);
        k.timer = undefined;
      }
    }
    return link;
  }

  private deliver(link: Libp2pLink, frame: Uint8Array): void {
    this.counters.framesIn++;
    this.counters.bytesIn += frame.length;
    try {
      this.handler?.onFrame(link, frame);
    } catch (error) {
      this.report(wrap('INTERNAL', 'onFrame handler threw', error), link);
    }
  }

  /** A neighbour broke the protocol: report, drop the stream and hang up on the connection. */
  private violation(session: StreamSession, error: TransportError, peer: string): void {
    if (session.dead) return;
    session.dead = true;
    this.counters.protocolErrors++;
    const link = session.link;
    this.log('warn', `protocol violation by ${peer}: ${error.message}`, { peer, code: error.code });
    if (link?.open) {
      this.finishClose(link, { local: true, reason: `protocol violation: ${error.message}`, error });
    }
    this.report(error, link);
    session.stream.abort(error);
    session.connection.abort(error);
  }

  private streamEnded(link: Libp2pLink, error: Error | undefined, remoteClose: boolean): void {
    if (remoteClose) {
      // The neighbour closed its side: the link is over; finish ours.
      if (link.open) this.finishClose(link, { local: false, reason: 'closed by the remote peer' });
      void link.stream.close().catch(() => {});
      return;
    }
    if (!link.open) return;
    if (error === undefined) {
      this.finishClose(link, { local: false, reason: 'stream closed' });
    } else {
      this.finishClose(link, {
        local: false,
        reason: `stream reset: ${describe(error)}`,
        error: new TransportError('LINK_CLOSED', `link to ${link.remotePeerId} lost: ${describe(error)}`, {
          cause: error,
          linkId: link.id,
        }),
      });
    }
  }

  /** @internal {@link LinkOwner} */
  sendOn(link: Libp2pLink, frame: Uint8Array): boolean {
    if (!link.open) return false;
    if (frame.length > this.resolved.maxFrameBytes) {
      throw new TransportError(
        'FRAME_TOO_LARGE',
        `frame of ${frame.length} bytes exceeds the limit of ${this.resolved.maxFrameBytes}`,
        { linkId: link.id },
      );
    }
    try {
      link.stream.send(encodeFrame(frame));
    } catch (error) {
      this.streamEnded(link, error instanceof Error ? error : new Error(String(error)), false);
      return false;
    }
    this.counters.framesOut++;
    this.counters.bytesOut += frame.length;
    return true;
  }

  /** @internal {@link LinkOwner} */
  closeLink(link: Libp2pLink, info: CloseInfo): void {
    if (!link.open) return;
    this.finishClose(link, info);
    const stream = link.stream;
    // Graceful: queued frames are flushed, then our side ends; force it if that stalls.
    const force = setTimeout(() => stream.abort(new Error('close timed out')), 5_000);
    stream.close({ signal: AbortSignal.timeout(5_000) }).then(
      () => clearTimeout(force),
      () => {
        clearTimeout(force);
        stream.abort(new Error('close failed'));
      },
    );
  }

  private finishClose(link: Libp2pLink, info: CloseInfo): void {
    if (!link.open) return;
    link.open = false;
    this.links_.delete(link.id);
    if (this.byPeer.get(link.remotePeerId) === link) this.byPeer.delete(link.remotePeerId);
    this.counters.linksClosed++;
    this.log('debug', 'link closed', {
      link: link.id,
      peer: link.remotePeerId,
      local: info.local,
      reason: info.reason,
    });
    try {
      this.handler?.onClose(link, info);
    } catch (error) {
      this.report(wrap('INTERNAL', 'onClose handler threw', error), link);
    }
    if (this.state === 'running') {
      const stable = Date.now() - link.openedAt >= this.resolved.redial.stableAfterMs;
      for (const k of this.keepers) {
        if (k.kind !== 'symmetric' || k.peer !== link.remotePeerId) continue;
        if (stable) k.attempt = 0;
        this.scheduleKeeper(k);
      }
    }
  }

  // ---- bootstrap and relay keepers -------------------------------------------------------

  private addKeeper(address: string, kind: 'symmetric' | 'relay'): void {
    let peer: string | undefined;
    try {
      const target = this.parseTarget(address);
      peer = target.peer;
    } catch (error) {
      this.report(
        wrap('BAD_ADDRESS', `bad ${kind === 'relay' ? 'relay' : 'bootstrap'} address ${address}`, error),
      );
      return;
    }
    const keeper: Keeper = { address, kind, peer, attempt: 0, timer: undefined, busy: false };
    this.keepers.push(keeper);
    void this.runKeeper(keeper, this.generation);
  }

  private scheduleKeeper(k: Keeper): void {
    if (k.timer !== undefined || k.busy || this.state !== 'running') return;
    const r = this.resolved.redial;
    const base = Math.min(r.maxMs, r.initialMs * r.factor ** k.attempt);
    const delay = base * (1 - r.jitter + 2 * r.jitter * Math.random());
    k.attempt++;
    const generation = this.generation;
    k.timer = setTimeout(() => {
      k.timer = undefined;
      this.counters.redials++;
      void this.runKeeper(k, generation);
    }, delay);
  }

  private async runKeeper(k: Keeper, generation: number): Promise<void> {
    if (this.generation !== generation || this.state !== 'running' || k.busy) return;
    k.busy = true;
    try {
      if (k.kind === 'symmetric') {
        if (k.peer !== undefined && this.byPeer.get(k.peer)?.open) return;
        const link = await this.dial(k.address);
        k.peer = link.remotePeerId;
      } else {
        const node = this.liveNode(generation);
        const target = this.parseTarget(k.address);
        const connection = await node.dial(target.kind === 'addr' ? target.addr : target.peerId, {
          signal: AbortSignal.timeout(this.resolved.dialTimeoutMs),
        });
        k.peer = connection.remotePeer.toString();
        k.attempt = 0;
      }
    } catch (error) {
      if (this.generation !== generation || this.state !== 'running') return;
      if (k.kind === 'relay') this.counters.dialFailures++; // symmetric dials count in dialTarget
      this.report(
        wrap(
          'DIAL_FAILED',
          `${k.kind === 'relay' ? 'relay' : 'bootstrap'} dial to ${k.address} failed`,
          error,
        ),
      );
      k.busy = false;
      this.scheduleKeeper(k);
      return;
    } finally {
      k.busy = false;
    }
  }

  // ---- stop ----------------------------------------------------------------------------

  async stop(): Promise<void> {
    if (this.state === 'idle') return;
    if (this.state === 'stopping' || this.stopPromise !== undefined) return this.stopPromise;
    this.stopPromise = this.doStop();
    try {
      await this.stopPromise;
    } finally {
      this.stopPromise = undefined;
    }
  }

  private async doStop(): Promise<void> {
    // A start in progress finishes first, so its node is stopped too.
    while (this.state === 'starting') await sleep(10);
    if (this.state !== 'running') return;
    this.state = 'stopping';
    const node = this.node;
    for (const k of this.keepers) if (k.timer !== undefined) clearTimeout(k.timer);
    this.keepers.length = 0;
    this.broadcast_?.bind(undefined);
    this.room_?.stop();
    this.room_ = undefined;
    for (const link of [...this.links_.values()])
      this.closeLink(link, { local: true, reason: 'transport stopped' });
    for (const session of this.sessions) {
      session.dead = true;
      session.stream.abort(new Error('transport stopped'));
    }
    this.sessions.clear();
    for (const peer of [...this.linkWaiters.keys()]) this.wakeWaiters(peer);
    // Let the closes flush before the connections go.
    await sleep(10);
    try {
      await node?.stop();
    } catch (error) {
      this.log('warn', 'libp2p stop failed', { error: describe(error) });
    }
    this.node = undefined;
    this.handshaking.clear();
    this.inboundPending.clear();
    this.dialing.clear();
    this.state = 'idle';
    this.log('info', 'libp2p transport stopped', { peerId: this.peerId });
  }

  // ---- reporting -------------------------------------------------------------------------

  private report(error: TransportError, link?: Link): void {
    this.log('warn', error.message, { code: error.code, ...(link === undefined ? {} : { link: link.id }) });
    try {
      if (link === undefined) this.handler?.onError(error);
      else this.handler?.onError(error, link);
    } catch {
      // a throwing onError must not break the transport
    }
  }

  private log(
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    data?: Record<string, unknown>,
  ): void {
    try {
      this.resolved.log(level, message, data);
    } catch {
      // logging must never break the transport
    }
  }
}
