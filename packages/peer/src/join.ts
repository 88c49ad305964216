/**
 * Join: how this peer becomes part of the room's timeline, as one explicit phase
 * ({@link JoinPhase}: fresh → established → synced, never back), plus the snapshot join that may
 * run alongside it (request, serve, adopt, and the resync of a peer away longer than the horizon).
 *
 * - **fresh**: not part of the room's timeline; own emits are queued and nothing is simulated.
 *   It ends when a neighbour's frontier lists anything (an established neighbour: it vouches for
 *   the room), or after `aloneGraceMs` alone (the room's first generation).
 * - **established**: part of the room's timeline (queued emits are stamped); its own frontier is
 *   still empty, so nobody takes its half-built state for the room's.
 * - **synced**: established, no snapshot transfer under way and every event a neighbour
 *   announced held (or given up as compacted away). From then on it vouches: it lists its
 *   frontier (announced at once to every neighbour, behind a SYNC) and serves snapshots.
 * @internal
 */
import { Capability, type SnapshotChunkFrame } from '@symmetric/codec';
import type { Timeline, TimelineEvent, TimelineSnapshot } from '@symmetric/core';
import type { PeerContext } from './context.js';
import { PeerError } from './errors.js';
import type { LinkEntry, LinkTable } from './links.js';
import { chunkSnapshot, isRefusal, REFUSAL, SnapshotTransfer } from './snapshot-transfer.js';
import { snapshotSizeProblem } from './snapshot-verify.js';

/** An emit made while fresh: stamped (and `placeholder` filled in) once established. @internal */
export interface QueuedEmit<E> {
  readonly payload: E;
  readonly placeholder: { tick: number; source: string; seq: number; payload: E };
}

/** Where this peer is in joining the room's timeline (see the module comment). @internal */
export type JoinPhase<E> =
  | { readonly kind: 'fresh'; readonly queued: QueuedEmit<E>[] }
  | { readonly kind: 'established' }
  | { readonly kind: 'synced' };

/** One change of {@link JoinPhase}, at local time `at`. @internal */
export interface PhaseChange {
  readonly from: JoinPhase<unknown>['kind'];
  readonly to: JoinPhase<unknown>['kind'];
  readonly at: number;
}

/** A received snapshot, decoded, and the timeline started from it. @internal */
export interface DecodedSnapshot<S, E> {
  readonly snapshot: TimelineSnapshot<S>;
  readonly timeline: Timeline<S, E>;
}

/** What join needs of the rest of the peer. @internal */
export interface JoinHost<S, E> {
  /** Stamp and send an own event (filling in `placeholder`). */
  stamp(payload: E, placeholder: QueuedEmit<E>['placeholder']): void;
  sendSync(link: LinkEntry<E>, now: number): void;
  sendFrontier(link: LinkEntry<E>): void;
  /** `true` when every event a neighbour announced is held. */
  allAnnouncedHeld(): boolean;
  /** `true` once `link`'s frontier arrived. */
  frontierReceived(link: LinkEntry<E>): boolean;
  /** `true` when `link`'s neighbour announced events this peer lacks. */
  holdsMissing(link: LinkEntry<E>): boolean;
  /** `true` when `link`'s neighbour's history outranks ours (see Repair.outranks). */
  outranks(link: LinkEntry<E>): boolean;
  /** Ask `link`'s neighbour, which claims what we lack, for a fresh frontier (see Repair.refresh). */
  refreshFrontier(link: LinkEntry<E>, now: number): void;
  /** The snapshot blob this peer serves (its timeline's base) and its tick. */
  encodeOwnSnapshot(): { blob: Uint8Array; tick: number };
  /** Decode a received blob and build a timeline from it (throws when bad). */
  decodeSnapshot(blob: Uint8Array): DecodedSnapshot<S, E>;
  /**
   * Check a decoded snapshot from `link` (see snapshot-verify.ts): what is wrong with it, and
   * whether another neighbour's frontier was there to check it against.
   */
  verifySnapshot(
    decoded: DecodedSnapshot<S, E>,
    link: LinkEntry<E>,
  ): { readonly problem: string | undefined; readonly checked: boolean };
  /**
   * Replace the timeline by the decoded one `from` sent, carrying over newer events (see
   * Driver.adopt); its state is on probation until another neighbour confirms it (desync.ts).
   */
  adopt(decoded: DecodedSnapshot<S, E>, now: number, from: LinkEntry<E>): void;
  /** Emit `render` for the new state. */
  render(): void;
}

/** Join phase and snapshot join. @internal */
export class Join<S, E> {
  private currentPhase: JoinPhase<E> = { kind: 'fresh', queued: [] };
  /** The phase's kind, kept beside it (asked on every step and every events frame). */
  private currentKind: JoinPhase<E>['kind'] = 'fresh';
  /** Phase changes so far (at most two). */
  readonly changes: PhaseChange[] = [];
  /** The snapshot being received, if any. */
  private transfer: SnapshotTransfer | undefined;
  /**
   * Since when a joiner waits for a neighbour able to serve a snapshot (every one asked refused):
   * it stays frozen rather than re-simulating the room from tick 0, until a neighbour announces
   * it vouches (its next frontier) or `snapshotTimeoutMs` passes.
   */
  private awaitingServerSince: number | undefined;
  /** The transfer under way re-bases a peer already part of the room (a resync), not a join. */
  private resyncing = false;
  /** A snapshot was adopted as a fresh peer (no second fresh join). */
  private adopted = false;
  /** Neighbours announced events that could not be repaired: resync from a snapshot when one can serve. */
  private resyncWanted = false;
  /** Neighbours whose last frontier listed something (they speak for the room), by link key. */
  private readonly speaking = new Set<string>();
  /** Neighbours that refused (or failed) to give us a snapshot, by link key. */
  private readonly refused = new Set<string>();
  private attachedAt = Number.NaN;

  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly links: LinkTable<E>,
    private readonly host: JoinHost<S, E>,
  ) {
    ctx.clock.setEstablishable(false);
  }

  /** The current phase. */
  get phase(): JoinPhase<E> {
    return this.currentPhase;
  }

  /** `true` while not part of the room's timeline. */
  get fresh(): boolean {
    return this.currentKind === 'fresh';
  }

  /** `true` once synced: this peer vouches for the room's timeline. */
  get vouches(): boolean {
    return this.currentKind === 'synced';
  }

  /** `true` while a snapshot transfer is under way or awaited (the timeline is frozen). */
  get transferring(): boolean {
    return this.transfer !== undefined || this.awaitingServerSince !== undefined;
  }

  private enter(next: JoinPhase<E>, now: number): void {
    this.changes.push({ from: this.currentPhase.kind, to: next.kind, at: now });
    this.currentPhase = next;
    this.currentKind = next.kind;
    // A clock may only be established on the room's time: not while the peer is fresh.
    this.ctx.clock.setEstablishable(next.kind !== 'fresh');
  }

  /** Attached at `now` (the alone grace starts). */
  start(now: number): void {
    this.attachedAt = now;
  }

  /** The first step, when attach did not set the time. */
  startIfUnset(now: number): void {
    if (Number.isNaN(this.attachedAt)) this.attachedAt = now;
  }

  /** While fresh: queue an emit; returns its placeholder (filled in when stamped), else `undefined`. */
  queue(payload: E): TimelineEvent<E> | undefined {
    const p = this.currentPhase;
    if (p.kind !== 'fresh') return undefined;
    const placeholder = { tick: -1, source: this.ctx.source, seq: 0, payload };
    p.queued.push({ payload, placeholder });
    return placeholder;
  }

  /** Resumed from a store: part of the room's timeline already (its own, at least). */
  resume(now: number): void {
    this.becomeEstablished(now);
  }

  /** Part of the room's timeline now: stamp queued emits (neighbours hear of it once synced). */
  private becomeEstablished(now: number): void {
    const p = this.currentPhase;
    if (p.kind !== 'fresh') return;
    this.enter({ kind: 'established' }, now);
    for (const q of p.queued) this.host.stamp(q.payload, q.placeholder);
    this.checkSynced();
  }

  /** The first time we are synced: vouch from now on, and announce our frontier to every neighbour. */
  checkSynced(): void {
    if (this.currentPhase.kind !== 'established' || this.transferring || !this.host.allAnnouncedHeld())
      return;
    // A SYNC first: a fresh neighbour that joins on this frontier then already has the room's
    // time (ours may have jumped since our last SYNC to it), not just its events. Links still in
    // their handshake too: the frontier that went behind our hello listed nothing (we did not
    // vouch yet), and without this one that neighbour would never have our prints.
    const now = this.ctx.now();
    this.enter({ kind: 'synced' }, now);
    for (const l of this.links.list()) {
      if (l.kind === 'closed') continue;
      this.host.sendSync(l, now);
      this.host.sendFrontier(l);
    }
  }

  /** A neighbour's frontier was taken in (see Repair.onFrontier). */
  frontierTaken(link: LinkEntry<E>, listed: boolean, othersHistory: boolean, now: number): void {
    // An established peer always lists something (its own source at least): it is part of the
    // room's timeline, and so are we from now on.
    // A refusal holds until the neighbour's next frontier: it sends one when it becomes synced
    // (or re-based), from when on it serves snapshots.
    if (listed) this.refused.delete(link.key);
    if (listed) this.speaking.add(link.key);
    else this.speaking.delete(link.key);
    // A fresh peer joins from the snapshot of a neighbour that vouches (even a room without
    // events has a state that took the session's age to simulate); a peer that knows only its
    // own events, from a neighbour with others' history. Asked before becoming established, so
    // this peer never vouches for, nor simulates, a half-built timeline meanwhile.
    if (listed) this.maybeRequestSnapshot(link, now, false, othersHistory);
    if (this.fresh && listed) this.becomeEstablished(now);
    else this.checkSynced();
  }

  /** New events arrived: an established peer may have just received its last missing one. */
  eventsReceived(): void {
    if (this.currentPhase.kind === 'established') this.checkSynced();
  }

  /**
   * No events from other sources known, nor ever forgotten (own events may exist, e.g. emitted
   * while alone): a peer whose history forgot others' sources re-bases only on a history that
   * outranks its own (see maybeResync).
   */
  private knowsOnlyOwnEvents(): boolean {
    if (this.ctx.eventIds.forgotAny) return false;
    for (const source of this.ctx.eventIds.ids()) if (source !== this.ctx.source) return false;
    return true;
  }

  /**
   * Join from `link`'s snapshot if we have not adopted one, it can serve one, and we are fresh
   * (events neighbours flooded meanwhile do not count), wait for a server, or know no one's
   * events while it holds others' (`othersHistory`). Only a neighbour whose frontier arrived is
   * asked: a request `blind` (before its hello and frontier) is never sent, so a neighbour with
   * nothing to offer neither freezes this peer nor is refused by it.
   */
  maybeRequestSnapshot(link: LinkEntry<E>, now: number, blind = false, othersHistory = false): void {
    if (
      !blind &&
      this.ctx.options.snapshotJoin &&
      !this.adopted &&
      this.transfer === undefined &&
      !this.refused.has(link.key) &&
      (link.capabilities & Capability.SnapshotServe) !== 0 &&
      (this.fresh || this.awaitingServerSince !== undefined || (othersHistory && this.knowsOnlyOwnEvents()))
    ) {
      this.requestSnapshot(link, now);
    }
  }

  private requestSnapshot(link: LinkEntry<E>, now: number, resync = false): void {
    this.awaitingServerSince = undefined;
    this.resyncing = resync;
    this.transfer = new SnapshotTransfer(link.key, now);
    this.ctx.send(link, { type: 'snapshot-request' });
  }

  /** Ask the next candidate neighbour, or give up the snapshot join. */
  private retrySnapshot(now: number): void {
    this.transfer = undefined;
    for (const l of this.ctx.neighbours()) {
      if (
        !this.refused.has(l.key) &&
        this.host.frontierReceived(l) &&
        (l.capabilities & Capability.SnapshotServe) !== 0
      ) {
        this.requestSnapshot(l, now);
        return;
      }
    }
    // Nobody can serve now. A joiner (no snapshot adopted yet) waits, frozen, for a neighbour
    // that vouches (its next frontier) rather than re-simulating the room from tick 0; after
    // `snapshotTimeoutMs` it carries on from its own state (repair brings what neighbours hold):
    // see waitedLongEnough.
    if (
      !this.adopted &&
      !this.resyncing &&
      this.awaitingServerSince === undefined &&
      this.ctx.options.snapshotJoin
    ) {
      this.awaitingServerSince = now;
      return;
    }
    this.awaitingServerSince = undefined;
    this.checkSynced();
  }

  /** Link `key` closed (the snapshot may have been asked on it, even before its handshake). */
  linkClosed(key: string): void {
    this.refused.delete(key);
    this.speaking.delete(key);
    if (this.transfer !== undefined && this.transfer.linkKey === key) this.retrySnapshot(this.ctx.now());
  }

  /**
   * A neighbour asks for our snapshot: serve it if we vouch, are not joining ourselves and its
   * quota allows (`withinQuota`), else refuse.
   */
  onSnapshotRequest(link: LinkEntry<E>, withinQuota = true): void {
    if (this.transferring || !this.vouches || !withinQuota) {
      this.ctx.send(link, REFUSAL);
      return;
    }
    let own: { blob: Uint8Array; tick: number };
    try {
      own = this.host.encodeOwnSnapshot();
    } catch (error) {
      this.ctx.report(
        new PeerError('SNAPSHOT', `cannot encode own snapshot: ${String(error)}`, { cause: error }),
      );
      this.ctx.send(link, REFUSAL);
      return;
    }
    const chunks = chunkSnapshot(own.blob, own.tick, this.ctx.codec);
    if (chunks === undefined) {
      this.ctx.report(
        new PeerError('OVERSIZED', `snapshot of ${own.blob.length} bytes exceeds the chunk limit`),
      );
      this.ctx.send(link, REFUSAL);
      return;
    }
    // Our frontier first (FIFO: it arrives before the snapshot): the requester keeps the events
    // after the snapshot that our history holds by it, and the one it sent may be older than
    // events we took since (repairs the requester itself sent us, perhaps).
    this.host.sendFrontier(link);
    for (const chunk of chunks) {
      this.ctx.send(link, chunk);
      if (link.kind === 'closed') return;
    }
    this.ctx.stats.snapshotsServed++;
  }

  /** A chunk of the snapshot we asked for. */
  onSnapshotChunk(link: LinkEntry<E>, f: SnapshotChunkFrame, now: number): void {
    const t = this.transfer;
    if (t === undefined || t.linkKey !== link.key) {
      this.links.linkError(link, this.links.protocolError(link, 'snapshot chunk nobody asked for'), true);
      return;
    }
    if (isRefusal(f)) {
      this.refused.add(link.key);
      this.retrySnapshot(now);
      return;
    }
    const tooLarge = snapshotSizeProblem(f, t.bytes, this.ctx.options.quotas);
    if (tooLarge !== undefined) {
      this.refuseSnapshot(link, tooLarge, now);
      return;
    }
    const got = t.add(f);
    if (got === 'more') return;
    if (got === 'inconsistent') {
      this.refused.add(link.key);
      this.links.linkError(
        link,
        this.links.protocolError(link, 'inconsistent snapshot chunk numbering'),
        true,
      );
      this.retrySnapshot(now);
      return;
    }
    let decoded: DecodedSnapshot<S, E>;
    try {
      decoded = this.host.decodeSnapshot(got);
    } catch (error) {
      this.refuseSnapshot(link, `undecodable (${String(error)})`, now);
      return;
    }
    const verdict = this.host.verifySnapshot(decoded, link);
    if (verdict.problem !== undefined) {
      decoded.timeline.releaseSources(); // (dropped: its slots in the codec's registry go)
      this.refuseSnapshot(link, verdict.problem, now);
      return;
    }
    this.host.adopt(decoded, now, link);
    // What called for a re-base while the snapshot was on its way is answered by it: what the
    // adopted history lacks is judged anew (on its prints at the next marks, its repairs).
    this.resyncWanted = false;
    this.transfer = undefined;
    this.awaitingServerSince = undefined;
    this.adopted = true;
    this.ctx.stats.snapshotsAdopted++;
    this.ctx.events.emit('snapshot:adopted', {
      peerId: link.peerId,
      tick: decoded.snapshot.tick,
      frontier: decoded.snapshot.frontier,
    });
    // Neighbours repair what follows the snapshot already (our frontier at hello was empty);
    // they hear what we hold once we are synced. A synced peer that re-based (a resync) tells
    // every neighbour at once: what it holds changed, and their view of it is stale.
    if (this.vouches) for (const l of this.ctx.neighbours()) this.host.sendFrontier(l);
    else this.checkSynced();
    this.host.render();
  }

  /** Refuse the snapshot `link` is sending (`problem`): count it, cut the sender, ask another neighbour. */
  private refuseSnapshot(link: LinkEntry<E>, problem: string, now: number): void {
    this.transfer = undefined;
    this.refused.add(link.key);
    this.ctx.stats.snapshotsRefused++;
    this.ctx.stats.quotaViolations++;
    const error = new PeerError('SNAPSHOT', `snapshot from ${link.peerId} refused: ${problem}`, {
      linkId: link.key,
      peerId: link.peerId,
    });
    this.links.linkError(link, error, true);
    this.retrySnapshot(now);
  }

  /**
   * The state of the snapshot adopted from link `senderKey` was contradicted by the other
   * neighbours' hash reports (`problem`): count it, cut the sender, and re-base on another
   * neighbour's snapshot (unless a transfer is under way already).
   */
  snapshotContradicted(senderKey: string, problem: string, now: number): void {
    const link = this.links.get(senderKey);
    this.ctx.stats.snapshotsRefused++;
    const error = new PeerError(
      'SNAPSHOT',
      `snapshot from ${link?.peerId ?? senderKey} refused: ${problem}`,
      {
        linkId: senderKey,
        peerId: link?.peerId || undefined,
      },
    );
    if (link !== undefined) {
      this.refused.add(link.key);
      this.links.linkError(link, error, true);
    } else this.ctx.report(error);
    if (this.transfer === undefined) this.retrySnapshot(now);
  }

  /** Events announced by neighbours cannot be repaired (compacted away): see {@link housekeeping}. */
  markUnrepairable(): void {
    this.resyncWanted = true;
  }

  /** Alone-grace, snapshot timeout and resync. */
  housekeeping(now: number): void {
    // No neighbour with history for long enough: we are the first generation of the room.
    if (this.fresh && now - this.attachedAt >= this.ctx.options.aloneGraceMs) this.becomeEstablished(now);
    if (
      this.transfer !== undefined &&
      now - this.transfer.requestedAt >= this.ctx.options.snapshotTimeoutMs
    ) {
      if (this.links.get(this.transfer.linkKey) !== undefined) this.refused.add(this.transfer.linkKey);
      this.retrySnapshot(now);
    }
    if (this.awaitingServerSince !== undefined && this.waitedLongEnough(now - this.awaitingServerSince)) {
      this.awaitingServerSince = undefined;
      this.checkSynced();
    }
  }

  /**
   * A joiner waiting for a server carries on from its own state (re-simulating the room from
   * tick 0, a cost that grows with the session's age) only after `snapshotTimeoutMs` with a
   * neighbour that speaks for the room and does not serve it. While none of its neighbours speaks
   * for the room (every one left, or the ones left are joiners themselves) it waits for the next
   * one, for at most a horizon: by then the room it heard of has folded what it could have given.
   */
  private waitedLongEnough(waitedMs: number): boolean {
    const options = this.ctx.options;
    if (this.ctx.neighbours().some((l) => this.speaking.has(l.key)))
      return waitedMs >= options.snapshotTimeoutMs;
    const horizonMs =
      options.horizonTicks === undefined
        ? options.snapshotTimeoutMs
        : (options.horizonTicks * 1000) / options.fps;
    return waitedMs >= Math.max(horizonMs, options.snapshotTimeoutMs);
  }

  /**
   * Bounded history: events a neighbour announced could not be repaired because every holder
   * compacted them into its base snapshot (we were away, or cut off, longer than the horizon).
   * Re-base on the snapshot of a neighbour whose history outranks ours (it holds everything we
   * hold, or more events; see Repair.outranks), carrying over our held events: what our own
   * settled history had and its lacks is given up, the same way on every peer.
   */
  maybeResync(now: number): void {
    const options = this.ctx.options;
    if (!this.resyncWanted) return;
    if (this.transferring || !options.snapshotJoin || options.horizonTicks === undefined) return;
    for (const l of this.ctx.neighbours()) {
      if (
        !this.host.frontierReceived(l) ||
        this.refused.has(l.key) ||
        (l.capabilities & Capability.SnapshotServe) === 0
      )
        continue;
      // Only a neighbour holding what we cannot get (another history) is worth re-basing on.
      if (!this.host.holdsMissing(l)) continue;
      if (!this.host.outranks(l)) {
        this.host.refreshFrontier(l, now);
        continue;
      }
      this.resyncWanted = false;
      this.ctx.stats.resyncs++;
      this.requestSnapshot(l, now, true);
      return;
    }
    this.resyncWanted = false;
  }
}
