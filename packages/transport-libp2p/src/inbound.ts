/**
 * Inbound links: accepting a stream on the Symmetric protocol, the acceptor's side of the
 * handshake, and the tie-break that keeps exactly one link per neighbour when both dial at once
 * or a neighbour comes back after a restart.
 */
import type { Connection, Stream } from '@libp2p/interface';
import { lengthPrefix } from '@symmetric/codec';
import { duplicateLinkLoser, type LinkDirection, TransportError } from '@symmetric/transport';
import type { TransportContext } from './context.js';
import { toTransportError } from './errors.js';
import {
  decodeHandshake,
  encodeAccept,
  encodeReject,
  HANDSHAKE_VERSION,
  type HandshakeFrame,
  type RejectCode,
} from './handshake.js';
import { StreamSession } from './link.js';
import type { LinkRegistry } from './registry.js';

/** The link already kept to a neighbour, as the tie-break sees it. */
export interface KeptLink {
  readonly direction: LinkDirection;
  /** The neighbour's instance nonce when that link opened. */
  readonly remoteNonce: string;
}

/** What to do with a HELLO from a neighbour. */
export type InboundDecision =
  | { readonly kind: 'accept' }
  /** Close the kept link (with `reason`), then accept. */
  | { readonly kind: 'replace'; readonly reason: string }
  /** Refuse the stream as a duplicate (`reason` goes in the REJECT). */
  | { readonly kind: 'refuse'; readonly reason: string };

/**
 * The tie-break for a HELLO carrying `helloNonce` from `remoteId`, given the link already kept to
 * it (if any) and whether this side is dialling it right now. A new nonce means the neighbour
 * restarted: its old link is stale and replaced. Otherwise {@link duplicateLinkLoser} decides,
 * with a dial under way counting as an outbound link: the stream dialled by the lower peer id is
 * kept, and a neighbour that dials again replaces the link it dialled before.
 */
export function decideInbound(
  localId: string,
  remoteId: string,
  helloNonce: string,
  kept: KeptLink | undefined,
  dialling: boolean,
): InboundDecision {
  if (kept !== undefined) {
    if (kept.remoteNonce !== helloNonce) {
      return { kind: 'replace', reason: 'neighbour restarted; replaced by its new link' };
    }
    if (duplicateLinkLoser(localId, remoteId, kept.direction, 'inbound') === 'incoming') {
      return { kind: 'refuse', reason: 'a link to you already exists' };
    }
    // The neighbour dropped its side of the kept link and dialled again before we saw it go.
    return { kind: 'replace', reason: 'neighbour re-dialled; replaced by its new link' };
  }
  if (dialling && duplicateLinkLoser(localId, remoteId, 'outbound', 'inbound') === 'incoming') {
    return { kind: 'refuse', reason: 'simultaneous dial: keeping the stream dialled by the lower peer id' };
  }
  return { kind: 'accept' };
}

/** Accepts streams on the Symmetric protocol and turns them into links. */
export class InboundAcceptor {
  /**
   * @param ctx The transport's shared state.
   * @param registry The links and handshakes under way.
   */
  constructor(
    private readonly ctx: TransportContext,
    private readonly registry: LinkRegistry,
  ) {}

  /** The protocol handler: reads the HELLO (within the handshake timeout) and decides. */
  accept(stream: Stream, connection: Connection, generation: number): void {
    const { ctx, registry } = this;
    if (!ctx.isLive(generation)) {
      stream.abort(new Error('transport not running'));
      return;
    }
    const peer = connection.remotePeer.toString();
    stream.maxWriteBufferLength = ctx.settings.maxBufferedBytes;
    registry.inboundStarted(peer);
    let pending = true;
    const settle = (): void => {
      if (!pending) return;
      pending = false;
      clearTimeout(timer);
      registry.untrack(session);
      registry.inboundSettled(peer);
    };
    const session = new StreamSession(stream, connection, ctx.settings.maxFrameBytes, {
      handshake: (s, frame) => {
        settle();
        let hello: HandshakeFrame;
        try {
          hello = decodeHandshake(frame);
          if (hello.kind !== 'hello')
            throw new TransportError('PROTOCOL', `expected HELLO, got ${hello.kind}`);
        } catch (error) {
          registry.violation(
            s,
            toTransportError('PROTOCOL', `garbage instead of a handshake from ${peer}`, error),
            peer,
          );
          return;
        }
        this.answer(s, peer, hello);
      },
      frame: (link, frame) => registry.deliver(link, frame),
      violation: (s, error) => {
        settle();
        registry.violation(s, error, peer);
      },
      ended: (s, error, remoteClose) => {
        settle();
        if (s.link !== undefined) s.link.streamEnded(error, remoteClose);
        else if (!s.dead) {
          s.dead = true;
          if (remoteClose) void stream.close().catch(() => {});
        }
      },
    });
    registry.track(session);
    const timer = setTimeout(() => {
      settle();
      registry.violation(session, new TransportError('TIMEOUT', `no handshake from ${peer} in time`), peer);
    }, ctx.settings.handshakeTimeoutMs);
  }

  /** Answers a HELLO with ACCEPT (and reports the link) or REJECT. */
  private answer(session: StreamSession, peer: string, hello: { version: number; nonce: string }): void {
    const { ctx, registry } = this;
    const { stream } = session;
    const refuse = (code: Exclude<RejectCode, 'UNKNOWN'>, reason: string): void => {
      session.dead = true;
      try {
        stream.send(lengthPrefix(encodeReject(code, reason)));
      } catch {
        // closing anyway
      }
      void stream.close().catch(() => {});
    };
    if (!ctx.running) {
      refuse('STOPPING', 'stopping');
      return;
    }
    if (hello.version !== HANDSHAKE_VERSION) {
      ctx.counters.protocolErrors++;
      refuse('UNSUPPORTED_VERSION', `handshake version ${hello.version} not supported`);
      ctx.report(
        new TransportError('HANDSHAKE_FAILED', `peer ${peer} uses handshake version ${hello.version}`),
      );
      return;
    }
    const kept = registry.linkTo(peer);
    const decision = decideInbound(ctx.peerId, peer, hello.nonce, kept, registry.dialling.has(peer));
    if (decision.kind === 'refuse') {
      ctx.counters.duplicatesRejected++;
      refuse('DUPLICATE', decision.reason);
      return;
    }
    if (decision.kind === 'replace' && kept !== undefined) {
      ctx.counters.linksReplaced++;
      kept.closeGracefully({ local: false, reason: decision.reason });
    }
    try {
      stream.send(lengthPrefix(encodeAccept(ctx.nonce)));
    } catch (error) {
      session.dead = true;
      ctx.report(toTransportError('HANDSHAKE_FAILED', `could not answer ${peer}`, error));
      stream.abort(new Error('write failed'));
      return;
    }
    registry.adopt(session, 'inbound', peer, hello.nonce);
  }
}
