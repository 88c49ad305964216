/// <reference types="node" />
// A transport with a room broadcast channel, for the broadcast tier's own tests: the README's TCP
// transport plus an in-memory room that hands every published message to the other running
// members, a few ms later.
import { type RoomBroadcast, TransportError, type TransportHandler } from '@symmetric/transport';
import { TcpTransport, type TcpTransportOptions } from './tcp-transport.js';

/** The members of one room, in this process. */
export class MemoryRoom {
  readonly members = new Set<RoomTcpTransport>();
}

class MemoryChannel implements RoomBroadcast {
  readonly maxMessageBytes: number;
  readonly listeners = new Set<(message: Uint8Array, from: string | undefined) => void>();

  constructor(
    private readonly owner: RoomTcpTransport,
    private readonly room: MemoryRoom,
    maxMessageBytes: number,
  ) {
    this.maxMessageBytes = maxMessageBytes;
  }

  publish(message: Uint8Array): boolean {
    if (!this.owner.running) return false;
    if (message.length > this.maxMessageBytes) {
      throw new TransportError('FRAME_TOO_LARGE', `message of ${message.length} bytes`);
    }
    const copy = message.slice();
    for (const member of this.room.members) {
      if (member === this.owner) continue;
      setTimeout(() => member.channel.deliver(copy.slice()), 2);
    }
    return true;
  }

  onMessage(listener: (message: Uint8Array, from: string | undefined) => void): () => void {
    const own = (message: Uint8Array, from: string | undefined): void => listener(message, from);
    this.listeners.add(own);
    return () => this.listeners.delete(own);
  }

  deliver(message: Uint8Array): void {
    if (!this.owner.running) return;
    for (const listener of [...this.listeners]) listener(message.slice(), undefined);
  }
}

/** {@link TcpTransport} with a {@link MemoryRoom} broadcast channel; may be restarted after `stop`. */
export class RoomTcpTransport extends TcpTransport {
  readonly channel: MemoryChannel;
  running = false;

  constructor(
    private readonly room: MemoryRoom,
    options: TcpTransportOptions & { maxMessageBytes?: number } = {},
  ) {
    super(options);
    this.channel = new MemoryChannel(this, room, options.maxMessageBytes ?? 64 * 1024);
  }

  get broadcast(): RoomBroadcast {
    return this.channel;
  }

  override async start(handler: TransportHandler): Promise<void> {
    await super.start(handler);
    this.running = true;
    this.room.members.add(this);
  }

  override async stop(): Promise<void> {
    this.running = false;
    this.room.members.delete(this);
    await super.stop();
    this.handler = undefined; // startable again
  }
}
