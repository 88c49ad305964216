/**
 * Outbound links: parsing what `dial` is given, connecting, joining a dial already under way,
 * and the dialler's side of the handshake (HELLO out, ACCEPT or REJECT back).
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { lengthPrefix } from '@symmetric/codec';
import { backoffDelay, type Link, TransportError } from '@symmetric/transport';
import type { TransportContext } from './context.js';
import { toTransportError } from './errors.js';
import { decodeHandshake, encodeHello, HANDSHAKE_VERSION, type HandshakeFrame } from './handshake.js';
import { type Libp2pLink, StreamSession } from './link.js';
import type { LinkRegistry } from './registry.js';

/** What a `dial` address names: a multiaddr (maybe with `/p2p/<id>`) or a bare peer id. */
export type DialTarget =
  | { readonly kind: 'addr'; readonly addr: Multiaddr; readonly peer: string | undefined }
  | { readonly kind: 'peer'; readonly peer: string; readonly peerId: PeerId };

/**
 * Waits after the neighbour refused a stream as a duplicate, before trying again while its
 * own link has not shown up: 50 ms doubling up to 1 s.
 */
const DUPLICATE_RETRY = { initialMs: 50, maxMs: 1_000, factor: 2, jitter: 0, stableMs: 0 } as const;

/** Parses a `dial` address; throws `BAD_ADDRESS` (or the parser's error) when it is none. */
export function parseDialTarget(address: string): DialTarget {
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

function describeTarget(target: DialTarget): string {
  return target.kind === 'addr' ? target.addr.toString() : target.peer;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type HandshakeOutcome = { readonly kind: 'link'; readonly link: Libp2pLink } | { readonly kind: 'duplicate' };

/** Opens outbound links; one dial per peer at a time. */
export class Dialer {
  private readonly dialing = new Map<string, Promise<Link>>();

  /**
   * @param ctx The transport's shared state.
   * @param registry The links and handshakes under way.
   */
  constructor(
    private readonly ctx: TransportContext,
    private readonly registry: LinkRegistry,
  ) {}

  /** `true` while a dial to `peer` is under way. */
  isDialling(peer: string): boolean {
    return this.dialing.has(peer);
  }

  /** Dials `address` (see {@link parseDialTarget}); resolves with the link to that peer. */
  dial(address: string): Promise<Link> {
    if (!this.ctx.running) {
      return Promise.reject(new TransportError('NOT_STARTED', `cannot dial: transport is ${this.ctx.phase}`));
    }
    let target: DialTarget;
    try {
      target = parseDialTarget(address);
    } catch (error) {
      return Promise.reject(toTransportError('BAD_ADDRESS', `bad address ${JSON.stringify(address)}`, error));
    }
    return this.dialTarget(target);
  }

  /** Dials `target`, or returns the link or dial that already exists for its peer. */
  dialTarget(target: DialTarget): Promise<Link> {
    const { ctx } = this;
    const peer = target.peer;
    if (peer === ctx.peerId) {
      ctx.counters.dialFailures++;
      return Promise.reject(new TransportError('BAD_ADDRESS', 'cannot dial this transport itself'));
    }
    if (peer !== undefined) {
      const existing = this.registry.linkTo(peer);
      if (existing !== undefined) return Promise.resolve(existing);
      const inFlight = this.dialing.get(peer);
      if (inFlight !== undefined) return inFlight;
    }
    const promise = this.run(target).catch((error: unknown) => {
      ctx.counters.dialFailures++;
      throw toTransportError('DIAL_FAILED', 'dial failed', error);
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

  /** Connects to `address` without opening a link (relays); resolves with the peer's id. */
  async connect(address: string, generation: number): Promise<string> {
    const node = this.ctx.liveNode(generation);
    const target = parseDialTarget(address);
    const connection = await node.dial(target.kind === 'addr' ? target.addr : target.peerId, {
      signal: AbortSignal.timeout(this.ctx.settings.dialTimeoutMs),
    });
    return connection.remotePeer.toString();
  }

  /** Forgets the dials of the stopped node. */
  clear(): void {
    this.dialing.clear();
  }

  private async run(target: DialTarget): Promise<Link> {
    const { ctx, registry } = this;
    const generation = ctx.generation;
    const deadline = Date.now() + ctx.settings.dialTimeoutMs;
    for (let refused = 0; ; refused++) {
      const node = ctx.liveNode(generation);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new TransportError('TIMEOUT', 'dial timed out');
      let connection: Connection;
      try {
        connection = await node.dial(target.kind === 'addr' ? target.addr : target.peerId, {
          signal: AbortSignal.timeout(remaining),
        });
      } catch (error) {
        ctx.liveNode(generation);
        throw toTransportError('DIAL_FAILED', `could not connect to ${describeTarget(target)}`, error);
      }
      ctx.liveNode(generation);
      const peer = connection.remotePeer.toString();
      if (peer === ctx.peerId)
        throw new TransportError('BAD_ADDRESS', 'the address is this transport itself');
      if (target.peer === undefined) {
        // Learnt the peer only now: join a dial already under way to it.
        const other = this.dialing.get(peer);
        if (other !== undefined) return other;
      }
      const existing = registry.linkTo(peer);
      if (existing !== undefined) return existing;
      if (registry.hasInboundPending(peer)) {
        // The neighbour is dialling us right now: give its handshake a moment.
        const link = await registry.waitForLink(
          peer,
          Math.min(ctx.settings.handshakeTimeoutMs, deadline - Date.now()),
        );
        if (link !== undefined) return link;
        ctx.liveNode(generation);
      }
      const outcome = await this.handshake(connection, peer, generation, deadline);
      if (outcome.kind === 'link') return outcome.link;
      // Refused as a duplicate: the neighbour keeps (or is about to report) another link.
      const retryMs = backoffDelay(refused, DUPLICATE_RETRY);
      const link = await registry.waitForLink(
        peer,
        Math.min(retryMs * 4, Math.max(0, deadline - Date.now())),
      );
      if (link !== undefined) return link;
      await sleep(retryMs);
    }
  }

  /** Opens the stream, sends HELLO, waits for ACCEPT or REJECT. */
  private async handshake(
    connection: Connection,
    peer: string,
    generation: number,
    deadline: number,
  ): Promise<HandshakeOutcome> {
    const { ctx, registry } = this;
    const { protocol } = ctx.settings;
    // Announce the dial before opening the stream, so an inbound HELLO from the same peer
    // arriving meanwhile goes through the tie-break.
    registry.dialling.add(peer);
    let stream: Stream;
    try {
      stream = await connection.newStream(protocol, {
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
    } catch (error) {
      registry.dialling.delete(peer);
      ctx.liveNode(generation);
      throw toTransportError('HANDSHAKE_FAILED', `peer ${peer} does not speak ${protocol}`, error);
    }
    if (!ctx.isLive(generation)) {
      registry.dialling.delete(peer);
      stream.abort(new Error('transport stopped'));
      throw new TransportError('NOT_STARTED', 'transport stopped during the dial');
    }
    const already = registry.linkTo(peer);
    if (already !== undefined) {
      // The neighbour's own dial won the tie-break while we were opening the stream.
      registry.dialling.delete(peer);
      void stream.close().catch(() => stream.abort(new Error('duplicate')));
      return { kind: 'link', link: already };
    }
    stream.maxWriteBufferLength = ctx.settings.maxBufferedBytes;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        registry.dialling.delete(peer);
        registry.untrack(session);
        settle();
      };
      const fail = (error: TransportError, hangUp: boolean): void => {
        session.dead = true;
        finish(() => reject(error));
        stream.abort(error);
        if (hangUp) connection.abort(error);
      };
      const answered = (s: StreamSession, frame: Uint8Array): void => {
        let answer: HandshakeFrame;
        try {
          answer = decodeHandshake(frame);
        } catch (error) {
          ctx.counters.protocolErrors++;
          fail(toTransportError('PROTOCOL', `bad handshake answer from ${peer}`, error), true);
          return;
        }
        if (answer.kind === 'reject') {
          s.dead = true;
          void stream.close().catch(() => {});
          if (answer.code === 'DUPLICATE') {
            finish(() => resolve({ kind: 'duplicate' }));
          } else {
            finish(() =>
              reject(new TransportError('HANDSHAKE_FAILED', `refused by ${peer}: ${answer.reason}`)),
            );
          }
          return;
        }
        if (answer.kind !== 'accept' || answer.version !== HANDSHAKE_VERSION) {
          ctx.counters.protocolErrors++;
          fail(new TransportError('PROTOCOL', `unexpected handshake answer from ${peer}`), true);
          return;
        }
        if (!ctx.isLive(generation)) {
          fail(new TransportError('NOT_STARTED', 'transport stopped during the dial'), false);
          return;
        }
        const existing = registry.linkTo(peer);
        if (existing !== undefined) {
          // Cannot happen with a conforming neighbour (it refuses while its own dial is pending);
          // keep the link already reported and drop this stream.
          s.dead = true;
          void stream.close().catch(() => {});
          finish(() => resolve({ kind: 'link', link: existing }));
          return;
        }
        const link = registry.adopt(s, 'outbound', peer, answer.nonce);
        finish(() => resolve({ kind: 'link', link }));
      };
      const session = new StreamSession(stream, connection, ctx.settings.maxFrameBytes, {
        handshake: answered,
        frame: (link, frame) => registry.deliver(link, frame),
        violation: (s, error) => registry.violation(s, error, peer),
        ended: (s, error, remoteClose) => {
          if (s.link !== undefined) {
            s.link.streamEnded(error, remoteClose);
            return;
          }
          if (settled) return;
          s.dead = true;
          finish(() =>
            reject(
              new TransportError('HANDSHAKE_FAILED', `stream to ${peer} closed during the handshake`, {
                cause: error,
              }),
            ),
          );
          stream.abort(new Error('handshake aborted'));
        },
      });
      registry.track(session);
      const timer = setTimeout(
        () => {
          ctx.counters.protocolErrors++;
          fail(new TransportError('TIMEOUT', `no handshake answer from ${peer}`), false);
        },
        Math.max(1, Math.min(ctx.settings.handshakeTimeoutMs, deadline - Date.now())),
      );
      try {
        stream.send(lengthPrefix(encodeHello(ctx.nonce)));
      } catch (error) {
        fail(toTransportError('HANDSHAKE_FAILED', `could not write to ${peer}`, error), false);
      }
    });
  }
}
