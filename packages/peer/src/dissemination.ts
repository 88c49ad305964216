/**
 * Dissemination: how events new to this peer reach the others, behind one interface.
 * `flood` sends them to every neighbour except the one they came from and those known to hold
 * them; `broadcast` publishes them once on the room-wide channel of the transports that offer
 * one (room.ts) and floods only links no channel covers. Also the intake of events from links
 * and channels (range check, dedup, pending for the next step, passed on).
 * @internal
 */
import type { EventsFrame, WireEvent } from '@symmetric/codec';
import type { Transport } from '@symmetric/transport';
import type { PeerContext } from './context.js';
import { PeerError } from './errors.js';
import type { LinkEntry, LinkTable } from './links.js';
import type { Repair } from './repair.js';
import { type BroadcastRoom, emptyBroadcastStats } from './room.js';
import type { BroadcastStats } from './types.js';

/** Where events came from: stamped here, a broadcast channel, or a link. @internal */
export type EventOrigin<E> = 'own' | 'channel' | LinkEntry<E>;

/** One dissemination mode. @internal */
export interface Dissemination<E> {
  /** Pass events new to this peer on; `true` if they were sent on at least one link. */
  spread(events: readonly WireEvent<E>[], origin: EventOrigin<E>): boolean;
  /** The transports started: listen on their channels. */
  start(transports: readonly Transport[]): void;
  /** The peer stops. */
  stop(): void;
  /** Periodic work (announcements, pulls). */
  housekeeping(now: number): void;
  /** Broadcast counters (zeros when flooding). */
  stats(): BroadcastStats;
}

/** Registry slots of the events being flooded (one array for every peer: flooding is synchronous). */
let slotScratch = new Int32Array(16);

/**
 * Send `events` to every neighbour but `except` (and `skip`) that may lack them; `true` if sent
 * anywhere. Events relayed from a link (`except` set) are held to the end of the delivery turn,
 * one frame per link for all the events relayed to it in that turn; others leave at once.
 */
function flood<S, E>(
  ctx: PeerContext<S, E>,
  links: LinkTable<E>,
  repair: Repair<S, E>,
  events: readonly WireEvent<E>[],
  except: LinkEntry<E> | undefined,
  skip: ((l: LinkEntry<E>) => boolean) | undefined,
): boolean {
  let sent = false;
  const list = ctx.neighbours();
  // Each event's registry slot, looked up once for every link (the links' tables share slots).
  const n = events.length;
  if (slotScratch.length < n) slotScratch = new Int32Array(Math.max(n, 2 * slotScratch.length));
  const slots = slotScratch;
  const ids = ctx.codec.ids;
  for (let j = 0; j < n; j++) slots[j] = ids.slotOf(events[j]!.source);
  for (let i = 0; i < list.length; i++) {
    const l = list[i]!;
    if (l === except || skip?.(l) === true) continue;
    let out: WireEvent<E>[] | undefined;
    const theirs = l.holds ?? repair.frontierOf(l).holds;
    for (let j = 0; j < n; j++) {
      const ev = events[j]!;
      const slot = slots[j]!;
      const h = theirs.seqAt(slot);
      if (ev.seq <= h) {
        if (out === undefined) out = events.slice(0, j);
        continue;
      }
      if (ev.seq === h + 1) {
        theirs.setAt(slot, ev.source, ev.seq); // (a source held there: written at its slot)
        // A new source took a slot: the next links find it under that slot.
        if (slot < 0) slots[j] = ids.slotOf(ev.source);
      }
      if (out !== undefined) out.push(ev);
    }
    const batch = out ?? events;
    if (batch.length === 0) continue;
    if (except === undefined) links.sendEvents(l, batch);
    else links.relayEvents(l, batch);
    sent = true;
  }
  return sent;
}

/** Flooding with dedup (the default). @internal */
export class Flooding<S, E> implements Dissemination<E> {
  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly links: LinkTable<E>,
    private readonly repair: Repair<S, E>,
  ) {}

  spread(events: readonly WireEvent<E>[], origin: EventOrigin<E>): boolean {
    if (origin === 'own') this.ctx.signer.seal(events);
    const except = typeof origin === 'string' ? undefined : origin;
    return flood(this.ctx, this.links, this.repair, events, except, undefined);
  }

  start(): void {}

  stop(): void {}

  housekeeping(): void {}

  stats(): BroadcastStats {
    return emptyBroadcastStats();
  }
}

/** Broadcast on the transports' room channels; links that no channel covers still flood. @internal */
export class Broadcasting<S, E> implements Dissemination<E> {
  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly links: LinkTable<E>,
    private readonly repair: Repair<S, E>,
    private readonly room: BroadcastRoom<E, LinkEntry<E>>,
  ) {}

  spread(events: readonly WireEvent<E>[], origin: EventOrigin<E>): boolean {
    if (origin === 'own') this.ctx.signer.seal(events);
    const room = this.room;
    const skipCovered = room.route(events, typeof origin === 'string' ? origin : origin.transport);
    const except = typeof origin === 'string' ? undefined : origin;
    return flood(
      this.ctx,
      this.links,
      this.repair,
      events,
      except,
      skipCovered ? (l) => room.covers(l.transport) : undefined,
    );
  }

  start(transports: readonly Transport[]): void {
    this.room.attach(transports);
  }

  stop(): void {
    this.room.detach();
  }

  housekeeping(now: number): void {
    this.room.housekeeping(now);
  }

  stats(): BroadcastStats {
    return this.room.stats();
  }
}

/** What the intake needs of the rest of the peer. @internal */
export interface IntakeHost<E> {
  /** Ticks beyond this may be too far in the future (checked against {@link networkTick}). */
  futureLimit(): number;
  /** A floor of {@link futureLimit} read without the clock's network tick (never above it). */
  futureFloor(): number;
  /** The clock's estimate of the network's tick at `now`. */
  networkTick(now: number): number;
  /** Highest seq this incarnation stamped. */
  ownSeq(): number;
  /**
   * Queue a new event for the next step; `false` when it is refused as settled (then it is not
   * passed on). `vouched`: it comes from a neighbour that vouches for the room, which took it;
   * `otherHistory`: from a neighbour on another history (refused if settled, whatever this
   * peer's own state).
   */
  enqueue(ev: WireEvent<E>, vouched: boolean, otherHistory?: boolean): boolean;
  /** New events arrived from a link. */
  received(): void;
  /** `false` once the peer stopped. */
  running(): boolean;
  /** `true` when `(source, seq)` counts for nothing (its source equivocated). */
  excluded(source: string, seq: number): boolean;
  /** A copy of a known event arrived from `link` (`undefined`: a channel): check it for equivocation. */
  checkCopy(link: LinkEntry<E> | undefined, ev: WireEvent<E>): void;
  /** A new, validly signed event arrived from `link`: its tick is evidence of its author's time. */
  witness(link: LinkEntry<E>, ev: WireEvent<E>, now: number): void;
}

/** Events arriving from links and broadcast channels. @internal */
export class EventIntake<S, E> {
  /** Set once the dissemination mode is built. */
  dissemination: Dissemination<E> | undefined;

  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly links: LinkTable<E>,
    private readonly repair: Repair<S, E>,
    private readonly host: IntakeHost<E>,
  ) {}

  /** An `events` frame from `link`. */
  onEvents(link: LinkEntry<E>, f: EventsFrame<E>, now: number): void {
    const events = f.events;
    // The network's tick is read only when an event is past the floor (the limit is never below).
    const floor = this.host.futureFloor();
    let limit = floor;
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.tick <= floor) continue;
      limit = this.host.futureLimit();
      break;
    }
    const maxFuture = this.ctx.options.maxFutureTicks;
    const known = this.ctx.eventIds;
    const source = this.ctx.source;
    const signer = this.ctx.signer;
    let fresh: readonly WireEvent<E>[] | undefined;
    const remote = this.repair.frontierOf(link);
    // New events of a large frame are verified as one batch first (where that pays).
    if (signer.enabled) signer.preverify(events, (ev) => !known.has(ev.source, ev.seq));
    // A neighbour that vouches (its frontier listed something) passes on only events it took; one
    // whose history printed otherwise than ours took them into another history: its events are
    // taken only if not settled here. Told at the first event new here (a frame of copies only,
    // the usual duplicate, never compares histories).
    let judged = false;
    let otherHistory = false;
    let vouched = false;
    const listed = remote.received && remote.holds.size > 0; // (before this frame's events count)
    const ids = this.ctx.codec.ids;
    const holds = remote.holds;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      // The event's registry slot, looked up once for the sender's record and the known ids.
      let slot = ids.slotOf(ev.source);
      // Its sender holds it: the contiguous seq it is known to hold advances (a new source takes
      // a slot there).
      if (holds.advance(slot, ev.source, ev.seq) && slot < 0) slot = ids.slotOf(ev.source);
      if (ev.tick > limit && ev.tick > this.host.networkTick(now) + maxFuture) {
        this.links.linkError(
          link,
          new PeerError(
            'OUT_OF_RANGE',
            `event ${ev.source}#${ev.seq} stamped at tick ${ev.tick}, far in the future`,
            {
              linkId: link.key,
              peerId: link.peerId,
            },
          ),
          true,
        );
        break;
      }
      if (signer.enabled) {
        // Authenticated: an excluded source's events are dropped, a copy of a known event is
        // checked for equivocation, a new one must carry its source's valid signature.
        if (this.host.excluded(ev.source, ev.seq)) {
          known.addAt(slot, ev.source, ev.seq, now);
          this.ctx.stats.excludedDropped++;
          continue;
        }
        if (known.has(ev.source, ev.seq)) {
          this.ctx.stats.duplicatesDropped++;
          this.host.checkCopy(link, ev);
          if (link.kind === 'closed') break;
          continue;
        }
        if (!signer.verify(ev)) {
          this.ctx.stats.signaturesRejected++;
          this.links.linkError(
            link,
            new PeerError(
              'BAD_SIGNATURE',
              `event ${ev.source}#${ev.seq} from ${link.peerId}: bad signature`,
              {
                linkId: link.key,
                peerId: link.peerId,
              },
            ),
            true,
          );
          break;
        }
        this.ctx.stats.signaturesVerified++;
        this.host.witness(link, ev, now);
        slot = ids.slotOf(ev.source); // (looked up again past the checks: they may close links)
      }
      if (ev.source === source && ev.seq > this.host.ownSeq() && !known.has(ev.source, ev.seq)) {
        this.repair.reportConflict(link, ev.seq);
        slot = ids.slotOf(ev.source);
      }
      if (!known.addAt(slot, ev.source, ev.seq, now)) {
        this.ctx.stats.duplicatesDropped++;
        continue;
      }
      if (!judged) {
        judged = true;
        otherHistory = this.repair.otherHistory(link);
        vouched = !otherHistory && listed;
      }
      if (!this.host.enqueue(ev, vouched, otherHistory)) continue;
      // A frame of one event (the usual relay) passes its own array on: no copy of it.
      if (fresh === undefined) fresh = events.length === 1 ? events : [ev];
      else (fresh as WireEvent<E>[]).push(ev); // (more than one event: an array of our own)
    }
    // Events held for this link in this turn that it has just sent itself stay here.
    if (link.relayed.length > 0 && link.kind !== 'closed')
      this.ctx.stats.relaysWithdrawn += this.links.withdrawRelayed(link, events);
    if (fresh === undefined) return;
    this.host.received();
    this.ctx.stats.eventsReceived += fresh.length;
    const relayed = this.dissemination!.spread(fresh, link);
    if (relayed) this.ctx.stats.eventsForwarded += fresh.length;
  }

  /**
   * Events from a broadcast channel: checked and deduplicated like events from a link (no link
   * to close: a far-future event is reported and dropped), then passed on to links no channel
   * covers. Returns how many were new.
   */
  onBroadcast(events: readonly WireEvent<E>[], from: string | undefined): number {
    if (!this.host.running()) return 0;
    const now = this.ctx.now();
    const limit = this.host.futureLimit();
    const maxFuture = this.ctx.options.maxFutureTicks;
    let fresh: WireEvent<E>[] | undefined;
    const known = this.ctx.eventIds;
    if (this.ctx.signer.enabled) this.ctx.signer.preverify(events, (ev) => !known.has(ev.source, ev.seq));
    for (const ev of events) {
      if (ev.tick > limit && ev.tick > this.host.networkTick(now) + maxFuture) {
        this.ctx.report(
          new PeerError('OUT_OF_RANGE', `broadcast event ${ev.source}#${ev.seq} stamped far in the future`, {
            peerId: from,
          }),
        );
        continue;
      }
      if (this.ctx.signer.enabled && this.ctx.eventIds.has(ev.source, ev.seq)) {
        this.ctx.stats.duplicatesDropped++;
        this.host.checkCopy(undefined, ev);
        continue;
      }
      if (this.ctx.signer.enabled) {
        if (this.host.excluded(ev.source, ev.seq)) {
          this.ctx.eventIds.add(ev.source, ev.seq, now);
          this.ctx.stats.excludedDropped++;
          continue;
        }
        if (!this.ctx.signer.verify(ev)) {
          this.ctx.stats.signaturesRejected++;
          this.ctx.report(
            new PeerError('BAD_SIGNATURE', `broadcast event ${ev.source}#${ev.seq}: bad signature`, {
              peerId: from,
            }),
          );
          continue;
        }
        this.ctx.stats.signaturesVerified++;
      }
      if (!this.ctx.eventIds.add(ev.source, ev.seq, now)) {
        this.ctx.stats.duplicatesDropped++;
        continue;
      }
      if (!this.host.enqueue(ev, false)) continue;
      (fresh ??= []).push(ev);
    }
    if (fresh === undefined) return 0;
    this.ctx.stats.eventsReceived += fresh.length;
    this.dissemination!.spread(fresh, 'channel');
    return fresh.length;
  }
}
