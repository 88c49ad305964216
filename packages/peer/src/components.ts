/**
 * Builds a peer's components and wires them together: each gets the shared
 * {@link PeerContext} and, where it needs another component, a narrow host interface of
 * closures (never another component's fields). The facade (peer.ts) holds the result.
 * @internal
 */

import type { PayloadCodec } from '@symmetric/codec';
import { type App, Timeline, type TimelineOptions, type TimelineSnapshot } from '@symmetric/core';
import type { PeerStore } from '@symmetric/storage';
import type { Transport } from '@symmetric/transport';
import type { PeerContext } from './context.js';
import { Delay } from './delay.js';
import { DesyncDetector } from './desync.js';
import { Dials } from './dials.js';
import { Broadcasting, type Dissemination, EventIntake, Flooding } from './dissemination.js';
import { Driver } from './driver.js';
import type { Exclusions } from './equivocation.js';
import { forgetSources } from './forget.js';
import { Join } from './join.js';
import type { LinkEntry, LinkTable } from './links.js';
import { OfflineWork } from './offline.js';
import { Persistence } from './persistence.js';
import { PresenceChannel } from './presence.js';
import { QuotaGuard } from './quota-guard.js';
import { CLAIM_SLACK_SEQS } from './quotas.js';
import { claims } from './remote-frontier.js';
import { Repair } from './repair.js';
import { BroadcastRoom, type BroadcastSettings } from './room.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-blob.js';
import { snapshotTickProblem, snapshotVerdict } from './snapshot-verify.js';
import type { StatsLedger } from './stats.js';
import { SyncExchange } from './sync.js';
import type { OfflineMerge } from './types.js';

/** A peer's components. @internal */
export interface Components<S, E> {
  readonly links: LinkTable<E>;
  readonly dials: Dials;
  readonly sync: SyncExchange<S, E>;
  readonly repair: Repair<S, E>;
  readonly intake: EventIntake<S, E>;
  readonly dissemination: Dissemination<E>;
  readonly join: Join<S, E>;
  readonly desync: DesyncDetector<S, E>;
  readonly presenceChannel: PresenceChannel<S, E>;
  readonly delay: Delay;
  readonly driver: Driver<S, E>;
  readonly persistence: Persistence<S, E>;
  readonly offline: OfflineWork<S, E>;
  readonly quotas: QuotaGuard<S, E>;
}

/** What the components are built from, besides the context. @internal */
export interface ComponentSetup<S, E> {
  readonly links: LinkTable<E>;
  readonly app: App<S, E>;
  readonly timeline: Timeline<S, E>;
  readonly timelineOptions: TimelineOptions;
  readonly transports: readonly Transport[];
  readonly stateCodec: PayloadCodec<S>;
  /** Broadcast settings, or `undefined` for flooding. */
  readonly broadcast: BroadcastSettings | undefined;
  readonly ledger: StatsLedger;
  /** Sources excluded for equivocation (the app wrapper consults it; bound here). */
  readonly exclusions: Exclusions<S, E>;
  /** Where the peer keeps itself, if anywhere. */
  readonly store: PeerStore | undefined;
  /** What becomes of own events a re-base drops. */
  readonly offlineMerge: OfflineMerge<E>;
  /** `true` once the peer attached. */
  attached(): boolean;
}

/** Build and wire the components of one peer. @internal */
export function createComponents<S, E>(ctx: PeerContext<S, E>, host: ComponentSetup<S, E>): Components<S, E> {
  // Closures below take what they need, never `host`: it names the first timeline, which a
  // snapshot adoption replaces (the old one must not stay reachable).
  const { links, app, timeline, timelineOptions, transports, stateCodec, broadcast, ledger } = host;
  const { exclusions, attached } = host;
  const options = ctx.options;
  const c = { links } as { -readonly [K in keyof Components<S, E>]: Components<S, E>[K] };
  c.delay = new Delay(options.fps, options.delay);
  c.persistence = new Persistence<S, E>(ctx, host.store, {
    spread: (events) => c.dissemination.spread(events, 'own'),
    payloadBytes: (payload) => ctx.codec.payloadBytes(payload),
    encodeSnapshot: (snapshot) => encodeSnapshot(snapshot as TimelineSnapshot<S>, stateCodec),
  });
  c.offline = new OfflineWork<S, E>(ctx, host.offlineMerge, {
    emit: (payload, restamps) => {
      c.driver.stamp(payload, undefined, restamps);
    },
    tick: () => c.driver.timeline.tick,
    settled: (seq) => {
      const timeline = c.driver.timeline;
      return { base: timeline.stats().baseTick, holds: timeline.has(ctx.source, seq) };
    },
    roomHolds: () => {
      let holds = Number.POSITIVE_INFINITY;
      for (const l of links.neighbours())
        holds = Math.min(holds, c.repair.frontierOf(l).holds.get(ctx.source) ?? 0);
      return holds === Number.POSITIVE_INFINITY ? 0 : holds;
    },
  });
  c.quotas = new QuotaGuard(ctx, links);
  c.dials = new Dials(options, {
    transports: transports,
    canDial: () => attached() && c.driver.status !== 'stopped',
    isNeighbour: (peerId) => links.neighbours().some((l) => l.peerId === peerId),
    hasLink: (key) => links.get(key) !== undefined,
    keyOf: (transport, link) => (transports.length > 1 ? `${transports.indexOf(transport)}/` : '') + link.id,
    stopped: () => c.driver.status === 'stopped',
    now: () => ctx.now(),
    report: (e) => ctx.report(e),
  });
  c.sync = new SyncExchange(ctx, links, () => c.driver.timeline.tick);
  c.repair = new Repair(ctx, links, {
    vouches: () => c.join.vouches,
    ownSeq: () => c.driver.ownSeq,
    // Own events still waiting for the store are not served yet.
    eventsOf: (source, from, to) =>
      c.driver.eventsOf(source, from, source === ctx.source ? Math.min(to, c.persistence.releasedSeq) : to),
    holds: (source, seq) => c.driver.timeline.has(source, seq),
    heldRanges: (source, maxPairs) => c.driver.timeline.heldRanges(source, maxPairs),
    unrepairable: () => c.join.markUnrepairable(),
    releasedSeq: () => c.persistence.releasedSeq,
    prints: () => c.driver.timeline.prints(),
    bases: () => c.driver.bases,
    askOnLaterFrontier: broadcast === undefined,
  });
  c.intake = new EventIntake(ctx, links, c.repair, {
    futureLimit: () => c.driver.futureLimit(),
    futureFloor: () => c.driver.futureFloor(),
    networkTick: (now) => c.sync.networkTick(now),
    ownSeq: () => c.driver.ownSeq,
    enqueue: (ev, vouched, otherHistory) => {
      const taken = c.driver.enqueue(ev, vouched, otherHistory);
      if (taken) c.persistence.received(ev);
      return taken;
    },
    received: () => c.join.eventsReceived(),
    running: () => c.driver.status !== 'stopped',
    excluded: (source, seq) => exclusions.excluded(source, seq),
    checkCopy: (link, ev) => exclusions.checkCopy(link, ev),
    witness: (link, ev, now) => c.sync.witness(link, ev, now),
  });
  exclusions.bind(ctx, links, ctx.signer, {
    eventsOf: (source, from, to) => c.driver.eventsOf(source, from, to),
    resimulateFrom: (tick) => {
      const timeline = c.driver.timeline;
      const from = Math.max(tick, timeline.stats().baseTick);
      if (from > timeline.tick) return;
      timeline.resimulateFrom(from);
      c.desync.correct(timeline, from);
      c.driver.render();
    },
  });
  c.dissemination =
    broadcast === undefined
      ? new Flooding(ctx, links, c.repair)
      : new Broadcasting(
          ctx,
          links,
          c.repair,
          new BroadcastRoom<E, LinkEntry<E>>(
            broadcast,
            ctx.codec,
            { ...options, id: ctx.id },
            {
              eventIds: ctx.eventIds,
              neighbours: () => links.neighbours(),
              holdings: (l) => c.repair.frontierOf(l).holds,
              sendFrontier: (l) => c.repair.sendFrontier(l),
              canAnnounce: () => c.join.vouches,
              request: (l, ranges) => links.send(l, { type: 'request', ranges }),
              accept: (events, from) => c.intake.onBroadcast(events, from),
              report: (e) => ctx.report(e),
            },
          ),
        );
  c.intake.dissemination = c.dissemination;
  c.desync = new DesyncDetector(ctx, {
    historiesDiffer: (l) => c.repair.historiesDiffer(l as LinkEntry<E>),
    cut: (l, error) => links.linkError(l as LinkEntry<E>, error, true),
    contradicted: (senderKey, problem) => c.join.snapshotContradicted(senderKey, problem, ctx.now()),
  });
  c.join = new Join(ctx, links, {
    stamp: (payload, placeholder) => {
      c.driver.stamp(payload, placeholder);
    },
    sendSync: (l, now) => c.sync.send(l, now),
    sendFrontier: (l) => c.repair.sendFrontier(l),
    allAnnouncedHeld: () => c.repair.allAnnouncedHeld(),
    frontierReceived: (l) => c.repair.frontierReceived(l),
    holdsMissing: (l) => c.repair.holdsMissing(l),
    outranks: (l) => c.repair.outranks(l),
    refreshFrontier: (l, now) => c.repair.refresh(l, now),
    encodeOwnSnapshot: () => {
      const snap = c.driver.timeline.baseSnapshot();
      return { tick: snap.tick, blob: encodeSnapshot(snap, stateCodec) };
    },
    decodeSnapshot: (blob) => {
      const snapshot = decodeSnapshot(blob, stateCodec);
      return { snapshot, timeline: Timeline.fromSnapshot<S, E>(app, snapshot, timelineOptions) };
    },
    verifySnapshot: (decoded, from) => {
      // A snapshot's tick is a claim of the room's time, weighed like a SYNC's.
      const tick = snapshotTickProblem(ctx.clock, from.key, decoded.snapshot.tick, ctx.now());
      if (tick !== undefined) return { problem: tick, checked: true };
      // What this peer vouches for: its known ids, and what its own compaction folded or gave
      // up (seqs never received and settled, which its known ids may still list as a hole).
      const folded = c.driver.timeline.frontier();
      // Sources the snapshot lists only for the offline merge (forgotten at its base: nobody's
      // frontier lists them any more) are not claims to check.
      const snap = decoded.snapshot;
      const bound = c.driver.timeline.forgetBound(snap.tick);
      return snapshotVerdict(
        snap.frontier.filter((_, i) => !((snap.lastTicks?.[i] ?? snap.tick - 1) < bound)),
        {
          own: (source) => Math.max(ctx.eventIds.contiguous(source), folded.get(source) ?? 0),
          others: ctx
            .neighbours()
            .filter(
              (l) => l !== from && c.repair.frontierOf(l).received && c.repair.frontierOf(l).holds.size > 0,
            )
            .map((l) => c.repair.frontierOf(l).holds),
        },
        CLAIM_SLACK_SEQS,
        options.quotas.maxSnapshotNewSources,
      );
    },
    adopt: (decoded, now, from) => {
      c.persistence.settled(decoded.snapshot);
      const remote = c.repair.frontierOf(from);
      const lost = c.driver.adopt(decoded, now, (source, seq) => claims(remote, source, seq));
      c.desync.probe(from.key, decoded.snapshot.tick);
      const folded = decoded.snapshot.frontier.find(([source]) => source === ctx.source)?.[1] ?? 0;
      const skipped = decoded.snapshot.skipped?.find(([source]) => source === ctx.source)?.[1] ?? [];
      c.offline.rebased(lost, decoded.snapshot.tick, folded, skipped);
    },
    render: () => c.driver.render(),
  });
  c.presenceChannel = new PresenceChannel(ctx, links, c.delay, {
    attached: () => attached(),
    established: () => !c.join.fresh,
    lagging: () => c.driver.pace !== 'on-time',
    networkTick: (now) => c.sync.networkTick(now),
    clockEpoch: () => ctx.clock.stats.adoptions,
  });
  c.driver = new Driver<S, E>(
    ctx,
    {
      links,
      sync: c.sync,
      join: c.join,
      repair: c.repair,
      desync: c.desync,
      presence: c.presenceChannel,
      delay: c.delay,
      ledger: ledger,
      dissemination: () => c.dissemination,
      sendOwn: (event) => {
        c.offline.stamped(event);
        c.persistence.own(event);
      },
      settled: (timeline) => {
        if (c.persistence.enabled) c.persistence.settled(timeline.baseSnapshot());
      },
      forgot: (timeline, baseTick) => {
        forgetSources(ctx, c.repair, timeline, baseTick);
        c.desync.compacted(baseTick);
      },
    },
    timeline,
  );
  return c;
}
