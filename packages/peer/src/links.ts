/**
 * Links: one entry per transport link, from the moment it opens until it closes. Owns the
 * handshake (`hello` both ways, checks, the duplicate-link rule), each link's codec
 * encoder/decoder pair (the codec interns ids per link), sending (with counting and events
 * chunking; relayed events held to the end of the delivery turn, `relay-queue.ts`), link
 * errors, and `bye`.
 * @internal
 */
import {
  type AuthFrame,
  Capability,
  type Codec,
  CodecError,
  type Frame,
  type HelloFrame,
  PROTOCOL_VERSION,
  type WireEvent,
} from '@symmetric/codec';
import { duplicateLinkLoser, type Link, type Transport, type TransportError } from '@symmetric/transport';
import { host } from './context.js';
import { PeerError, type PeerErrorCode } from './errors.js';
import { LinkEntry } from './link-entry.js';
import type { ResolvedOptions } from './options.js';
import { nothingRelayed, RelayQueue, sameEvent } from './relay-queue.js';
import type { Signer } from './signing.js';
import type { PeerCounters } from './stats.js';
import type { NeighbourInfo } from './types.js';

export { LinkEntry, type ProtocolState } from './link-entry.js';

/** Most events put in one `events` frame (the codec's limit may be lower). */
const MAX_EVENTS_PER_FRAME = 512;
/** Bytes of a handshake challenge nonce. */
const NONCE_BYTES = 32;
/** Frames a neighbour may send between its hello and its auth (held until the auth). */
const MAX_EARLY_FRAMES = 64;
/** Handshake refusals: a final verdict for the address, reported once per neighbour id and reason. */
const REFUSALS: ReadonlySet<PeerErrorCode> = new Set<PeerErrorCode>([
  'VERSION_MISMATCH',
  'ROOM_MISMATCH',
  'FPS_MISMATCH',
  'APP_MISMATCH',
  'AUTH_FAILED',
  'NOT_ADMITTED',
  'REFUSED',
]);

/**
 * Outcome of a neighbour's hello (or, in an authenticated room, of its `auth`): `pending` means
 * the hello is held until the `auth` arrives.
 */
export type HelloOutcome = 'refused' | 'duplicate' | 'accepted' | 'pending';

/** The peer's links. @internal */
export class LinkTable<E> {
  private readonly entries = new Map<string, LinkEntry<E>>();
  /** Every link not closed, in opening order (replaced, never mutated, on change). */
  private linkList: LinkEntry<E>[] = [];
  /** Links with a completed handshake, in opening order (replaced, never mutated, on change). */
  private neighbourList: LinkEntry<E>[] = [];
  /** Refusals already reported (`code peerId`): a refusal is reported once, not at every redial. */
  private readonly refusalsReported = new Set<string>();
  /** Relayed events held per link until the delivery turn ends. */
  private readonly relayQueue = new RelayQueue<E, LinkEntry<E>>(
    (entry, events) => this.sendEventsNow(entry, events),
    () => this.onRelaysHeld(),
  );
  /** Told when relayed events start to be held (the peer then ends the turn with {@link flushRelayed}). */
  onRelaysHeld: () => void = () => {};
  /** Most events in one `events` frame (ours and the codec's limit). */
  private readonly maxPerFrame: number;
  /**
   * The `events` frame handed to the encoder, its events set for each send (the encoder keeps
   * nothing of a frame: no object per frame sent).
   */
  private readonly eventsFrame: { type: 'events'; events: readonly WireEvent<E>[] } = {
    type: 'events',
    events: nothingRelayed<E>(),
  };

  constructor(
    private readonly options: ResolvedOptions,
    private readonly id: string,
    private readonly codec: Codec<E>,
    private readonly stats: PeerCounters,
    private readonly report: (error: PeerError) => void,
    private readonly signer: Signer<E>,
  ) {
    this.maxPerFrame = Math.max(1, Math.min(MAX_EVENTS_PER_FRAME, codec.limits.maxBatchEvents));
  }

  /** Open links with a completed handshake, in opening order. */
  neighbours(): readonly LinkEntry<E>[] {
    return this.neighbourList;
  }

  /** Every link not closed, handshake done or not. */
  all(): IterableIterator<LinkEntry<E>> {
    return this.entries.values();
  }

  /**
   * Every link not closed, in opening order: an array replaced (never changed) when a link opens
   * or closes, so a caller may close links while it walks the one it got.
   */
  list(): readonly LinkEntry<E>[] {
    return this.linkList;
  }

  get(key: string): LinkEntry<E> | undefined {
    return this.entries.get(key);
  }

  /**
   * The entry of the transport link `link`, kept in its `attachment` (`undefined` when it has
   * none: a link object the table was not given at its opening, or one whose key opened again).
   */
  ofLink(link: Link): LinkEntry<E> | undefined {
    const a = link.attachment;
    return a instanceof LinkEntry ? (a as LinkEntry<E>) : undefined;
  }

  /** Links not closed (handshake done or not). */
  count(): number {
    let n = 0;
    for (const l of this.entries.values()) if (l.kind !== 'closed') n++;
    return n;
  }

  /** A transport opened `link`: record it (handshaking). */
  open(transport: Transport, key: string, link: Link, now: number): LinkEntry<E> {
    const entry = new LinkEntry<E>(key, link, transport, now, this.codec.encoder(), this.codec.decoder());
    const replaced = this.entries.get(key);
    this.entries.set(key, entry);
    // Frames of a link object whose key opened again go to the new entry, as its key says.
    if (replaced !== undefined && replaced.link.attachment === replaced) replaced.link.attachment = undefined;
    link.attachment = entry;
    // A key opened again keeps its place (as in the map).
    this.linkList =
      replaced === undefined
        ? [...this.linkList, entry]
        : this.linkList.map((l) => (l === replaced ? entry : l));
    return entry;
  }

  /** Send our hello on `entry`. */
  sendHello(entry: LinkEntry<E>): void {
    const options = this.options;
    let capabilities = Capability.SnapshotServe;
    if (options.horizonTicks === undefined) capabilities |= Capability.FullHistory;
    if (options.snapshotJoin) capabilities |= Capability.SnapshotJoin;
    if (this.signer.enabled) capabilities |= Capability.SignedEvents;
    const hello: HelloFrame = {
      type: 'hello',
      version: PROTOCOL_VERSION,
      room: options.room,
      fps: options.fps,
      peerId: this.id,
      capabilities,
      appId: options.appId,
    };
    this.send(entry, hello);
    if (this.signer.enabled) {
      entry.nonce = new Uint8Array(NONCE_BYTES);
      host.crypto.getRandomValues(entry.nonce);
      this.send(entry, { type: 'challenge', nonce: entry.nonce });
    }
  }

  /**
   * The neighbour's hello: refused (typed error, `bye` with the reason, link closed); in an
   * authenticated room held until its `auth` (`pending`, see {@link checkAuth}); otherwise
   * admitted as by {@link admit}.
   */
  checkHello(entry: LinkEntry<E>, f: HelloFrame): HelloOutcome {
    const options = this.options;
    let problem: [PeerErrorCode, string] | undefined;
    if (f.version !== PROTOCOL_VERSION)
      problem = ['VERSION_MISMATCH', `protocol version ${f.version} ≠ ${PROTOCOL_VERSION}`];
    else if (f.room !== options.room) problem = ['ROOM_MISMATCH', `room '${f.room}' ≠ '${options.room}'`];
    else if (f.fps !== options.fps) problem = ['FPS_MISMATCH', `fps ${f.fps} ≠ ${options.fps}`];
    else if (f.appId !== options.appId)
      problem = ['APP_MISMATCH', `app id '${f.appId}' ≠ '${options.appId}'`];
    else if (f.peerId === this.id) problem = ['SELF_LINK', 'neighbour has this peer’s own id'];
    else if (
      options.verifyPeerIds &&
      entry.link.remotePeerId !== undefined &&
      entry.link.remotePeerId !== f.peerId
    ) {
      problem = [
        'PEER_ID_MISMATCH',
        `hello says '${f.peerId}', the transport authenticated '${entry.link.remotePeerId}'`,
      ];
    } else if (this.signer.enabled && (f.capabilities & Capability.SignedEvents) === 0) {
      problem = ['AUTH_FAILED', 'the neighbour does not authenticate (a trusted room?)'];
    } else if (this.signer.enabled && this.signer.keyOf(f.peerId) === undefined) {
      problem = ['AUTH_FAILED', `peer id '${f.peerId}' is not derived from an Ed25519 key`];
    }
    if (problem !== undefined) {
      this.refuse(entry, f.peerId, problem[0], problem[1]);
      return 'refused';
    }
    if (!this.signer.enabled) return this.admit(entry, f);
    entry.pendingHello = f;
    if (entry.theirNonce !== undefined) this.sendProof(entry);
    return 'pending';
  }

  /**
   * Refuse the neighbour: report `code` (once per neighbour id and code), tell it why in a `bye`
   * (unless `tell` is false: it refused first), close the link.
   */
  refuse(entry: LinkEntry<E>, peerId: string, code: PeerErrorCode, detail: string, tell = true): void {
    entry.refused = true;
    const error = new PeerError(code, `${detail} (peer ${peerId} on ${entry.link.remoteAddress})`, {
      linkId: entry.key,
      peerId,
    });
    const key = `${code} ${peerId}`;
    if (!this.refusalsReported.has(key)) {
      this.refusalsReported.add(key);
      this.report(error);
    }
    if (tell) this.send(entry, { type: 'bye', reason: `${code}: ${detail}`.slice(0, 200) });
    if (entry.kind !== 'closed') {
      entry.closeReason ??= code;
      entry.link.close(code);
    }
  }

  /**
   * A frame between the neighbour's hello and its `auth` (authenticated rooms): its challenge
   * (answered with this side's proof), its `auth` (checked: then admitted as by {@link admit}),
   * its `bye` (a refusal, reported once), or anything else (held until the `auth`).
   */
  checkAuth(entry: LinkEntry<E>, frame: Frame<E>, now: number): HelloOutcome {
    const hello = entry.pendingHello!;
    switch (frame.type) {
      case 'challenge':
        if (entry.theirNonce !== undefined) break;
        entry.theirNonce = frame.nonce;
        this.sendProof(entry);
        return 'pending';
      case 'auth':
        return this.onAuth(entry, hello, frame);
      case 'bye':
        this.refuse(entry, hello.peerId, 'REFUSED', `refused by the neighbour: ${frame.reason}`, false);
        return 'refused';
      case 'hello':
        break;
      default: {
        const early = (entry.early ??= []);
        if (early.length >= MAX_EARLY_FRAMES) break;
        early.push({ frame, at: now });
        return 'pending';
      }
    }
    this.linkError(
      entry,
      this.protocolError(entry, `unexpected '${frame.type}' frame in the handshake`),
      true,
    );
    return 'refused';
  }

  private sendProof(entry: LinkEntry<E>): void {
    const hello = entry.pendingHello;
    if (hello === undefined || entry.theirNonce === undefined || entry.nonce === undefined) return;
    this.send(entry, this.signer.proof(entry.nonce, hello.peerId, entry.theirNonce));
  }

  private onAuth(entry: LinkEntry<E>, hello: HelloFrame, f: AuthFrame): HelloOutcome {
    if (entry.theirNonce === undefined || entry.nonce === undefined) {
      this.refuse(entry, hello.peerId, 'AUTH_FAILED', 'auth before its challenge');
      return 'refused';
    }
    const verdict = this.signer.checkProof(hello.peerId, entry.theirNonce, entry.nonce, f);
    if (verdict === 'bad-signature') {
      this.stats.signaturesRejected++;
      this.refuse(
        entry,
        hello.peerId,
        'AUTH_FAILED',
        'its auth signature does not verify (not the key of its id)',
      );
      return 'refused';
    }
    this.stats.signaturesVerified++;
    if (verdict === 'not-admitted') {
      this.refuse(entry, hello.peerId, 'NOT_ADMITTED', 'not admitted to this room (secret or key list)');
      return 'refused';
    }
    return this.admit(entry, hello);
  }

  /**
   * Admit the (proven) neighbour: a duplicate of a link we keep (this one closed), or accepted
   * (call {@link accept} next). Of two links to one neighbour, both ends keep the same one
   * (`duplicateLinkLoser`); when the existing one loses, it is closed.
   */
  admit(entry: LinkEntry<E>, f: HelloFrame): HelloOutcome {
    const existing = this.neighbourList.find((l) => l.peerId === f.peerId);
    if (existing === undefined) return 'accepted';
    const loser =
      duplicateLinkLoser(this.id, f.peerId, existing.link.direction, entry.link.direction) === 'incoming'
        ? entry
        : existing;
    loser.closeReason = 'duplicate link';
    if (loser === entry) {
      entry.link.close('duplicate link');
      return 'duplicate';
    }
    existing.link.close('duplicate link');
    return 'accepted';
  }

  /** The handshake on `entry` is complete: it is a neighbour now. */
  accept(entry: LinkEntry<E>, f: HelloFrame): void {
    entry.protocol = { kind: 'running', peerId: f.peerId, capabilities: f.capabilities };
    this.neighbourList = [...this.neighbourList, entry];
  }

  /** The transport closed the link `key`: forget it. Returns it and whether it was a neighbour. */
  closed(key: string): { entry: LinkEntry<E>; wasNeighbour: boolean } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.linkList = this.linkList.filter((l) => l !== entry);
    const wasNeighbour = entry.kind === 'running';
    entry.protocol = { kind: 'closed', peerId: entry.peerId };
    this.relayQueue.drop(entry);
    // The ids this link interned are given back to the codec (shared by all links).
    entry.encoder.dispose();
    entry.decoder.dispose();
    if (wasNeighbour) this.neighbourList = this.neighbourList.filter((l) => l !== entry);
    return { entry, wasNeighbour };
  }

  /**
   * A neighbour's `bye` on a running link: when its reason is a handshake refusal
   * (`CODE: detail`), report `REFUSED` (once per neighbour and code), close, and return `true`.
   */
  refusedBy(entry: LinkEntry<E>, reason: string): boolean {
    const code = /^([A-Z_]+): /.exec(reason)?.[1];
    if (code === undefined || !REFUSALS.has(code as PeerErrorCode)) return false;
    this.refuse(entry, entry.peerId, 'REFUSED', `refused by the neighbour: ${reason}`, false);
    return true;
  }

  /** Close `entry` with `HANDSHAKE_TIMEOUT` when its hello is overdue. */
  checkHandshake(entry: LinkEntry<E>, now: number): void {
    if (now - entry.openedAt < this.options.handshakeTimeoutMs) return;
    this.linkError(
      entry,
      new PeerError('HANDSHAKE_TIMEOUT', `no hello within ${this.options.handshakeTimeoutMs} ms`, {
        linkId: entry.key,
      }),
      true,
    );
  }

  /** Decode a frame that arrived on `entry` (counted); a codec error is reported and `undefined` returned. */
  decode(entry: LinkEntry<E>, bytes: Uint8Array): Frame<E> | undefined {
    this.stats.framesReceived++;
    this.stats.bytesReceived += bytes.length;
    try {
      return entry.decoder.decode(bytes);
    } catch (error) {
      const ce = error instanceof CodecError ? error : undefined;
      const fatal = ce === undefined || ce.fatal;
      this.linkError(
        entry,
        new PeerError(
          'CODEC',
          `undecodable frame from ${entry.peerId || entry.link.remoteAddress}: ${String(error)}`,
          {
            linkId: entry.key,
            peerId: entry.peerId || undefined,
            codecCode: ce?.code ?? 'INTERNAL',
            cause: error,
          },
        ),
        fatal,
      );
      return undefined;
    }
  }

  /** Encode and send `frame` on `entry` (nothing on a closed link), after the events held for it. */
  send(entry: LinkEntry<E>, frame: Frame<E>): void {
    if (entry.kind === 'closed') return;
    if (entry.relayed.length > 0) this.relayQueue.flushLink(entry);
    let bytes: Uint8Array;
    try {
      bytes = entry.encoder.encode(frame);
    } catch (error) {
      this.report(
        new PeerError(
          error instanceof CodecError && error.code === 'TOO_LARGE' ? 'OVERSIZED' : 'INTERNAL',
          `cannot encode ${frame.type} frame: ${String(error)}`,
          { linkId: entry.key, cause: error },
        ),
      );
      return;
    }
    this.sendBytes(entry, bytes);
  }

  /**
   * Relay `events` to `entry` at the end of the current delivery turn, in one frame with the
   * other events relayed to it in that turn (see {@link flushRelayed}).
   */
  relayEvents(entry: LinkEntry<E>, events: readonly WireEvent<E>[]): void {
    if (entry.kind === 'closed') return;
    this.relayQueue.add(entry, events);
  }

  /**
   * The neighbour behind `entry` sent `copies` in the current turn: events held for it that it
   * sent itself no longer leave (its copy and ours crossed no wire yet). In an authenticated room
   * only a copy with the very signature counts (another one is evidence the neighbour needs).
   * Returns how many were withdrawn.
   */
  withdrawRelayed(entry: LinkEntry<E>, copies: readonly WireEvent<E>[]): number {
    if (entry.relayed.length === 0) return 0;
    return this.relayQueue.withdraw(entry, copies, sameEvent);
  }

  /** The delivery turn ended: the relayed events held leave, one frame per link. */
  flushRelayed(): void {
    this.relayQueue.flush();
  }

  /** Send events now (after the events held for `entry`), in frames of at most MAX_EVENTS_PER_FRAME. */
  sendEvents(entry: LinkEntry<E>, events: readonly WireEvent<E>[]): void {
    if (entry.relayed.length > 0) this.relayQueue.flushLink(entry);
    this.sendEventsNow(entry, events);
  }

  /** Send events in frames of at most MAX_EVENTS_PER_FRAME (halving a frame the codec finds too large). */
  private sendEventsNow(entry: LinkEntry<E>, events: readonly WireEvent<E>[]): void {
    const max = this.maxPerFrame;
    for (let i = 0; i < events.length; i += max) {
      const chunk = events.length <= max ? events : events.slice(i, i + max);
      this.sendEventChunk(entry, chunk);
      if (entry.kind === 'closed') return;
    }
  }

  private sendEventChunk(entry: LinkEntry<E>, events: readonly WireEvent<E>[]): void {
    if (entry.kind === 'closed') return;
    let bytes: Uint8Array;
    const frame = this.eventsFrame;
    frame.events = events;
    try {
      bytes = entry.encoder.encode(frame);
    } catch (error) {
      frame.events = nothingRelayed<E>();
      if (error instanceof CodecError && error.code === 'TOO_LARGE' && events.length > 1) {
        const half = events.length >>> 1;
        this.sendEventChunk(entry, events.slice(0, half));
        this.sendEventChunk(entry, events.slice(half));
        return;
      }
      this.report(
        new PeerError(
          error instanceof CodecError && error.code === 'TOO_LARGE' ? 'OVERSIZED' : 'INTERNAL',
          `cannot encode events: ${String(error)}`,
          { linkId: entry.key, cause: error },
        ),
      );
      return;
    }
    frame.events = nothingRelayed<E>(); // (the events are not kept past the send)
    if (!this.sendBytes(entry, bytes)) return;
    this.stats.eventsSent += events.length;
    this.stats.eventFramesSent++;
    this.stats.eventBytesSent += bytes.length;
  }

  private sendBytes(entry: LinkEntry<E>, bytes: Uint8Array): boolean {
    let ok: boolean;
    try {
      ok = entry.link.send(bytes);
    } catch (error) {
      // The encoder already counted this frame: the link's codec state is now out of step.
      const code =
        (error as TransportError | undefined)?.code === 'FRAME_TOO_LARGE' ? 'OVERSIZED' : 'TRANSPORT';
      this.linkError(
        entry,
        new PeerError(code, `send failed: ${String(error)}`, { linkId: entry.key, cause: error }),
        true,
      );
      return false;
    }
    if (!ok) return false;
    this.stats.framesSent++;
    this.stats.bytesSent += bytes.length;
    return true;
  }

  /** Report `error`; close the link when `close`. */
  linkError(entry: LinkEntry<E>, error: PeerError, close: boolean): void {
    this.report(error);
    if (close && entry.kind !== 'closed') {
      entry.closeReason ??= error.code;
      entry.link.close(error.code);
    }
  }

  /** A `PROTOCOL` error about `entry`. */
  protocolError(entry: LinkEntry<E>, message: string, cause?: unknown): PeerError {
    return new PeerError('PROTOCOL', message, {
      linkId: entry.key,
      peerId: entry.peerId || undefined,
      ...(cause === undefined ? {} : { cause }),
    });
  }

  /** `bye` to every neighbour (the peer stops). */
  sayBye(): void {
    for (const l of [...this.entries.values()]) {
      if (l.kind === 'running') this.send(l, { type: 'bye', reason: 'stop' });
    }
  }

  /** Close every link (the peer stops). */
  closeAll(): void {
    for (const l of [...this.entries.values()]) l.link.close('stop');
  }

  /** Public description of the neighbours, with the clock's RTT per link. */
  info(rttOf: (key: string) => number | undefined): NeighbourInfo[] {
    return this.neighbourList.map((l) => {
      const rtt = rttOf(l.key);
      return {
        peerId: l.peerId,
        linkId: l.key,
        transport: l.transport.name,
        direction: l.link.direction,
        remoteAddress: l.link.remoteAddress,
        rttMs: rtt === undefined || Number.isNaN(rtt) ? undefined : rtt,
      };
    });
  }
}
