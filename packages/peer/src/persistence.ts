/**
 * The peer's side of its store ({@link PeerOptions.store}): the identity written when the peer
 * is created; each own event appended to the store and sent only once the store reports it
 * durable (an event `emit` returned is never sent before a restart could find it); the events
 * received from others, written in batches at housekeeping; the settled snapshot at each
 * compaction with the removal of what the horizon dropped; a failed store reported once, after
 * which own events are no longer sent. Without a store every call passes straight through.
 * @internal
 */
import type { WireEvent } from '@symmetric/codec';
import type { TimelineSnapshot } from '@symmetric/core';
import { isStoreError, type PeerStore, type StoredEvent, type WriteTicket } from '@symmetric/storage';
import type { PeerContext } from './context.js';
import { PeerError } from './errors.js';
import type { ResumeSeed } from './resume.js';
import { storedEvent } from './stored-event.js';
import type { PeerOptions } from './types.js';

/** What persistence needs of the rest of the peer. @internal */
export interface PersistenceHost<E> {
  /** Send own events (signed on the way) to the room. */
  spread(events: readonly WireEvent<E>[]): void;
  /** The payload codec's bytes of `payload`. */
  payloadBytes(payload: E): Uint8Array;
  /** Encode a settled snapshot's state (the bytes a joining peer would receive). */
  encodeSnapshot(snapshot: TimelineSnapshot<unknown>): Uint8Array;
}

/** Why a store call failed, as the peer reports it. */
function storeFailure(what: string, cause: unknown): PeerError {
  const code = isStoreError(cause) ? ` (${cause.code})` : '';
  return new PeerError('STORE', `${what}${code}: ${String(cause instanceof Error ? cause.message : cause)}`, {
    cause,
  });
}

/** The peer's side of its store. @internal */
export class Persistence<S, E> {
  /** Own events appended and not yet durable, in seq order, with their tickets. */
  private readonly outbox: { readonly ticket: WriteTicket; readonly event: WireEvent<E> }[] = [];
  /** Received events not written yet (written at housekeeping). */
  private held: StoredEvent[] = [];
  private failure: PeerError | undefined;
  private lastSnapshotTick = -1;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly store: PeerStore | undefined,
    private readonly host: PersistenceHost<E>,
  ) {}

  /** `true` with a store. */
  get enabled(): boolean {
    return this.store !== undefined;
  }

  /** Highest own seq that may be sent: below the first one waiting for the store. */
  get releasedSeq(): number {
    return this.outbox.length === 0 ? Number.POSITIVE_INFINITY : this.outbox[0]!.event.seq - 1;
  }

  /** Own events waiting for the store. */
  get awaiting(): number {
    return this.outbox.length;
  }

  /**
   * Write the identity (`seed`: the one the store held, one start more, or a new one) and listen
   * to the store. Throws `STORE` when the store refuses it.
   */
  begin(seed: ResumeSeed, options: Pick<PeerOptions<S, E>, 'room'> & { appId: string }): void {
    const store = this.store;
    if (store === undefined) return;
    const key = seed.identity;
    try {
      store.setIdentity({
        room: options.room,
        appId: options.appId,
        peerId: seed.source,
        incarnation: seed.incarnation,
        ...(key === undefined ? {} : { key: { publicKey: key.publicKey, privateKey: key.secretKey } }),
      });
    } catch (cause) {
      throw storeFailure('the store refused the identity', cause);
    }
    if (seed.state.snapshot !== undefined) this.lastSnapshotTick = seed.state.snapshot.tick;
    this.unsubscribe.push(
      store.onDurable(() => this.release()),
      store.onError((error) => this.fail(storeFailure('the store failed', error))),
    );
  }

  /** Throws the store's failure (an `emit` on a failed store). */
  check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** An own event was stamped: without a store send it now, else once the store has it. */
  own(event: WireEvent<E>): void {
    const store = this.store;
    if (store === undefined) {
      this.host.spread([event]);
      return;
    }
    if (this.failure !== undefined) return;
    // Signed before it is stored: what a restart sends is exactly what was stored.
    this.ctx.signer.seal([event]);
    let ticket: WriteTicket;
    try {
      ticket = store.appendOwn(storedEvent(event, this.host.payloadBytes(event.payload)));
    } catch (cause) {
      this.fail(storeFailure(`own event #${event.seq} was not stored`, cause));
      return;
    }
    this.ctx.stats.eventsStored++;
    this.outbox.push({ ticket, event });
    this.release();
  }

  /** Send the own events the store made durable, in order. */
  release(): void {
    const store = this.store;
    if (store === undefined || this.outbox.length === 0 || this.failure !== undefined) return;
    const durable = store.durableTicket;
    let n = 0;
    while (n < this.outbox.length && this.outbox[n]!.ticket <= durable) n++;
    if (n === 0) return;
    const ready = this.outbox.splice(0, n).map((o) => o.event);
    this.host.spread(ready);
  }

  /** An event received from another peer, to be held. */
  received(event: WireEvent<E>): void {
    if (this.store === undefined || this.failure !== undefined) return;
    try {
      this.held.push(storedEvent(event, this.host.payloadBytes(event.payload)));
    } catch (cause) {
      this.fail(storeFailure(`event ${event.source}#${event.seq} cannot be stored`, cause));
    }
  }

  /** Write the received events (each housekeeping, before a snapshot, at stop). */
  writeHeld(): void {
    const store = this.store;
    if (store === undefined || this.held.length === 0 || this.failure !== undefined) return;
    const batch = this.held;
    this.held = [];
    try {
      store.putEvents(batch);
    } catch (cause) {
      this.fail(storeFailure('held events were not stored', cause));
    }
  }

  /**
   * A settled snapshot (the timeline's base after a compaction, or one adopted from a
   * neighbour): store it, then remove what it made unnecessary.
   */
  settled(snapshot: TimelineSnapshot<S>): void {
    const store = this.store;
    if (store === undefined || this.failure !== undefined || snapshot.tick <= this.lastSnapshotTick) return;
    this.writeHeld();
    try {
      store.putSnapshot({
        tick: snapshot.tick,
        bytes: this.host.encodeSnapshot(snapshot as TimelineSnapshot<unknown>),
        frontier: new Map(snapshot.frontier),
      });
      store.compact(snapshot.tick);
    } catch (cause) {
      this.fail(storeFailure(`the snapshot at tick ${snapshot.tick} was not stored`, cause));
      return;
    }
    this.lastSnapshotTick = snapshot.tick;
  }

  /** The peer stops: write what is queued and wait until it is durable (the owner closes the store). */
  async stop(): Promise<void> {
    const store = this.store;
    if (store === undefined) return;
    this.writeHeld();
    try {
      await store.flush();
    } catch (cause) {
      this.fail(storeFailure('the store failed at stop', cause));
    }
    this.release();
    for (const off of this.unsubscribe) off();
    this.unsubscribe.length = 0;
  }

  private fail(error: PeerError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.ctx.report(error);
  }
}
