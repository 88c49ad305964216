/**
 * Dissemination over gossipsub: one topic per room. Publishing sends a frame to every peer of
 * the room through gossipsub's mesh (degree D) instead of flooding it over every link; see the
 * README for the measured trade-off and when to use which.
 */
import { type GossipSub, gossipsub } from '@libp2p/gossipsub';
import type { MetricsRegister } from '@libp2p/gossipsub/metrics';
import { isTransportError, type RoomBroadcast, TransportError } from '@symmetric/transport';
import type { Libp2p } from 'libp2p';
import type { GossipOptions } from './options.js';

/** Counters of a {@link GossipRoom}, including gossipsub's own wire counters. */
export interface GossipRoomStats {
  /** Frames published by this peer. */
  published: number;
  /** Frames delivered to listeners (from other peers; never our own). */
  delivered: number;
  /** Messages dropped on receipt (oversized). */
  rejected: number;
  /** Data messages this node sent in gossipsub RPCs (publishes and forwards; duplicates included). */
  rpcMessagesSent: number;
  /** Bytes of every gossipsub RPC this node sent (data and control). */
  rpcBytesSent: number;
  /** Control entries (IHAVE, IWANT, GRAFT, PRUNE, IDONTWANT) this node sent. */
  rpcControlSent: number;
}

/** A gossipsub room: publish frames to all peers subscribed to the room's topic. */
export interface GossipRoom {
  /** The gossipsub topic: `<protocol>/room/<room>`. */
  readonly topic: string;
  /**
   * Publishes `frame` to the room. Resolves with the number of peers it was sent to directly
   * (0 when nobody is subscribed yet: the frame is then lost, gossipsub is best effort).
   * Rejects with {@link TransportError} `FRAME_TOO_LARGE` or `NOT_STARTED`.
   */
  publish(frame: Uint8Array): Promise<number>;
  /** Listens to frames published by other peers; returns the unsubscribe function. */
  onMessage(listener: (frame: Uint8Array, from: string) => void): () => void;
  /** Peer ids known to be subscribed to the topic. */
  subscribers(): string[];
  /** Peer ids in this node's mesh for the topic. */
  meshPeers(): string[];
  /** Counters. */
  stats(): GossipRoomStats;
}

type GossipSubExt = GossipSub & { getMeshPeers(topic: string): string[] };

/** A MetricsRegister that only keeps totals of the unlabelled counters it is asked to increment. */
class CounterRegister {
  readonly totals = new Map<string, number>();

  private add(name: string, args: unknown[]): void {
    const value = typeof args[0] === 'object' ? args[1] : args[0];
    this.totals.set(name, (this.totals.get(name) ?? 0) + (typeof value === 'number' ? value : 1));
  }

  gauge(config: { name: string }) {
    return {
      inc: (...args: unknown[]) => this.add(config.name, args),
      set: () => {},
      addCollect: () => {},
    };
  }

  histogram() {
    return { startTimer: () => () => {}, observe: () => {}, reset: () => {} };
  }

  avgMinMax() {
    return { set: () => {} };
  }

  get(name: string): number {
    return this.totals.get(name) ?? 0;
  }
}

const registers = new WeakMap<object, CounterRegister>();

/** The gossipsub service factory for the `gossip` option. */
export function gossipService(options: GossipOptions, maxFrameBytes: number) {
  const register = new CounterRegister();
  const d = options.meshDegree ?? 6;
  const factory = gossipsub({
    allowPublishToZeroTopicPeers: true,
    emitSelf: false,
    D: d,
    Dlo: Math.max(1, d - 2),
    Dhi: Math.max(d + 1, d * 2),
    Dout: Math.max(1, Math.min(2, Math.floor(d / 2))),
    heartbeatInterval: options.heartbeatMs ?? 1000,
    floodPublish: options.floodPublish ?? true,
    fallbackToFloodsub: false,
    maxInboundDataLength: maxFrameBytes + 64 * 1024,
    scoreParams:
      options.ipColocationThreshold === undefined
        ? { IPColocationFactorWeight: 0 }
        : { IPColocationFactorWeight: -5, IPColocationFactorThreshold: options.ipColocationThreshold },
    metricsRegister: register as unknown as MetricsRegister,
    metricsTopicStrToLabel: new Map(),
  });
  return (components: Parameters<typeof factory>[0]) => {
    const service = factory(components);
    registers.set(service, register);
    return service;
  };
}

/** @internal The room bound to a started node. */
export class GossipRoomImpl implements GossipRoom {
  readonly topic: string;
  private readonly node: Libp2p;
  private readonly maxFrameBytes: number;
  private readonly listeners = new Set<(frame: Uint8Array, from: string) => void>();
  private readonly counters = { published: 0, delivered: 0, rejected: 0 };
  private readonly onError: (error: TransportError) => void;
  private running = false;
  private readonly onPubsubMessage = (
    evt: CustomEvent<{ topic: string; data: Uint8Array; type: string }>,
  ): void => {
    const msg = evt.detail as {
      topic: string;
      data: Uint8Array;
      type: string;
      from?: { toString(): string };
    };
    if (msg.topic !== this.topic) return;
    if (msg.data.length > this.maxFrameBytes) {
      this.counters.rejected++;
      this.onError(
        new TransportError('FRAME_TOO_LARGE', `gossip message of ${msg.data.length} bytes dropped`),
      );
      return;
    }
    const from = msg.type === 'signed' && msg.from !== undefined ? msg.from.toString() : '';
    this.counters.delivered++;
    for (const listener of [...this.listeners]) {
      try {
        listener(msg.data, from);
      } catch (error) {
        this.onError(new TransportError('INTERNAL', 'gossip listener threw', { cause: error }));
      }
    }
  };

  constructor(
    node: Libp2p,
    room: string,
    protocol: string,
    maxFrameBytes: number,
    hooks: { error(error: TransportError): void },
  ) {
    this.node = node;
    this.topic = `${protocol}/room/${room}`;
    this.maxFrameBytes = maxFrameBytes;
    this.onError = hooks.error;
  }

  private get pubsub(): GossipSubExt {
    return (this.node.services as { pubsub: GossipSubExt }).pubsub;
  }

  /** Subscribes to the topic. */
  start(): void {
    this.pubsub.addEventListener('message', this.onPubsubMessage as never);
    this.pubsub.subscribe(this.topic);
    this.running = true;
  }

  /** Unsubscribes (the node stops right after). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.pubsub.removeEventListener('message', this.onPubsubMessage as never);
    try {
      this.pubsub.unsubscribe(this.topic);
    } catch {
      // stopping anyway
    }
  }

  async publish(frame: Uint8Array): Promise<number> {
    if (!this.running) throw new TransportError('NOT_STARTED', 'gossip room is not running');
    if (frame.length > this.maxFrameBytes) {
      throw new TransportError(
        'FRAME_TOO_LARGE',
        `frame of ${frame.length} bytes exceeds ${this.maxFrameBytes}`,
      );
    }
    try {
      const result = await this.pubsub.publish(this.topic, frame);
      this.counters.published++;
      return result.recipients.length;
    } catch (error) {
      throw new TransportError('INTERNAL', `gossip publish failed: ${String(error)}`, { cause: error });
    }
  }

  onMessage(listener: (frame: Uint8Array, from: string) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  subscribers(): string[] {
    return this.pubsub.getSubscribers(this.topic).map((p) => p.toString());
  }

  meshPeers(): string[] {
    return this.pubsub.getMeshPeers(this.topic);
  }

  stats(): GossipRoomStats {
    const reg = registers.get(this.pubsub);
    const get = (name: string): number => reg?.get(name) ?? 0;
    return {
      ...this.counters,
      rpcMessagesSent: get('gossipsub_rpc_sent_message_total'),
      rpcBytesSent: get('gossipsub_rpc_sent_bytes_total'),
      rpcControlSent:
        get('gossipsub_rpc_sent_ihave_total') +
        get('gossipsub_rpc_sent_iwant_total') +
        get('gossipsub_rpc_sent_graft_total') +
        get('gossipsub_rpc_sent_prune_total') +
        get('gossipsub_rpc_sent_idontwant_total'),
    };
  }
}

/**
 * @internal The transport's {@link RoomBroadcast} (`transport.broadcast`): a stable object over
 * whichever {@link GossipRoomImpl} is running, so listeners survive `stop` / `start`.
 */
export class GossipBroadcast implements RoomBroadcast {
  readonly maxMessageBytes: number;
  private room: GossipRoomImpl | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly listeners = new Set<(message: Uint8Array, from: string | undefined) => void>();
  private readonly onError: (error: TransportError) => void;

  constructor(maxMessageBytes: number, hooks: { error(error: TransportError): void }) {
    this.maxMessageBytes = maxMessageBytes;
    this.onError = hooks.error;
  }

  /** Follow `room` (the started transport's), or nothing (`undefined`, stopped). */
  bind(room: GossipRoomImpl | undefined): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.room = room;
    if (room === undefined) return;
    this.unsubscribe = room.onMessage((frame, from) => {
      const sender = from === '' ? undefined : from;
      for (const listener of [...this.listeners]) {
        try {
          listener(frame, sender);
        } catch (error) {
          this.onError(new TransportError('INTERNAL', 'broadcast listener threw', { cause: error }));
        }
      }
    });
  }

  publish(message: Uint8Array): boolean {
    const room = this.room;
    if (room === undefined) return false;
    if (message.length > this.maxMessageBytes) {
      throw new TransportError(
        'FRAME_TOO_LARGE',
        `broadcast message of ${message.length} bytes exceeds ${this.maxMessageBytes}`,
      );
    }
    room.publish(message).catch((error: unknown) => {
      if (this.room !== room) return; // stopped meanwhile
      this.onError(
        isTransportError(error)
          ? error
          : new TransportError('INTERNAL', `gossip publish failed: ${String(error)}`, { cause: error }),
      );
    });
    return true;
  }

  onMessage(listener: (message: Uint8Array, from: string | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
