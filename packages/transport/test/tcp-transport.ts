/// <reference types="node" />
// A complete Symmetric transport over raw TCP in ~150 lines: the worked example of the README
// ("a transport in an afternoon"). Frames are length-prefixed (4-byte big-endian length).
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import {
  type CloseInfo,
  type Link,
  type Transport,
  TransportError,
  type TransportHandler,
} from '@symmetric/transport';

/** Options of {@link TcpTransport}. */
export interface TcpTransportOptions {
  /** Port to listen on (0 = any free port). Default 0. */
  port?: number;
  /** Host to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Largest frame accepted, both ways. Default 1 MiB. */
  maxFrameBytes?: number;
}

class TcpLink implements Link {
  readonly remotePeerId = undefined;
  /** The handler's own per-link state (never read here). */
  attachment: unknown = undefined;
  open = true;
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    readonly id: string,
    readonly direction: 'inbound' | 'outbound',
    readonly remoteAddress: string,
    private readonly socket: Socket,
    private readonly owner: TcpTransport,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // 'error' is always followed by 'close'; keep the error to report it.
    let error: Error | undefined;
    socket.on('error', (e) => {
      error = e;
    });
    socket.on('close', () => {
      const info: CloseInfo =
        error === undefined
          ? { local: false, reason: 'remote closed' }
          : { local: false, reason: error.message, error: new TransportError('INTERNAL', error.message) };
      this.finish(info);
    });
  }

  send(frame: Uint8Array): boolean {
    if (!this.open) return false;
    if (frame.length > this.owner.maxFrameBytes) {
      throw new TransportError('FRAME_TOO_LARGE', `frame of ${frame.length} bytes`, { linkId: this.id });
    }
    const out = Buffer.allocUnsafe(4 + frame.length); // one copy: the caller may reuse `frame`
    out.writeUInt32BE(frame.length, 0);
    out.set(frame, 4);
    this.socket.write(out);
    return true;
  }

  close(reason = 'closed'): void {
    if (!this.open) return;
    this.socket.end(); // FIN after queued writes; the remote sees 'close'
    this.finish({ local: true, reason });
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.open && this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (length > this.owner.maxFrameBytes) {
        const error = new TransportError('FRAME_TOO_LARGE', `incoming frame of ${length} bytes`, {
          linkId: this.id,
        });
        this.owner.handler?.onError(error, this);
        this.socket.destroy();
        this.finish({ local: true, reason: error.message, error });
        return;
      }
      if (this.pending.length < 4 + length) return;
      const frame = new Uint8Array(this.pending.subarray(4, 4 + length)); // a copy the app owns
      this.pending = this.pending.subarray(4 + length);
      this.owner.handler?.onFrame(this, frame);
    }
  }

  private finish(info: CloseInfo): void {
    if (!this.open) return;
    this.open = false;
    this.owner.forget(this);
    this.owner.handler?.onClose(this, info);
  }
}

/** A {@link Transport} over TCP: listens on `host:port`, dials `tcp://host:port`. */
export class TcpTransport implements Transport {
  readonly name = 'tcp';
  readonly maxFrameBytes: number;
  handler: TransportHandler | undefined;
  private server: Server | undefined;
  private address: string | undefined;
  private readonly open = new Set<TcpLink>();
  private nextId = 0;
  private readonly options: TcpTransportOptions;

  constructor(options: TcpTransportOptions = {}) {
    this.options = options;
    this.maxFrameBytes = options.maxFrameBytes ?? 1 << 20;
  }

  async start(handler: TransportHandler): Promise<void> {
    if (this.handler !== undefined) throw new TransportError('ALREADY_STARTED', 'already started');
    this.handler = handler;
    const server = createServer((socket) => {
      const link = this.adopt(socket, 'inbound', `tcp://${socket.remoteAddress}:${socket.remotePort}`);
      handler.onLink(link);
    });
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new TransportError('LISTEN_FAILED', e.message, { cause: e })));
      server.listen(this.options.port ?? 0, host, resolve);
    });
    server.on('error', (e) => handler.onError(new TransportError('INTERNAL', e.message, { cause: e })));
    const port = (server.address() as { port: number }).port;
    this.server = server;
    this.address = `tcp://${host}:${port}`;
  }

  dial(address: string): Promise<Link> {
    const handler = this.handler;
    if (handler === undefined || this.server === undefined) {
      return Promise.reject(new TransportError('NOT_STARTED', 'start() first'));
    }
    const match = /^tcp:\/\/([^/:]+):(\d{1,5})$/.exec(address);
    if (match === null)
      return Promise.reject(new TransportError('BAD_ADDRESS', `not tcp://host:port: ${address}`));
    return new Promise((resolve, reject) => {
      const socket = tcpConnect(Number(match[2]), match[1]);
      const fail = (e: Error) => reject(new TransportError('DIAL_FAILED', e.message, { cause: e }));
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        const link = this.adopt(socket, 'outbound', address);
        handler.onLink(link);
        resolve(link);
      });
    });
  }

  addresses(): string[] {
    return this.address === undefined ? [] : [this.address];
  }

  links(): Link[] {
    return [...this.open];
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.address = undefined;
    for (const link of [...this.open]) link.close('transport stopped');
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  }

  /** @internal */
  forget(link: TcpLink): void {
    this.open.delete(link);
  }

  private adopt(socket: Socket, direction: 'inbound' | 'outbound', remote: string): TcpLink {
    const link = new TcpLink(`tcp-${this.nextId++}`, direction, remote, socket, this);
    this.open.add(link);
    return link;
  }
}
