import type { Link, RoomBroadcast, Transport, TransportHandler } from '@symmetric/transport';

type Listener = (message: Uint8Array, from: string | undefined) => void;

interface Pending {
  readonly at: number;
  readonly order: number;
  readonly to: string;
  readonly from: string;
  readonly message: Uint8Array;
}

/**
 * An in-memory, virtual-time room broadcast bus for tests: every member's `publish` reaches every
 * other member after `latencyMs`, unless dropped (seeded, per recipient, with `dropRate`).
 */
export class BroadcastBus {
  readonly maxMessageBytes = 65_536;
  dropRate: number;
  private readonly latencyMs: number;
  private readonly now: () => number;
  private readonly members = new Map<string, Set<Listener>>();
  private queue: Pending[] = [];
  private order = 0;
  private seed: number;
  /** Every message published, in order (for tests that mutate real messages). */
  readonly published: Uint8Array[] = [];
  delivered = 0;
  dropped = 0;

  constructor(options: { now: () => number; latencyMs?: number; dropRate?: number; seed?: number }) {
    this.now = options.now;
    this.latencyMs = options.latencyMs ?? 10;
    this.dropRate = options.dropRate ?? 0;
    this.seed = options.seed ?? 1;
  }

  private random(): number {
    // mulberry32
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** The channel of member `id`. */
  channel(id: string): RoomBroadcast {
    let listeners = this.members.get(id);
    if (listeners === undefined) {
      listeners = new Set();
      this.members.set(id, listeners);
    }
    const set = listeners;
    return {
      maxMessageBytes: this.maxMessageBytes,
      publish: (message) => {
        if (message.length > this.maxMessageBytes) throw new Error('too large');
        this.published.push(message.slice());
        for (const to of this.members.keys()) {
          if (to === id) continue;
          if (this.random() < this.dropRate) {
            this.dropped++;
            continue;
          }
          this.queue.push({
            at: this.now() + this.latencyMs,
            order: this.order++,
            to,
            from: id,
            message: message.slice(),
          });
        }
        return true;
      },
      onMessage: (listener) => {
        set.add(listener);
        return () => {
          set.delete(listener);
        };
      },
    };
  }

  /** Deliver `message` to member `to` now (as if published by `from`). */
  inject(to: string, message: Uint8Array, from: string | undefined): void {
    for (const l of [...(this.members.get(to) ?? [])]) l(message, from);
  }

  /** Deliver every message due by `ms`. */
  runUntil(ms: number): void {
    const due = this.queue.filter((p) => p.at <= ms).sort((a, b) => a.at - b.at || a.order - b.order);
    if (due.length === 0) return;
    this.queue = this.queue.filter((p) => p.at > ms);
    for (const p of due) {
      this.delivered++;
      this.inject(p.to, p.message, p.from);
    }
  }
}

/** `inner` plus a broadcast channel. */
export function withBroadcast(inner: Transport, channel: RoomBroadcast): Transport {
  return {
    name: inner.name,
    broadcast: channel,
    start: (handler: TransportHandler) => inner.start(handler),
    dial: (address: string): Promise<Link> => inner.dial(address),
    addresses: () => inner.addresses(),
    links: () => inner.links(),
    stop: () => inner.stop(),
  };
}
