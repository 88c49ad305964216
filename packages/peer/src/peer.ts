import type { Frame, HelloFrame, PayloadCodec } from '@symmetric/codec';
import type { App, TimelineEvent, TimelineOptions } from '@symmetric/core';
import type { CloseInfo, Link, Transport, TransportHandler } from '@symmetric/transport';
import { createComponents } from './components.js';
import { ConnectionTracker } from './connection.js';
import { host, type PeerContext } from './context.js';
import type { Delay } from './delay.js';
import type { DesyncDetector } from './desync.js';
import type { Dials } from './dials.js';
import type { Dissemination, EventIntake } from './dissemination.js';
import type { Driver } from './driver.js';
import { Emitter } from './emitter.js';
import { Exclusions } from './equivocation.js';
import { isPeerError, PeerError } from './errors.js';
import { withPeerIdSources } from './identity.js';
import type { Join } from './join.js';
import { KnownEvents } from './known.js';
import { type HelloOutcome, type LinkEntry, LinkTable } from './links.js';
import type { OfflineWork } from './offline.js';
import { checkOfflineMerge, type ResolvedOptions, resolveOptions } from './options.js';
import type { Persistence } from './persistence.js';
import type { PresenceChannel } from './presence.js';
import type { Repair } from './repair.js';
import { droppedRecords, type ResumeSeed, restoreTimeline } from './resume.js';
import { resolveDissemination } from './room.js';
import { type FrameRoutes, routeFrame } from './router.js';
import { peerBasics } from './setup.js';
import { Signer } from './signing.js';
import { newCounters, StatsLedger } from './stats.js';
import { untilStepPhase } from './step-phase.js';
import type { LinkChecks, SyncExchange } from './sync.js';
import type {
  ConnectionState,
  NeighbourInfo,
  Peer,
  PeerEvents,
  PeerOptions,
  PeerStats,
  PeerStatus,
} from './types.js';

export { peerIdOf } from './identity.js';

/** Housekeeping (timers, status, SYNC, repair) runs at most this often (ms). */
const HOUSEKEEPING_MS = 50;

/**
 * Create a peer: one replica of `options.app` that floods events to and from its neighbours over
 * `options.transports`. Nothing starts until {@link Peer.start} (real timers) or
 * {@link Peer.attach} + {@link Peer.step} (virtual time).
 *
 * @throws {@link PeerError} `INVALID_OPTION` for out-of-range options.
 * @example
 * ```ts
 * const peer = createPeer({ app: rectangleApp, transports: [transport], room: 'demo', delay: 100 });
 * peer.on('render', (state, tick) => draw(state));
 * await peer.start();
 * peer.emit(RectangleKeys.left);
 * ```
 */
export function createPeer<S, E>(options: PeerOptions<S, E>): Peer<S, E> {
  if (options.store !== undefined)
    throw new PeerError(
      'INVALID_OPTION',
      'a peer with a store is opened with openPeer (it reads the store first)',
    );
  return new PeerRuntime<S, E>(options, undefined);
}

/** The runtime behind {@link createPeer}. @internal */
export class PeerRuntime<S, E> implements Peer<S, E> {
  readonly id: string;
  readonly source: string;
  private readonly options: ResolvedOptions;
  private readonly transports: readonly Transport[];
  private readonly stateCodec: PayloadCodec<S>;
  private readonly payloadCodec: PayloadCodec<E>;
  private readonly nowFn: (() => number) | undefined;
  private readonly events: Emitter<PeerEvents<S, E>>;
  private readonly ctx: PeerContext<S, E>;
  private readonly ledger = new StatsLedger();
  private readonly links: LinkTable<E>;
  private readonly dials: Dials;
  private readonly connectionTracker = new ConnectionTracker((state) =>
    this.events.emit('connection', state),
  );
  private readonly sync: SyncExchange<S, E>;
  private readonly repair: Repair<S, E>;
  private readonly intake: EventIntake<S, E>;
  private readonly dissemination: Dissemination<E>;
  private readonly join: Join<S, E>;
  private readonly desync: DesyncDetector<S, E>;
  private readonly presenceChannel: PresenceChannel<S, E>;
  private readonly delay: Delay;
  private readonly driver: Driver<S, E>;
  private readonly persistence: Persistence<S, E>;
  private readonly offline: OfflineWork<S, E>;
  /** What a resume found worth reporting once listeners can hear it (at attach). */
  private readonly resumeNotes: PeerError[] = [];
  /** Where each frame type of a running link goes. */
  private readonly routes: FrameRoutes<S, E>;
  private attached = false;
  /** Latest local time used (step or callbacks); time never goes back. */
  private lastNow = 0;
  private timer: unknown;
  /** The stop under way (a second `stop()` waits for it). */
  private stopping: Promise<void> | undefined;
  private realTime = false;
  private nextHousekeepingAt = 0;
  /** Housekeeping's per-link checks besides SYNC (made once). */
  private readonly linkChecks: LinkChecks<E> = {
    handshake: (link, now) => this.links.checkHandshake(link, now),
    idle: (link, now) => this.routes.quotas.checkIdle(link, now),
  };
  /** Relayed events are held (set by the link table, cleared when they leave). */
  private relaysHeld = false;
  /** A delivery turn ended: the events relayed in it leave, one frame per link. */
  private readonly endTurn = (): void => {
    if (!this.relaysHeld) return;
    this.relaysHeld = false;
    this.links.flushRelayed();
  };

  constructor(options: PeerOptions<S, E>, seed: ResumeSeed | undefined) {
    const resolved = resolveOptions(options);
    this.options = resolved;
    const exclusions = new Exclusions<S, E>();
    const app: App<S, E> = withPeerIdSources(options.app, (source, seq) => exclusions.excluded(source, seq));
    this.transports = [...options.transports];
    const offlineMerge = checkOfflineMerge(options.offlineMerge);
    const { identity, id, source, payloadCodec, stateCodec, codec, timelineOptions, timeline, clock } =
      peerBasics(options, resolved, seed, app);
    this.id = id;
    this.source = source;
    this.payloadCodec = payloadCodec;
    this.stateCodec = stateCodec;
    this.nowFn = options.now;
    this.events = new Emitter<PeerEvents<S, E>>((name, error) => {
      if (name === 'error') return; // never loop on a throwing error listener
      this.report(
        new PeerError('INTERNAL', `a '${String(name)}' listener threw: ${String(error)}`, { cause: error }),
      );
    });
    const counters = newCounters();
    const signer = new Signer<E>(resolved.room, identity, codec, options.admission);
    const links = new LinkTable<E>(resolved, this.id, codec, counters, (e) => this.report(e), signer);
    this.links = links;
    links.onRelaysHeld = () => {
      this.relaysHeld = true;
    };
    const ctx: PeerContext<S, E> = {
      options: resolved,
      id: this.id,
      source: this.source,
      codec,
      signer,
      clock,
      eventIds: new KnownEvents(codec.ids),
      stats: counters,
      events: this.events,
      now: () => this.currentNow(),
      report: (e) => this.report(e),
      send: (link, frame) => links.send(link, frame),
      neighbours: () => links.neighbours(),
    };
    this.ctx = ctx;
    const c = createComponents<S, E>(ctx, {
      links,
      app,
      timeline,
      timelineOptions,
      transports: this.transports,
      stateCodec: this.stateCodec,
      broadcast: resolveDissemination(options.dissemination, this.transports, resolved),
      ledger: this.ledger,
      exclusions,
      store: options.store,
      offlineMerge,
      attached: () => this.attached,
    });
    this.dials = c.dials;
    this.sync = c.sync;
    this.repair = c.repair;
    this.intake = c.intake;
    this.dissemination = c.dissemination;
    this.join = c.join;
    this.desync = c.desync;
    this.presenceChannel = c.presenceChannel;
    this.delay = c.delay;
    this.driver = c.driver;
    this.persistence = c.persistence;
    this.offline = c.offline;
    this.routes = { ...c, links, exclusions };
    if (seed !== undefined) this.resume(seed, app, timelineOptions);
  }

  /** Take up what the store held (before any link opens: the first frontier tells what we hold). */
  private resume(seed: ResumeSeed, app: App<S, E>, timelineOptions: TimelineOptions): void {
    this.persistence.begin(seed, { room: this.options.room, appId: this.options.appId });
    this.resumeNotes.push(...droppedRecords(seed.state));
    if (seed.state.identity === undefined) return; // a new store: nothing to resume
    const restored = restoreTimeline(seed, app, timelineOptions, this.stateCodec, this.payloadCodec);
    this.ledger.retire(this.driver.timeline.stats());
    this.driver.resume(restored, this.currentNow());
    this.join.resume(this.currentNow());
    this.presenceChannel.resumeLife(seed.incarnation);
  }

  /** Events received since the last step, inserted at the next one (a test injects one here). */
  get pending(): TimelineEvent<E>[] {
    return this.driver.pendingEvents;
  }

  /** The join component (for {@link inspectJoin}). */
  get joinState(): Join<S, E> {
    return this.join;
  }

  // ---- public surface ---------------------------------------------------------------------

  get tick(): number {
    return this.driver.timeline.tick;
  }

  get state(): Readonly<S> {
    return this.driver.timeline.state;
  }

  get status(): PeerStatus {
    return this.driver.status;
  }

  get connection(): ConnectionState {
    return this.connectionTracker.state;
  }

  get delayTicks(): number {
    return this.delay.ticks;
  }

  on<K extends keyof PeerEvents<S, E>>(name: K, listener: PeerEvents<S, E>[K]): () => void {
    return this.events.on(name, listener);
  }

  hash(): string {
    return this.driver.timeline.hash();
  }

  stateHashAt(tick: number): string | undefined {
    const own = this.desync.ownHashAt(tick);
    if (own !== undefined) return own;
    try {
      return this.driver.timeline.hashAt(tick);
    } catch {
      return undefined;
    }
  }

  presence(): ReadonlyMap<string, unknown> {
    return this.presenceChannel.view();
  }

  neighbours(): NeighbourInfo[] {
    const est = this.ctx.clock.estimate(this.currentNow());
    return this.links.info((key) => est.links.get(key)?.rttMs);
  }

  stats(): PeerStats {
    const timeline = this.driver.timeline;
    return {
      ...this.ledger.timelineStats(timeline.stats()),
      ...this.ctx.stats,
      tick: timeline.tick,
      status: this.driver.status,
      delayTicks: this.delay.ticks,
      neighbours: this.links.neighbours().length,
      links: this.links.count(),
      events: this.driver.eventsHeld,
      eventsAwaitingStore: this.persistence.awaiting,
      ...this.ledger.errors(),
      broadcast: this.dissemination.stats(),
    };
  }

  emit(payload: E): TimelineEvent<E> {
    if (this.driver.status === 'stopped') throw this.count(new PeerError('STOPPED', 'emit after stop()'));
    try {
      this.persistence.check();
    } catch (error) {
      throw this.count(error as PeerError);
    }
    try {
      this.payloadCodec.encode(payload);
    } catch (cause) {
      throw this.count(
        new PeerError('INVALID_PAYLOAD', `payload cannot be encoded: ${String(cause)}`, { cause }),
      );
    }
    try {
      return this.join.queue(payload) ?? this.driver.stamp(payload, undefined);
    } catch (error) {
      if (isPeerError(error)) throw this.count(error);
      throw error;
    }
  }

  setPresence(data: unknown): void {
    if (this.driver.status === 'stopped')
      throw this.count(new PeerError('STOPPED', 'setPresence after stop()'));
    try {
      this.presenceChannel.set(data);
    } catch (error) {
      if (error instanceof PeerError) throw this.count(error);
      throw error;
    }
  }

  async attach(): Promise<void> {
    if (this.attached) return;
    if (this.driver.status === 'stopped') throw new PeerError('STOPPED', 'attach after stop()');
    this.attached = true;
    for (const note of this.resumeNotes.splice(0)) this.report(note);
    this.join.start(this.currentNow());
    this.driver.setStatus('syncing');
    for (let i = 0; i < this.transports.length; i++) {
      const transport = this.transports[i]!;
      await transport.start(this.handlerFor(transport, i));
    }
    this.dissemination.start(this.transports);
    this.dials.run(this.currentNow());
    this.updateConnection();
  }

  async start(): Promise<void> {
    this.realTime = true;
    await this.attach();
    const now = (): number => this.currentNow();
    const loop = (): void => {
      this.timer = undefined;
      if (this.driver.status === 'stopped') return;
      try {
        this.step(now());
      } catch (error) {
        this.report(new PeerError('INTERNAL', `step failed: ${String(error)}`, { cause: error }));
      }
      this.timer = host.setTimeout(loop, this.untilNextStep());
    };
    loop();
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    if (this.driver.status === 'stopped') return;
    if (this.timer !== undefined) host.clearTimeout(this.timer);
    this.timer = undefined;
    // Own events the store has not made durable yet are sent once it has, before the byes.
    if (this.persistence.enabled) await this.persistence.stop();
    // Tell the network this peer is gone (presence null), then bye to each neighbour.
    this.presenceChannel.stop();
    this.links.sayBye();
    this.driver.setStatus('stopped');
    this.dissemination.stop();
    this.links.closeAll();
    this.updateConnection();
    for (const t of this.transports) {
      try {
        await t.stop();
      } catch (error) {
        this.report(
          new PeerError('TRANSPORT', `stopping transport ${t.name} failed: ${String(error)}`, {
            cause: error,
          }),
        );
      }
    }
  }

  dial(address: string, transport: number | string = 0): void {
    const index =
      typeof transport === 'number' ? transport : this.transports.findIndex((t) => t.name === transport);
    const t = this.transports[index];
    if (t === undefined) {
      this.report(new PeerError('DIAL_FAILED', `no transport ${String(transport)} to dial ${address}`));
      return;
    }
    this.dials.dial(t, address);
  }

  untilNextStep(): number {
    return untilStepPhase(this.ctx.clock, this.currentNow(), 1000 / this.options.fps);
  }

  step(nowMs: number): void {
    if (this.driver.status === 'stopped') return;
    if (!(nowMs >= this.lastNow)) nowMs = this.lastNow; // monotonic (also rejects NaN)
    this.lastNow = nowMs;
    this.endTurn(); // a turn a transport did not end, ends before the step
    this.join.startIfUnset(nowMs);
    if (nowMs >= this.nextHousekeepingAt) {
      this.nextHousekeepingAt = nowMs + HOUSEKEEPING_MS;
      this.housekeeping(nowMs);
    }
    this.driver.simulate(nowMs);
  }

  // ---- time -------------------------------------------------------------------------------

  /**
   * Local time for work done outside `step` (frame callbacks, API calls). Never below a time
   * already used: the clock rejects time going backwards, and callbacks (with an injected or
   * real clock) may run ahead of the last `step`.
   */
  private currentNow(): number {
    let t = this.lastNow;
    if (this.nowFn !== undefined) t = this.nowFn();
    else if (this.realTime) t = host.performance.now();
    if (t > this.lastNow && Number.isFinite(t)) this.lastNow = t;
    return this.lastNow;
  }

  // ---- housekeeping -----------------------------------------------------------------------

  private housekeeping(now: number): void {
    this.sync.checkLinks(now, this.linkChecks);
    this.join.housekeeping(now);
    this.repair.housekeeping(now, this.driver.bases);
    this.dissemination.housekeeping(now);
    this.join.maybeResync(now);
    this.dials.run(now);
    this.presenceChannel.housekeeping(now);
    if (!this.join.transferring) this.desync.recordHashes(this.driver.timeline);
    this.desync.housekeeping(now);
    this.persistence.writeHeld();
    this.offline.housekeeping();
    this.driver.updateStatus(now);
    this.updateConnection();
  }

  /** Re-derive {@link connection} from the status, the neighbours and the dials. */
  private updateConnection(): void {
    this.connectionTracker.update(this.driver.status, this.links.neighbours().length, this.dials.dialling());
  }

  // ---- transport callbacks ----------------------------------------------------------------

  private handlerFor(transport: Transport, index: number): TransportHandler {
    const prefix = this.transports.length > 1 ? `${index}/` : '';
    const keyOf = (link: Link): string => prefix + link.id;
    return {
      onLink: (link) => this.guard(() => this.onLink(transport, keyOf(link), link)),
      onFrame: (link, bytes) => this.guardFrame(link, keyOf, bytes),
      onTurnEnd: () => this.guard(this.endTurn),
      onClose: (link, info) => this.guard(() => this.onClose(keyOf(link), info)),
      onError: (error, link) =>
        this.guard(() =>
          this.report(
            new PeerError('TRANSPORT', `${transport.name}: ${error.message}`, {
              cause: error,
              linkId: link === undefined ? undefined : keyOf(link),
            }),
          ),
        ),
    };
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.report(new PeerError('INTERNAL', `internal error: ${String(error)}`, { cause: error }));
    }
  }

  /** {@link guard} of {@link onFrame} without a closure per frame. */
  private guardFrame(link: Link, keyOf: (link: Link) => string, bytes: Uint8Array): void {
    try {
      // By the link itself; by its key for a link object the peer was not given at its opening.
      const entry = this.links.ofLink(link) ?? this.links.get(keyOf(link));
      this.onFrame(entry, bytes);
    } catch (error) {
      this.report(new PeerError('INTERNAL', `internal error: ${String(error)}`, { cause: error }));
    }
  }

  private onLink(transport: Transport, key: string, link: Link): void {
    if (this.driver.status === 'stopped') {
      link.close('stopped');
      return;
    }
    const now = this.currentNow();
    const entry = this.links.open(transport, key, link, now);
    this.dials.linkOpened(transport, key, link);
    if (!this.routes.quotas.admitLink(entry)) return;
    this.links.sendHello(entry);
    // Our frontier and a SYNC go right behind the hello (the neighbour reads them once it has
    // accepted the hello; if it refuses, the link closes and they are dropped): repairs and the
    // room's time arrive one latency after the link opens, not two. A fresh peer asks for a
    // snapshot at once too (a neighbour that cannot serve one refuses, and another is asked).
    this.repair.sendFrontier(entry);
    this.sync.send(entry, now);
    this.join.maybeRequestSnapshot(entry, now, true);
  }

  private onClose(key: string, info: CloseInfo): void {
    const closed = this.links.closed(key);
    if (closed === undefined) return;
    this.sync.linkClosed(key);
    this.dials.linkClosed(key, closed.entry.refused);
    this.join.linkClosed(key);
    this.repair.linkClosed(key);
    this.routes.quotas.linkClosed(key);
    this.desync.linkClosed(key);
    if (closed.wasNeighbour) {
      const entry = closed.entry;
      this.events.emit('peer:leave', {
        peerId: entry.peerId,
        linkId: key,
        reason: entry.closeReason ?? info.reason ?? (info.local ? 'closed' : 'remote closed'),
      });
    }
    this.updateConnection();
  }

  private onFrame(entry: LinkEntry<E> | undefined, bytes: Uint8Array): void {
    if (entry === undefined || entry.kind === 'closed') return;
    const now = this.currentNow(); // the frame's arrival: read once
    if (!this.routes.quotas.bytes(entry, bytes.length, now)) return;
    const frame = this.links.decode(entry, bytes);
    if (frame === undefined) return;
    if (entry.kind === 'handshaking') {
      if (entry.pendingHello !== undefined) this.onAuthPhase(entry, frame);
      else if (frame.type === 'hello') this.admitted(entry, frame, this.links.checkHello(entry, frame));
      else
        this.links.linkError(
          entry,
          new PeerError('PROTOCOL', `'${frame.type}' frame before hello`, { linkId: entry.key }),
          true,
        );
      return;
    }
    routeFrame(this.routes, entry, frame, now);
  }

  /** Authenticated rooms: a frame between the neighbour's hello and its `auth`. */
  private onAuthPhase(entry: LinkEntry<E>, frame: Frame<E>): void {
    const hello = entry.pendingHello!;
    const now = this.currentNow();
    if (frame.type === 'sync') {
      // SYNC is answered at once (its echo times the round trip); what it taught the clock is
      // dropped with the link if the auth fails.
      this.sync.onSync(entry, frame, now);
      return;
    }
    this.admitted(entry, hello, this.links.checkAuth(entry, frame, now));
  }

  private admitted(entry: LinkEntry<E>, f: HelloFrame, outcome: HelloOutcome): void {
    if (outcome === 'refused' || outcome === 'pending') return;
    this.dials.linkNamed(entry.key, f.peerId);
    if (outcome === 'duplicate') return;
    this.links.accept(entry, f);
    // The proofs of equivocation held go first: before any event or snapshot we send it.
    this.routes.exclusions.greet(entry);
    this.events.emit('peer:join', { peerId: f.peerId, linkId: entry.key });
    this.updateConnection();
    // (Frontier, SYNC and a snapshot request already went out right behind our hello.)
    this.presenceChannel.greet(entry);
    const early = entry.early;
    entry.early = undefined;
    if (early === undefined) return;
    for (const { frame, at } of early) {
      if (entry.kind !== 'running') return;
      routeFrame(this.routes, entry, frame, at);
    }
  }

  // ---- errors -----------------------------------------------------------------------------

  private count(error: PeerError): PeerError {
    this.ledger.countError(error.code);
    return error;
  }

  private report(error: PeerError): void {
    this.count(error);
    this.events.emit('error', error);
  }
}
