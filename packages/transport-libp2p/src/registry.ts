/**
 * The links of one transport and the handshakes under way: at most one open link per
 * neighbour, the streams still handshaking, and waiting for a link to a given peer.
 */
import { type CloseInfo, linksOverTotal, type TransportError } from '@symmetric/transport';
import type { TransportContext } from './context.js';
import { Libp2pLink, type LinkHost, type StreamSession } from './link.js';

/** Told when links open and close (the keepers listen). */
export interface LinkObserver {
  /** A link to `peer` opened. */
  opened(peer: string): void;
  /** A link closed while the transport runs, after being open `openMs`. */
  closed(peer: string, openMs: number): void;
}

/** Peer-store tags that keep linked peers' connections out of libp2p's pruning. */
function linkTags(): Record<string, { value: number }> {
  return { symmetric: { value: 100 } };
}

/** The links of one transport, by id and by neighbour, and the handshakes under way. */
export class LinkRegistry implements LinkHost {
  /** Outbound handshakes under way, by peer (the tie-break treats them as links). */
  readonly dialling = new Set<string>();
  private readonly byId = new Map<string, Libp2pLink>();
  private readonly byPeer = new Map<string, Libp2pLink>();
  private readonly inboundPending = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly sessions = new Set<StreamSession>();
  private nextLinkId = 0;
  private observer: LinkObserver | undefined;

  /** @param ctx The transport's shared state. */
  constructor(private readonly ctx: TransportContext) {}

  /** Largest frame a link sends. */
  get maxFrameBytes(): number {
    return this.ctx.settings.maxFrameBytes;
  }

  /** Sets who hears about links opening and closing. */
  observe(observer: LinkObserver): void {
    this.observer = observer;
  }

  /** The open links. */
  all(): Libp2pLink[] {
    return [...this.byId.values()];
  }

  /** The open link to `peer`, if any. */
  linkTo(peer: string): Libp2pLink | undefined {
    const link = this.byPeer.get(peer);
    return link?.open ? link : undefined;
  }

  /** Keeps `session` until it settles, so `stop` can abort it. */
  track(session: StreamSession): void {
    this.sessions.add(session);
  }

  /** Forgets a settled `session`. */
  untrack(session: StreamSession): void {
    this.sessions.delete(session);
  }

  /** Counts an inbound stream from `peer` whose handshake has not arrived yet. */
  inboundStarted(peer: string): void {
    this.inboundPending.set(peer, (this.inboundPending.get(peer) ?? 0) + 1);
  }

  /** The inbound handshake from `peer` arrived or the stream gave up. */
  inboundSettled(peer: string): void {
    const n = (this.inboundPending.get(peer) ?? 1) - 1;
    if (n <= 0) this.inboundPending.delete(peer);
    else this.inboundPending.set(peer, n);
  }

  /** `true` while `peer` is dialling us and its handshake has not arrived. */
  hasInboundPending(peer: string): boolean {
    return (this.inboundPending.get(peer) ?? 0) > 0;
  }

  /** Turns a handshaken stream into a link and reports it. */
  adopt(session: StreamSession, direction: 'inbound' | 'outbound', peer: string, nonce: string): Libp2pLink {
    const { ctx } = this;
    const link = new Libp2pLink(this, {
      id: `libp2p-${ctx.generation}-${++this.nextLinkId}`,
      direction,
      stream: session.stream,
      connection: session.connection,
      remotePeerId: peer,
      remoteNonce: nonce,
    });
    session.link = link;
    this.byId.set(link.id, link);
    this.byPeer.set(peer, link);
    ctx.counters.linksOpened++;
    void Promise.resolve(
      ctx.node?.peerStore.merge(session.connection.remotePeer, { tags: linkTags() }),
    ).catch(() => {});
    ctx.log('debug', 'link open', { link: link.id, peer, direction });
    ctx.notify('onLink', link, (h) => h.onLink(link));
    this.wake(peer);
    this.observer?.opened(peer);
    return link;
  }

  /** Hands a frame of `link` to the handler. */
  deliver(link: Libp2pLink, frame: Uint8Array): void {
    this.ctx.counters.framesIn++;
    this.ctx.counters.bytesIn += frame.length;
    this.ctx.notify('onFrame', link, (h) => h.onFrame(link, frame));
  }

  /** A neighbour broke the protocol: report, drop the stream and hang up on the connection. */
  violation(session: StreamSession, error: TransportError, peer: string): void {
    if (session.dead) return;
    session.dead = true;
    this.ctx.counters.protocolErrors++;
    const link = session.link;
    this.ctx.log('warn', `protocol violation by ${peer}: ${error.message}`, { peer, code: error.code });
    if (link?.open) link.finish({ local: true, reason: `protocol violation: ${error.message}`, error });
    this.ctx.report(error, link);
    session.stream.abort(error);
    session.connection.abort(error);
  }

  /** {@link LinkHost}: counts a sent frame. */
  sent(bytes: number): void {
    this.ctx.counters.framesOut++;
    this.ctx.counters.bytesOut += bytes;
  }

  /** {@link LinkHost}: keeps all links' unsent bytes within `maxTotalBufferedBytes`. */
  reserve(link: Libp2pLink, bytes: number): boolean {
    const max = this.ctx.settings.maxTotalBufferedBytes;
    const over = linksOverTotal(this.all(), link, bytes, max);
    for (const heavy of over) {
      const error = heavy.closeOverTotal(max);
      if (error === undefined) continue;
      this.ctx.log('warn', error.message, { link: heavy.id, peer: heavy.remotePeerId });
      this.ctx.report(error, heavy);
    }
    return !over.includes(link);
  }

  /** {@link LinkHost}: forgets the link and reports its close. */
  closed(link: Libp2pLink, info: CloseInfo): void {
    const { ctx } = this;
    this.byId.delete(link.id);
    if (this.byPeer.get(link.remotePeerId) === link) this.byPeer.delete(link.remotePeerId);
    ctx.counters.linksClosed++;
    ctx.log('debug', 'link closed', {
      link: link.id,
      peer: link.remotePeerId,
      local: info.local,
      reason: info.reason,
    });
    ctx.notify('onClose', link, (h) => h.onClose(link, info));
    if (ctx.running) this.observer?.closed(link.remotePeerId, Date.now() - link.openedAt);
  }

  /** Resolves with the link to `peer` once there is one, or `undefined` after `timeoutMs`. */
  waitForLink(peer: string, timeoutMs: number): Promise<Libp2pLink | undefined> {
    const existing = this.linkTo(peer);
    if (existing !== undefined) return Promise.resolve(existing);
    if (timeoutMs <= 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let waiting = this.waiters.get(peer);
      if (waiting === undefined) {
        waiting = new Set();
        this.waiters.set(peer, waiting);
      }
      const set = waiting;
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(peer) === set) this.waiters.delete(peer);
        resolve(this.linkTo(peer));
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
    });
  }

  /** Closes every link, aborts every handshaking stream and wakes every waiter. */
  stop(): void {
    for (const link of this.all()) link.closeGracefully({ local: true, reason: 'transport stopped' });
    for (const session of this.sessions) {
      session.dead = true;
      session.stream.abort(new Error('transport stopped'));
    }
    this.sessions.clear();
    for (const peer of [...this.waiters.keys()]) this.wake(peer);
  }

  /** Forgets the handshakes of the stopped node. */
  clear(): void {
    this.dialling.clear();
    this.inboundPending.clear();
  }

  private wake(peer: string): void {
    const waiting = this.waiters.get(peer);
    if (waiting !== undefined) for (const done of [...waiting]) done();
  }
}
