import { ed25519 } from '@noble/curves/ed25519.js';
import {
  authSignedBytes,
  Capability,
  createCodec,
  eventSignedBytes,
  type Frame,
  type FrameDecoder,
  type FrameEncoder,
  PROTOCOL_VERSION,
  rectangleKeyCodec,
  type WireEvent,
} from '@symmetric/codec';
import { generateIdentity, type PeerIdentity } from '@symmetric/peer';
import type { CloseInfo, Link, Transport } from '@symmetric/transport';

/** One link of the attacker: its codec state, nonces and the label tests use for it. */
interface AttackerLink {
  readonly link: Link;
  readonly enc: FrameEncoder<number>;
  readonly dec: FrameDecoder<number>;
  readonly nonce: Uint8Array;
  /** The dialled address (or the label given to `dial`); an inbound link's remote address. */
  label: string;
  theirId: string;
}

/**
 * A hostile neighbour in an authenticated room, speaking the codec by hand over any transport:
 * it holds a real key and completes the handshake with it (or claims another id, which it cannot
 * prove), records every frame it receives (decoded and raw), and signs whatever events it likes.
 * Links are named by the address (or label) they were dialled with; an inbound link by its
 * remote address.
 */
export class Attacker {
  readonly identity: PeerIdentity;
  readonly received: {
    from: string;
    direction: Link['direction'];
    frame: Frame<number>;
    bytes: Uint8Array;
  }[] = [];
  readonly closed: { from: string; info: CloseInfo }[] = [];
  /** Called for every frame received (after recording it). */
  onFrame: ((frame: Frame<number>, from: string) => void) | undefined;
  private readonly codec = createCodec<number>({ payload: rectangleKeyCodec });
  private readonly links = new Map<Link, AttackerLink>();

  constructor(
    readonly transport: Transport,
    /** Where honest peers dial it. */
    public address: string,
    readonly options: {
      /** Peer id claimed in the hello (default: its own key's). */
      claimId?: string;
      /** Its key (default: a new one; on libp2p, the transport's). */
      identity?: PeerIdentity;
      /** Frames to send instead of its own handshake on every new link (a replay). */
      replay?: readonly Uint8Array[];
      room?: string;
      /** Keep only the newest this many received frames (default: all). */
      keepReceived?: number;
    } = {},
  ) {
    this.identity = options.identity ?? generateIdentity();
  }

  /** The id it claims. */
  get claimedId(): string {
    return this.options.claimId ?? this.identity.peerId;
  }

  /** Its event source id. */
  get source(): string {
    return `${this.identity.peerId}~1`;
  }

  private get room(): string {
    return this.options.room ?? 'test';
  }

  async start(): Promise<this> {
    await this.transport.start({
      onLink: (link) => this.opened(link),
      onFrame: (link, bytes) => {
        const state = this.links.get(link) ?? this.opened(link);
        const frame = state.dec.decode(bytes);
        this.received.push({ from: state.label, direction: link.direction, frame, bytes: bytes.slice() });
        const keep = this.options.keepReceived;
        if (keep !== undefined && this.received.length > 2 * keep)
          this.received.splice(0, this.received.length - keep);
        if (frame.type === 'hello') state.theirId = frame.peerId;
        if (frame.type === 'challenge' && this.options.replay === undefined) {
          const message = authSignedBytes(this.room, this.claimedId, state.nonce, state.theirId, frame.nonce);
          this.sendOn(state, {
            type: 'auth',
            signature: ed25519.sign(message, this.identity.secretKey),
            mac: new Uint8Array(0),
          });
        }
        this.onFrame?.(frame, state.label);
      },
      onClose: (link, info) => {
        this.closed.push({ from: this.links.get(link)?.label ?? link.remoteAddress, info });
        this.links.delete(link);
      },
      onError: () => {},
    });
    return this;
  }

  private opened(link: Link): AttackerLink {
    const known = this.links.get(link);
    if (known !== undefined) return known;
    const state: AttackerLink = {
      link,
      enc: this.codec.encoder(),
      dec: this.codec.decoder(),
      nonce: ed25519.utils.randomSecretKey(),
      label: link.remoteAddress,
      theirId: '',
    };
    this.links.set(link, state);
    if (this.options.replay !== undefined) {
      for (const bytes of this.options.replay) link.send(bytes);
      return state;
    }
    this.sendOn(state, {
      type: 'hello',
      version: PROTOCOL_VERSION,
      room: this.room,
      fps: 50,
      peerId: this.claimedId,
      capabilities: Capability.SignedEvents | Capability.SnapshotServe,
      appId: '',
    });
    this.sendOn(state, { type: 'challenge', nonce: state.nonce });
    return state;
  }

  /** Dial `address`; the link is named `label` (default: the address). */
  dial(address: string, label = address): Promise<void> {
    return this.transport.dial(address).then(
      (link) => {
        this.opened(link).label = label;
      },
      () => {},
    );
  }

  private byLabel(label: string): AttackerLink | undefined {
    let found: AttackerLink | undefined;
    for (const s of this.links.values())
      if (s.label === label && (found === undefined || s.link.open)) found = s;
    return found;
  }

  private sendOn(state: AttackerLink, frame: Frame<number>): void {
    state.link.send(state.enc.encode(frame));
  }

  /** Encode and send `frame` on the link named `to`. */
  send(to: string, frame: Frame<number>): void {
    const state = this.byLabel(to);
    if (state !== undefined) this.sendOn(state, frame);
  }

  /** Send raw `bytes` (a replayed or malformed frame) on the link named `to`. */
  sendBytes(to: string, bytes: Uint8Array): void {
    this.byLabel(to)?.link.send(bytes);
  }

  /** `ev` signed with this attacker's key (whatever its source says). */
  sign(ev: Omit<WireEvent<number>, 'signature'>, room = this.room): WireEvent<number> {
    const bytes = eventSignedBytes(room, ev.source, ev.seq, ev.tick, rectangleKeyCodec.encode(ev.payload));
    return { ...ev, signature: ed25519.sign(bytes, this.identity.secretKey) };
  }

  /** `true` while the link named `to` is open. */
  linked(to: string): boolean {
    return this.byLabel(to)?.link.open === true;
  }
}
