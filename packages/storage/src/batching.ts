/**
 * {@link BatchingStore}: a {@link PeerStore} over any {@link StoreBackend}. It validates and
 * encodes every write when it is called, queues it with a ticket, writes the queue in batches
 * (one backend transaction each), reports durability, and applies the resume rules on load.
 */
import type { BackendContents, BackendWrite, StoreBackend } from './backend.js';
import { StoreError } from './errors.js';
import {
  checkEvent,
  checkIdentity,
  checkSnapshot,
  decodeEvent,
  decodeIdentity,
  decodeOwnSeq,
  decodeSnapshot,
  encodeEvent,
  encodeIdentity,
  encodeOwnSeq,
  encodeSnapshot,
} from './records.js';
import type {
  BatchOptions,
  DroppedRecord,
  PeerIdentity,
  PeerStore,
  StoredEvent,
  StoredSnapshot,
  StoredState,
  StoreScope,
  StoreStats,
  WriteTicket,
} from './types.js';

// The timers of every JavaScript runtime (declared here: no DOM or Node typings).
declare function setTimeout(fn: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;

const DEFAULT_MAX_BATCH_RECORDS = 1024;

interface Queued {
  readonly ticket: WriteTicket;
  readonly writes: readonly BackendWrite[];
}

interface Waiter {
  readonly ticket: WriteTicket;
  readonly resolve: () => void;
  readonly reject: (e: StoreError) => void;
}

function copyIdentity(identity: PeerIdentity): PeerIdentity {
  const base = {
    room: identity.room,
    appId: identity.appId,
    peerId: identity.peerId,
    incarnation: identity.incarnation,
  };
  if (identity.key === undefined) return base;
  return {
    ...base,
    key: { publicKey: identity.key.publicKey.slice(), privateKey: identity.key.privateKey.slice() },
  };
}

function compareEvents(a: StoredEvent, b: StoredEvent): number {
  if (a.tick !== b.tick) return a.tick - b.tick;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return a.seq - b.seq;
}

/** Keeps only the last write of each meta key (meta writes commute with every other write). */
function coalesce(queued: readonly Queued[]): BackendWrite[] {
  const out: BackendWrite[] = [];
  const lastMeta = new Map<string, BackendWrite>();
  for (const q of queued) {
    for (const w of q.writes) {
      if (w.kind === 'meta') lastMeta.set(w.key, w);
      else out.push(w);
    }
  }
  out.push(...lastMeta.values());
  return out;
}

/**
 * A {@link PeerStore} over a {@link StoreBackend}; every store in the Symmetric packages is
 * one. Open it with {@link BatchingStore.open} once the backend's header is checked.
 */
export class BatchingStore implements PeerStore {
  private readonly maxBatchDelayMs: number;
  private readonly maxBatchRecords: number;
  private queue: Queued[] = [];
  private queuedRecords = 0;
  private lastTicket = 0;
  private durable = 0;
  private commits = 0;
  private droppedCount = 0;
  private timer: unknown;
  private inFlight = false;
  private waiters: Waiter[] = [];
  private readonly durableListeners = new Set<(ticket: WriteTicket) => void>();
  private readonly errorListeners = new Set<(error: StoreError) => void>();
  private failure: StoreError | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly backend: StoreBackend,
    readonly scope: StoreScope,
    private identity: PeerIdentity | undefined,
    private ownLastSeq: number,
    options: BatchOptions,
  ) {
    this.maxBatchDelayMs = Math.max(0, options.maxBatchDelayMs ?? 0);
    this.maxBatchRecords = Math.max(1, options.maxBatchRecords ?? DEFAULT_MAX_BATCH_RECORDS);
  }

  /**
   * Opens a store over `backend` (whose header has been checked against `scope`): reads the
   * identity and own last seq, throwing `CORRUPT` when either is damaged.
   */
  static async open(
    backend: StoreBackend,
    scope: StoreScope,
    options: BatchOptions = {},
  ): Promise<BatchingStore> {
    let meta: Awaited<ReturnType<StoreBackend['readMeta']>>;
    try {
      meta = await backend.readMeta();
    } catch (e) {
      throw new StoreError('READ_FAILED', `${backend.location}: ${String(e)}`, { cause: e });
    }
    const { identity, ownSeq } = BatchingStore.decodeMeta(backend.location, meta.identity, meta.ownSeq);
    return new BatchingStore(backend, scope, identity, ownSeq, options);
  }

  private static decodeMeta(
    location: string,
    identityBlob: Uint8Array | undefined,
    ownSeqBlob: Uint8Array | undefined,
  ): { identity: PeerIdentity | undefined; ownSeq: number } {
    let identity: PeerIdentity | undefined;
    if (identityBlob !== undefined) {
      const d = decodeIdentity(identityBlob);
      if (!d.ok) throw new StoreError('CORRUPT', `${location}: the identity record is damaged (${d.reason})`);
      identity = d.value;
    }
    let ownSeq = 0;
    if (ownSeqBlob !== undefined) {
      const d = decodeOwnSeq(ownSeqBlob);
      if (!d.ok) throw new StoreError('CORRUPT', `${location}: the own-seq record is damaged (${d.reason})`);
      ownSeq = d.value;
    }
    return { identity, ownSeq };
  }

  /** The highest ticket whose write is durable. */
  get durableTicket(): WriteTicket {
    return this.durable;
  }

  private usable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new StoreError('CLOSED', `${this.backend.location}: the store is closed`);
  }

  private enqueue(writes: readonly BackendWrite[]): WriteTicket {
    const ticket = ++this.lastTicket;
    this.queue.push({ ticket, writes });
    this.queuedRecords += writes.length;
    this.schedule();
    return ticket;
  }

  private schedule(): void {
    if (this.inFlight || this.queue.length === 0) return;
    if (this.queuedRecords >= this.maxBatchRecords || this.waiters.some((w) => w.ticket > this.durable)) {
      this.kick();
      return;
    }
    if (this.timer === undefined) this.timer = setTimeout(() => this.kick(), this.maxBatchDelayMs);
  }

  private kick(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inFlight || this.queue.length === 0 || this.failure !== undefined) return;
    const batch = this.queue;
    this.queue = [];
    this.queuedRecords = 0;
    const last = (batch[batch.length - 1] as Queued).ticket;
    this.inFlight = true;
    let committing: Promise<void>;
    try {
      committing = this.backend.commit(coalesce(batch));
    } catch (e) {
      committing = Promise.reject(e);
    }
    committing.then(
      () => this.committed(last),
      (e: unknown) => this.failed(e),
    );
  }

  private committed(ticket: WriteTicket): void {
    this.inFlight = false;
    if (this.failure !== undefined) return;
    this.commits++;
    this.durable = ticket;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.ticket <= ticket) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
    for (const l of this.durableListeners) l(ticket);
    this.schedule();
  }

  private failed(cause: unknown): void {
    this.inFlight = false;
    if (this.failure !== undefined) return;
    const error =
      cause instanceof StoreError && cause.code === 'WRITE_FAILED'
        ? cause
        : new StoreError(
            'WRITE_FAILED',
            `${this.backend.location}: a batch failed to be written: ${String(cause)}`,
            {
              cause,
            },
          );
    this.failure = error;
    this.queue = [];
    this.queuedRecords = 0;
    for (const w of this.waiters) w.reject(error);
    this.waiters = [];
    for (const l of this.errorListeners) l(error);
  }

  /** {@inheritDoc PeerStore.setIdentity} */
  setIdentity(identity: PeerIdentity): WriteTicket {
    this.usable();
    checkIdentity(identity, this.scope);
    const current = this.identity;
    if (current !== undefined && current.peerId !== identity.peerId) {
      throw new StoreError(
        'BAD_IDENTITY',
        `${this.backend.location}: the store belongs to peer "${current.peerId}", not "${identity.peerId}"`,
      );
    }
    if (current !== undefined && identity.incarnation < current.incarnation) {
      throw new StoreError(
        'BAD_IDENTITY',
        `incarnation ${identity.incarnation} goes back (the store holds ${current.incarnation})`,
      );
    }
    this.identity = copyIdentity(identity);
    return this.enqueue([{ kind: 'meta', key: 'identity', blob: encodeIdentity(identity) }]);
  }

  /** {@inheritDoc PeerStore.appendOwn} */
  appendOwn(event: StoredEvent): WriteTicket {
    this.usable();
    checkEvent(event, 'own event');
    const identity = this.identity;
    if (identity === undefined)
      throw new StoreError('NO_IDENTITY', 'set an identity before appending own events');
    if (event.source !== identity.peerId) {
      throw new StoreError(
        'BAD_INPUT',
        `own event of source "${event.source}", the peer is "${identity.peerId}"`,
      );
    }
    if (event.seq <= this.ownLastSeq) {
      throw new StoreError(
        'BAD_SEQ',
        `own seq ${event.seq} is not above the last own seq ${this.ownLastSeq}`,
      );
    }
    this.ownLastSeq = event.seq;
    const { source, seq, tick } = event;
    return this.enqueue([
      { kind: 'event', source, seq, tick, blob: encodeEvent(event) },
      { kind: 'meta', key: 'own-seq', blob: encodeOwnSeq(seq) },
    ]);
  }

  /** {@inheritDoc PeerStore.putEvents} */
  putEvents(events: readonly StoredEvent[]): WriteTicket {
    this.usable();
    for (const [i, e] of events.entries()) checkEvent(e, `events[${i}]`);
    const writes: BackendWrite[] = [];
    const own = this.identity?.peerId;
    let raised = false;
    for (const e of events) {
      writes.push({ kind: 'event', source: e.source, seq: e.seq, tick: e.tick, blob: encodeEvent(e) });
      if (e.source === own && e.seq > this.ownLastSeq) {
        this.ownLastSeq = e.seq; // never reuse a seq seen in the room, even one this store lost
        raised = true;
      }
    }
    if (raised) writes.push({ kind: 'meta', key: 'own-seq', blob: encodeOwnSeq(this.ownLastSeq) });
    return this.enqueue(writes);
  }

  /** {@inheritDoc PeerStore.putSnapshot} */
  putSnapshot(snapshot: StoredSnapshot): WriteTicket {
    this.usable();
    checkSnapshot(snapshot);
    return this.enqueue([{ kind: 'snapshot', tick: snapshot.tick, blob: encodeSnapshot(snapshot) }]);
  }

  /** {@inheritDoc PeerStore.compact} */
  compact(beforeTick: number): WriteTicket {
    this.usable();
    if (!Number.isSafeInteger(beforeTick) || beforeTick < 0) {
      throw new StoreError('BAD_INPUT', `compact: tick ${beforeTick} is not a non-negative integer`);
    }
    return this.enqueue([{ kind: 'compact', beforeTick }]);
  }

  /** {@inheritDoc PeerStore.whenDurable} */
  whenDurable(ticket: WriteTicket): Promise<void> {
    if (ticket <= this.durable) return Promise.resolve();
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (ticket > this.lastTicket || !Number.isSafeInteger(ticket)) {
      return Promise.reject(new StoreError('BAD_INPUT', `ticket ${ticket} was never issued`));
    }
    if (this.closed && this.closing === undefined) {
      return Promise.reject(new StoreError('CLOSED', `${this.backend.location}: the store was abandoned`));
    }
    const done = new Promise<void>((resolve, reject) => {
      this.waiters.push({ ticket, resolve, reject });
    });
    this.schedule(); // someone waits: write now rather than when the batch is due
    return done;
  }

  /** {@inheritDoc PeerStore.flush} */
  flush(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const target = this.lastTicket;
    if (target <= this.durable) return Promise.resolve();
    const done = this.whenDurable(target);
    this.kick();
    return done;
  }

  /** {@inheritDoc PeerStore.onDurable} */
  onDurable(listener: (ticket: WriteTicket) => void): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  /** {@inheritDoc PeerStore.onError} */
  onError(listener: (error: StoreError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** {@inheritDoc PeerStore.stats} */
  stats(): StoreStats {
    return {
      queued: this.lastTicket,
      durableTicket: this.durable,
      pending: this.lastTicket - this.durable,
      commits: this.commits,
      dropped: this.droppedCount,
    };
  }

  /** {@inheritDoc PeerStore.load} */
  async load(): Promise<StoredState> {
    this.usable();
    await this.flush();
    let contents: BackendContents;
    try {
      contents = await this.backend.readAll();
    } catch (e) {
      throw new StoreError('READ_FAILED', `${this.backend.location}: ${String(e)}`, { cause: e });
    }
    const location = this.backend.location;
    const { identity, ownSeq } = BatchingStore.decodeMeta(location, contents.identity, contents.ownSeq);
    const dropped: DroppedRecord[] = [];
    let snapshot: StoredSnapshot | undefined;
    for (const s of contents.snapshots) {
      const d = decodeSnapshot(s.blob);
      const reason = !d.ok ? d.reason : d.value.tick !== s.tick ? `holds tick ${d.value.tick}` : undefined;
      if (!d.ok || reason !== undefined) {
        dropped.push({ kind: 'snapshot', key: String(s.tick), reason: reason ?? 'damaged' });
      } else if (snapshot === undefined || d.value.tick > snapshot.tick) {
        snapshot = d.value;
      }
    }
    const frontier = snapshot?.frontier;
    const events: StoredEvent[] = [];
    let ownLastSeq = ownSeq;
    const own = identity?.peerId;
    for (const e of contents.events) {
      const d = decodeEvent(e.blob);
      const reason = !d.ok
        ? d.reason
        : d.value.source !== e.source || d.value.seq !== e.seq || d.value.tick !== e.tick
          ? `holds ${d.value.source}:${d.value.seq}@${d.value.tick}, indexed as ${e.source}:${e.seq}@${e.tick}`
          : undefined;
      if (!d.ok || reason !== undefined) {
        dropped.push({ kind: 'event', key: `${e.source}:${e.seq}`, reason: reason ?? 'damaged' });
        continue;
      }
      const event = d.value;
      if (event.source === own && event.seq > ownLastSeq) ownLastSeq = event.seq;
      if (event.seq > (frontier?.get(event.source) ?? 0)) events.push(event); // not folded into the snapshot
    }
    events.sort(compareEvents);
    this.droppedCount += dropped.length;
    if (ownLastSeq > this.ownLastSeq) this.ownLastSeq = ownLastSeq;
    return { identity, snapshot, events, ownLastSeq, dropped };
  }

  /** {@inheritDoc PeerStore.close} */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    if (this.closed) return Promise.resolve(); // abandoned
    const drained = this.failure === undefined ? this.flush() : Promise.resolve();
    this.closed = true;
    this.closing = drained.then(
      () => this.backend.close(),
      async (e: unknown) => {
        await this.backend.close();
        throw e;
      },
    );
    return this.closing;
  }

  /**
   * Drops the store as a crash would: queued writes are lost (their waiters reject with
   * `CLOSED`), the backend is released without a final write. For crash tests.
   */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    const error = new StoreError('CLOSED', `${this.backend.location}: the store was abandoned`);
    for (const w of this.waiters) w.reject(error);
    this.waiters = [];
    this.backend.abandon?.();
  }
}
