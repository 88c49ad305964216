import { ed25519 } from '@noble/curves/ed25519.js';
import {
  authSignedBytes,
  Capability,
  createCodec,
  eventSignedBytes,
  type Frame,
  PROTOCOL_VERSION,
  rectangleKeyCodec,
  type WireEvent,
} from '@symmetric/codec';
import { generateIdentity, type PeerIdentity } from '@symmetric/peer';
import type { CloseInfo, Link, Transport } from '@symmetric/transport';

/**
 * A hostile neighbour in an authenticated room, speaking the codec by hand: it holds a real key
 * and completes the handshake with it (or claims another id, which it cannot prove), records
 * every frame it receives (decoded and raw), and signs whatever events it likes.
 */
export class Attacker {
  readonly identity: PeerIdentity = generateIdentity();
  readonly received: { from: string; frame: Frame<number>; bytes: Uint8Array }[] = [];
  readonly closed: { from: string; info: CloseInfo }[] = [];
  /** Called for every frame received (after recording it). */
  onFrame: ((frame: Frame<number>, from: string) => void) | undefined;
  private readonly codec = createCodec<number>({ payload: rectangleKeyCodec });
  private readonly links = new Map<string, Link>();
  private readonly enc = new Map<string, ReturnType<typeof this.codec.encoder>>();
  private readonly dec = new Map<string, ReturnType<typeof this.codec.decoder>>();
  private readonly nonces = new Map<string, Uint8Array>();
  private readonly theirIds = new Map<string, string>();

  constructor(
    readonly transport: Transport,
    readonly address: string,
    readonly options: {
      /** Peer id claimed in the hello (default: its own key's). */
      claimId?: string;
      /** Frames to send instead of its own handshake on every new link (a replay). */
      replay?: readonly Uint8Array[];
      room?: string;
    } = {},
  ) {}

  /** The id it claims. */
  get claimedId(): string {
    return this.options.claimId ?? this.identity.peerId;
  }

  /** Its event source id. */
  get source(): string {
    return `${this.identity.peerId}~1`;
  }

  async start(): Promise<this> {
    await this.transport.start({
      onLink: (link) => {
        const to = link.remoteAddress;
        this.links.set(to, link);
        this.enc.set(to, this.codec.encoder());
        this.dec.set(to, this.codec.decoder());
        if (this.options.replay !== undefined) {
          for (const bytes of this.options.replay) link.send(bytes);
          return;
        }
        const nonce = ed25519.utils.randomSecretKey();
        this.nonces.set(to, nonce);
        this.send(to, {
          type: 'hello',
          version: PROTOCOL_VERSION,
          room: this.options.room ?? 'test',
          fps: 50,
          peerId: this.claimedId,
          capabilities: Capability.SignedEvents | Capability.SnapshotServe,
          appId: '',
        });
        this.send(to, { type: 'challenge', nonce });
      },
      onFrame: (link, bytes) => {
        const from = link.remoteAddress;
        const frame = this.dec.get(from)!.decode(bytes);
        this.received.push({ from, frame, bytes: bytes.slice() });
        if (frame.type === 'hello') this.theirIds.set(from, frame.peerId);
        if (frame.type === 'challenge' && this.options.replay === undefined) {
          const message = authSignedBytes(
            this.options.room ?? 'test',
            this.claimedId,
            this.nonces.get(from)!,
            this.theirIds.get(from) ?? '',
            frame.nonce,
          );
          this.send(from, {
            type: 'auth',
            signature: ed25519.sign(message, this.identity.secretKey),
            mac: new Uint8Array(0),
          });
        }
        this.onFrame?.(frame, from);
      },
      onClose: (link, info) => {
        this.closed.push({ from: link.remoteAddress, info });
      },
      onError: () => {},
    });
    return this;
  }

  /** Dial `address`. */
  dial(address: string): void {
    void this.transport.dial(address);
  }

  /** Encode and send `frame` on the link to `to`. */
  send(to: string, frame: Frame<number>): void {
    this.links.get(to)?.send(this.enc.get(to)!.encode(frame));
  }

  /** `ev` signed with this attacker's key (whatever its source says). */
  sign(ev: Omit<WireEvent<number>, 'signature'>, room = this.options.room ?? 'test'): WireEvent<number> {
    const bytes = eventSignedBytes(room, ev.source, ev.seq, ev.tick, rectangleKeyCodec.encode(ev.payload));
    return { ...ev, signature: ed25519.sign(bytes, this.identity.secretKey) };
  }

  /** `true` while the link to `to` is open. */
  linked(to: string): boolean {
    return this.links.get(to)?.open === true;
  }
}
