/**
 * A minimal virtual-time network for the peer's own tests (reliable FIFO links with a latency
 * function, cut/heal, raw frame injection). Deterministic: frames are delivered in (time, seq)
 * order by `runUntil`, callbacks run synchronously inside it or inside `dial`.
 */
import { createCodec, type Frame, PROTOCOL_VERSION, rectangleKeyCodec } from '@symmetric/codec';
import type { CloseInfo, Link, Transport, TransportHandler } from '@symmetric/transport';
import { TransportError } from '@symmetric/transport';

interface Pending {
  at: number;
  seq: number;
  run: () => void;
}

class VLink implements Link {
  open = true;
  other: VLink | undefined;
  lastArrival = 0;
  constructor(
    readonly net: VNet,
    readonly owner: VTransport,
    readonly id: string,
    readonly direction: 'inbound' | 'outbound',
    readonly remoteAddress: string,
  ) {}
  get remotePeerId(): string | undefined {
    return undefined;
  }
  send(frame: Uint8Array): boolean {
    if (!this.open) return false;
    const other = this.other!;
    const copy = frame.slice();
    let at = this.net.now() + this.net.latency(this.owner.address, this.remoteAddress);
    if (at < this.lastArrival) at = this.lastArrival; // FIFO
    this.lastArrival = at;
    this.net.frames++;
    this.net.schedule(at, () => {
      if (other.open) other.owner.handler?.onFrame(other, copy);
    });
    return true;
  }
  close(reason = 'closed'): void {
    if (!this.open) return;
    this.closeBoth(reason, true);
  }
  closeBoth(reason: string, local: boolean): void {
    const other = this.other!;
    this.shut({ local, reason });
    // The remote side learns after the latency.
    this.net.schedule(this.net.now() + this.net.latency(this.owner.address, this.remoteAddress), () => {
      other.shut({ local: false, reason });
    });
  }
  shut(info: CloseInfo): void {
    if (!this.open) return;
    this.open = false;
    this.owner.links_.delete(this.id);
    this.owner.handler?.onClose(this, info);
  }
}

export class VTransport implements Transport {
  readonly name = 'vnet';
  handler: TransportHandler | undefined;
  readonly links_ = new Map<string, VLink>();
  private nextLink = 0;
  constructor(
    readonly net: VNet,
    readonly address: string,
  ) {}
  async start(handler: TransportHandler): Promise<void> {
    if (this.handler !== undefined) throw new TransportError('ALREADY_STARTED', 'started');
    this.handler = handler;
  }
  newLink(direction: 'inbound' | 'outbound', remote: string): VLink {
    const l = new VLink(this.net, this, `${this.address}#${this.nextLink++}`, direction, remote);
    this.links_.set(l.id, l);
    return l;
  }
  dial(address: string): Promise<Link> {
    const remote = this.net.transports.get(address);
    if (this.handler === undefined) return Promise.reject(new TransportError('NOT_STARTED', 'not started'));
    if (remote?.handler === undefined || this.net.isCut(this.address, address)) {
      return Promise.reject(new TransportError('DIAL_FAILED', `cannot reach ${address}`));
    }
    const a = this.newLink('outbound', address);
    const b = remote.newLink('inbound', this.address);
    a.other = b;
    b.other = a;
    this.handler.onLink(a);
    remote.handler.onLink(b);
    return Promise.resolve(a);
  }
  addresses(): string[] {
    return [this.address];
  }
  links(): Link[] {
    return [...this.links_.values()];
  }
  async stop(): Promise<void> {
    for (const l of [...this.links_.values()]) l.close('stop');
    this.net.transports.delete(this.address);
  }
}

export class VNet {
  private t = 0;
  private seq = 0;
  private queue: Pending[] = [];
  frames = 0;
  readonly transports = new Map<string, VTransport>();
  private readonly cuts = new Set<string>();
  constructor(public latency: (from: string, to: string) => number = () => 10) {}
  now(): number {
    return this.t;
  }
  transport(address: string): VTransport {
    const t = new VTransport(this, address);
    this.transports.set(address, t);
    return t;
  }
  schedule(at: number, run: () => void): void {
    const p = { at, seq: this.seq++, run };
    // Insert keeping (at, seq) order; the queue is small in tests.
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.at > at) i--;
    this.queue.splice(i, 0, p);
  }
  runUntil(ms: number): void {
    while (this.queue.length > 0 && this.queue[0]!.at <= ms) {
      const p = this.queue.shift()!;
      this.t = Math.max(this.t, p.at);
      p.run();
    }
    this.t = Math.max(this.t, ms);
  }
  private key(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }
  isCut(a: string, b: string): boolean {
    return this.cuts.has(this.key(a, b));
  }
  /** Cut a-b: open links between them close (both sides), dials fail until heal. */
  cut(a: string, b: string): void {
    this.cuts.add(this.key(a, b));
    for (const l of [...(this.transports.get(a)?.links_.values() ?? [])]) {
      if (l.remoteAddress === b) l.closeBoth('cut', false);
    }
  }
  heal(a: string, b: string): void {
    this.cuts.delete(this.key(a, b));
  }
  /** Deliver raw bytes to `to` on its link from `from` (bypasses the sender's encoder). */
  inject(from: string, to: string, bytes: Uint8Array): void {
    const link = [...(this.transports.get(from)?.links_.values() ?? [])].find((l) => l.remoteAddress === to);
    if (link === undefined) throw new Error(`no link ${from}->${to}`);
    link.send(bytes);
  }
}

/**
 * A scripted neighbour speaking the wire protocol by hand (for repair and bad-input tests).
 * It answers hello with `hello` (overridable) and records every decoded frame it receives.
 */
export class RawPeer {
  readonly received: Frame<number>[] = [];
  readonly links = new Map<string, Link>();
  private readonly codec = createCodec<number>({ payload: rectangleKeyCodec });
  private readonly enc = new Map<string, ReturnType<typeof this.codec.encoder>>();
  private readonly dec = new Map<string, ReturnType<typeof this.codec.decoder>>();
  closed: CloseInfo[] = [];
  onFrame: ((frame: Frame<number>, from: string) => void) | undefined;

  constructor(
    readonly net: VNet,
    readonly address: string,
    readonly hello: Partial<{
      room: string;
      fps: number;
      peerId: string;
      version: number;
      appId: string;
    }> = {},
  ) {
    const t = net.transport(address);
    void t.start({
      onLink: (link) => {
        this.links.set(link.remoteAddress, link);
        this.enc.set(link.remoteAddress, this.codec.encoder());
        this.dec.set(link.remoteAddress, this.codec.decoder());
        this.send(link.remoteAddress, {
          type: 'hello',
          version: this.hello.version ?? PROTOCOL_VERSION,
          room: this.hello.room ?? 'test',
          fps: this.hello.fps ?? 50,
          peerId: this.hello.peerId ?? address,
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
    this.transport = t;
  }
  readonly transport: VTransport;
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
