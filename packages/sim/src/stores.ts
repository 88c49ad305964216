/**
 * Stores for store-restart churn: each scenario peer keeps a {@link InstantStore} (in memory,
 * every write durable the moment it is made, so virtual-time runs stay reproducible) that
 * outlives its runtime, and a restarted runtime resumes from it. Also the offline counters a run
 * sums over every runtime.
 * @internal
 */
import type { PeerStats } from '@symmetric/peer';
import type {
  PeerIdentity,
  PeerStore,
  StoredEvent,
  StoredSnapshot,
  StoredState,
  StoreScope,
  StoreStats,
  WriteTicket,
} from '@symmetric/storage';

/**
 * A `PeerStore` in memory whose writes are durable at once (`durableTicket` is the last
 * ticket): what a simulated disk that never loses a write looks like to the runtime. It keeps
 * the resume rules of `@symmetric/storage` (first bytes of a `(source, seq)` win, `ownLastSeq`
 * survives compaction, the newest snapshot and what it has not folded in come back); it does not
 * validate its input (the runtime is its only writer) and cannot be damaged.
 * @internal
 */
export class InstantStore implements PeerStore {
  private ticket = 0;
  private identity: PeerIdentity | undefined;
  private ownLastSeq = 0;
  private readonly events = new Map<string, StoredEvent>();
  private readonly snapshots = new Map<number, StoredSnapshot>();

  constructor(readonly scope: StoreScope) {}

  get durableTicket(): WriteTicket {
    return this.ticket;
  }

  private done(): WriteTicket {
    return ++this.ticket;
  }

  private keep(event: StoredEvent): void {
    const key = `${event.seq}:${event.source}`;
    if (!this.events.has(key)) this.events.set(key, { ...event, bytes: event.bytes.slice() });
    if (event.source === this.identity?.peerId && event.seq > this.ownLastSeq) this.ownLastSeq = event.seq;
  }

  load(): Promise<StoredState> {
    let snapshot: StoredSnapshot | undefined;
    for (const s of this.snapshots.values())
      if (snapshot === undefined || s.tick > snapshot.tick) snapshot = s;
    const folded = snapshot?.frontier;
    const events = [...this.events.values()]
      .filter((e) => e.seq > (folded?.get(e.source) ?? 0))
      .sort(
        (a, b) => a.tick - b.tick || (a.source < b.source ? -1 : a.source > b.source ? 1 : a.seq - b.seq),
      );
    return Promise.resolve({
      identity: this.identity,
      snapshot,
      events,
      ownLastSeq: this.ownLastSeq,
      dropped: [],
    });
  }

  setIdentity(identity: PeerIdentity): WriteTicket {
    this.identity = identity;
    return this.done();
  }

  appendOwn(event: StoredEvent): WriteTicket {
    this.keep(event);
    return this.done();
  }

  putEvents(events: readonly StoredEvent[]): WriteTicket {
    for (const e of events) this.keep(e);
    return this.done();
  }

  putSnapshot(snapshot: StoredSnapshot): WriteTicket {
    this.snapshots.set(snapshot.tick, snapshot);
    return this.done();
  }

  compact(beforeTick: number): WriteTicket {
    for (const [key, e] of this.events) if (e.tick < beforeTick) this.events.delete(key);
    let keepFrom = -1;
    for (const tick of this.snapshots.keys()) if (tick <= beforeTick && tick > keepFrom) keepFrom = tick;
    for (const tick of [...this.snapshots.keys()]) if (tick < keepFrom) this.snapshots.delete(tick);
    return this.done();
  }

  whenDurable(): Promise<void> {
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  onDurable(): () => void {
    return () => {};
  }

  onError(): () => void {
    return () => {};
  }

  stats(): StoreStats {
    return { queued: this.ticket, durableTicket: this.ticket, pending: 0, commits: this.ticket, dropped: 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Offline work of a run, summed over every runtime (see `Metrics.offline`). */
export interface OfflineMetrics {
  /** Own events stamped while the peer had no neighbour. */
  readonly eventsEmittedOffline: number;
  /** Own events a re-base dropped and the peer emitted again (`offlineMerge: 'restamp'`). */
  readonly eventsRestamped: number;
  /** Own events a re-base dropped and the peer gave up. */
  readonly eventsDropped: number;
  /** Runtimes that resumed from their peer's store (store-restart churn). */
  readonly resumes: number;
  /**
   * Every online peer holds, at the end, exactly as many events as were generated (a re-stamped
   * event replaces its original): no user action was lost nor applied twice.
   */
  readonly noneLost: boolean;
}

/** Sums the offline counters of runtimes as they retire. @internal */
export class OfflineTally {
  emittedOffline = 0;
  restamped = 0;
  dropped = 0;
  resumes = 0;

  /** A runtime retires with these stats. */
  add(stats: Pick<PeerStats, 'eventsEmittedOffline' | 'eventsRestamped' | 'eventsDropped'>): void {
    this.emittedOffline += stats.eventsEmittedOffline;
    this.restamped += stats.eventsRestamped;
    this.dropped += stats.eventsDropped;
  }

  /** The metrics, given the events generated and the fewest and most events a peer holds. */
  metrics(generated: number, applied: number, appliedMax: number): OfflineMetrics {
    return {
      eventsEmittedOffline: this.emittedOffline,
      eventsRestamped: this.restamped,
      eventsDropped: this.dropped,
      resumes: this.resumes,
      noneLost: applied === generated && appliedMax === generated,
    };
  }
}
