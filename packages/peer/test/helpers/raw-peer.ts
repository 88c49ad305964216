import { createCodec, type Frame, PROTOCOL_VERSION, rectangleKeyCodec } from '@symmetric/codec';
import type { CloseInfo, Link, Transport } from '@symmetric/transport';

/**
 * A scripted neighbour speaking the wire protocol by hand over any transport (for repair and
 * bad-input tests). It answers a new link with `hello` (fields overridable) and records every
 * frame it receives.
 */
export class RawPeer {
  readonly received: Frame<number>[] = [];
  readonly closed: CloseInfo[] = [];
  onFrame: ((frame: Frame<number>, from: string) => void) | undefined;
  private readonly links = new Map<string, Link>();
  private readonly codec = createCodec<number>({ payload: rectangleKeyCodec });
  private readonly enc = new Map<string, ReturnType<typeof this.codec.encoder>>();
  private readonly dec = new Map<string, ReturnType<typeof this.codec.decoder>>();

  constructor(
    readonly transport: Transport,
    readonly address: string,
    readonly hello: Partial<{
      room: string;
      fps: number;
      peerId: string;
      version: number;
      appId: string;
    }> = {},
  ) {}

  async start(): Promise<this> {
    await this.transport.start({
      onLink: (link) => {
        this.links.set(link.remoteAddress, link);
        this.enc.set(link.remoteAddress, this.codec.encoder());
        this.dec.set(link.remoteAddress, this.codec.decoder());
        this.send(link.remoteAddress, {
          type: 'hello',
          version: this.hello.version ?? PROTOCOL_VERSION,
          room: this.hello.room ?? 'test',
          fps: this.hello.fps ?? 50,
          peerId: this.hello.peerId ?? this.address,
          capabilities: 0,
          appId: this.hello.appId ?? '',
        });
      },
      onFrame: (link, bytes) => {
        const f = this.dec.get(link.remoteAddress)!.decode(bytes);
        this.received.push(f);
        this.onFrame?.(f, link.remoteAddress);
      },
      onClose: (_link, info) => {
        this.closed.push(info);
      },
      onError: () => {},
    });
    return this;
  }

  send(to: string, frame: Frame<number>): void {
    this.links.get(to)!.send(this.enc.get(to)!.encode(frame));
  }

  sendRaw(to: string, bytes: Uint8Array): void {
    this.links.get(to)!.send(bytes);
  }

  dial(address: string): void {
    void this.transport.dial(address);
  }
}
