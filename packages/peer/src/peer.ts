import { Clock, ClockError } from '@symmetric/clock-sync';
import {
  Capability,
  type Codec,
  CodecError,
  createCodec,
  type EventsFrame,
  type Frame,
  type FrameDecoder,
  type FrameEncoder,
  type FrontierFrame,
  type HashFrame,
  type HelloFrame,
  msgpackPayloadCodec,
  type PayloadCodec,
  PROTOCOL_VERSION,
  type PresenceFrame,
  type RequestFrame,
  type SnapshotChunkFrame,
  type SyncFrame,
  type WireEvent,
} from '@symmetric/codec';
import {
  type App,
  type EventContext,
  Timeline,
  type TimelineEvent,
  type TimelineOptions,
  type TimelineSnapshot,
} from '@symmetric/core';
import type { CloseInfo, Link, Transport, TransportError, TransportHandler } from '@symmetric/transport';
import { AutoDelay } from './delay.js';
import { Emitter } from './emitter.js';
import { PeerError, type PeerErrorCode } from './errors.js';
import { KnownEvents } from './known.js';
import { type ResolvedOptions, resolveOptions } from './options.js';
import { PresenceTable } from './presence.js';
import { BroadcastRoom, emptyBroadcastStats, resolveDissemination } from './room.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-blob.js';
import type { NeighbourInfo, Peer, PeerEvents, PeerOptions, PeerStats, PeerStatus } from './types.js';

/** Housekeeping (timers, status, SYNC, repair) runs at most this often (ms). */
const HOUSEKEEPING_MS = 50;
/** A peer far behind waits at most this long for the frontier of a link that just opened. */
const FRONTIER_WAIT_MS = 1000;
/** Catch-up ticks run between two checks of the CPU budget. */
const CATCH_UP_CHUNK = 64;
/** Most events put in one `events` frame (the codec's limit may be lower). */
const MAX_EVENTS_PER_FRAME = 512;
/** Largest seq range served for one requested range. */
const MAX_SERVED_RANGE = 100_000;
/** Most pending hash reports remembered per link. */
const MAX_PENDING_HASHES = 256;
/** Own hashes of settled ticks remembered for comparison. */
const MAX_OWN_HASHES = 512;
/** Attempts at one gap before backing off to the slowest retry period. */
const GAP_BACKOFF_AFTER = 8;
/** Unanswered gap requests after which the events are taken as compacted away (resync). */
const RESYNC_AFTER_ATTEMPTS = 3;
/** Hash reports per `hash` frame. */
const MAX_REPORTS_PER_FRAME = 64;
/** Chunk size of snapshot transfers (bytes). */
const SNAPSHOT_CHUNK_BYTES = 65_536;
/** Beacon periods (ms) when Δ is 'auto': the first few quickly, then slowly (also one per new link). */
const BEACON_FAST_MS = 5000;
const BEACON_FAST_COUNT = 3;
const BEACON_MS = 30_000;

interface LinkState<E> {
  readonly key: string;
  readonly link: Link;
  readonly transport: Transport;
  readonly enc: FrameEncoder<E>;
  readonly dec: FrameDecoder<E>;
  phase: 'hello' | 'open' | 'closed';
  readonly openedAt: number;
  remoteId: string;
  capabilities: number;
  /** Highest contiguous seq per source the neighbour is known to hold. */
  readonly has: Map<string, number>;
  gotFrontier: boolean;
  syncsReceived: number;
  byeReason: string | undefined;
  pendingHashes: Map<number, string> | undefined;
  /** Hash mismatches waiting for confirmation: tick → their hash, first seen. */
  mismatches: Map<number, { theirs: string; since: number }> | undefined;
  /** The neighbour refused (or failed) to give us a snapshot. */
  snapshotRefused: boolean;
  /** Snapshot transfers this neighbour asked of us and we have not answered yet. */
  snapshotWanted: boolean;
  /** A SEQ_CONFLICT about this incarnation's source was reported for this link. */
  conflictReported: boolean;
}

interface SnapshotTransfer {
  readonly linkKey: string;
  readonly requestedAt: number;
  tick: number;
  count: number;
  chunks: Uint8Array[];
  received: number;
}

interface GapState {
  attempts: number;
  lastAt: number;
  lastLink: string;
}

interface QueuedEmit<E> {
  readonly payload: E;
  readonly placeholder: { tick: number; source: string; seq: number; payload: E };
}

interface DialState {
  readonly address: string;
  readonly transport: number;
  linkKey: string | undefined;
  /** The peer this address led to last time. */
  peerId: string | undefined;
  nextAt: number;
  backoff: number;
}

type MutableStats = {
  -readonly [K in keyof Omit<
    PeerStats,
    | keyof ReturnType<Timeline<unknown, unknown>['stats']>
    | 'tick'
    | 'status'
    | 'delayTicks'
    | 'neighbours'
    | 'links'
    | 'errors'
    | 'errorsTotal'
    | 'events'
    | 'broadcast'
  >]: number;
};

/** The few host globals the runtime uses (typed here: the package compiles without DOM/Node types). */
interface HostGlobals {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  crypto: { getRandomValues(bytes: Uint8Array): Uint8Array };
  performance: { now(): number };
}
const host = globalThis as unknown as HostGlobals;

function randomId(): string {
  const bytes = new Uint8Array(8);
  host.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function defaultNow(): number {
  return host.performance.now();
}

/** Separates the peer id from the incarnation in an event source id. */
const INCARNATION_SEPARATOR = '~';
const INCARNATION = /^[0-9A-Za-z_-]{1,32}$/;

/**
 * The peer id of an event source id (`<peerId>~<incarnation>`): what the app sees as
 * `ctx.source`. A string without an incarnation is returned unchanged.
 *
 * @example
 * ```ts
 * peerIdOf('alice~5f3a9c'); // 'alice'
 * ```
 */
export function peerIdOf(source: string): string {
  const at = source.lastIndexOf(INCARNATION_SEPARATOR);
  return at < 0 ? source : source.slice(0, at);
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * The app as the timeline runs it: `ctx.source` of an event is the peer id of its source (the
 * incarnation is an identity detail of the runtime), everything else is the app's own.
 */
function withPeerIdSources<S, E>(app: App<S, E>): App<S, E> {
  const ctx = { tick: 0, random: undefined as unknown as EventContext['random'], source: '', seq: 0 };
  const wrapped = Object.create(app) as App<S, E>;
  wrapped.event = (state, event, inner) => {
    ctx.tick = inner.tick;
    ctx.random = inner.random;
    ctx.source = peerIdOf(inner.source);
    ctx.seq = inner.seq;
    return app.event(state, event, ctx);
  };
  return wrapped;
}

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
  return new PeerRuntime<S, E>(options);
}

/** The runtime behind {@link createPeer}. @internal */
class PeerRuntime<S, E> implements Peer<S, E> {
  readonly id: string;
  readonly source: string;
  private readonly o: ResolvedOptions;
  private readonly app: App<S, E>;
  private readonly transports: readonly Transport[];
  private readonly codec: Codec<E>;
  private readonly payloadCodec: PayloadCodec<E>;
  private readonly stateCodec: PayloadCodec<S>;
  private readonly nowFn: (() => number) | undefined;
  private readonly emitter: Emitter<PeerEvents<S, E>>;
  private readonly timelineOptions: TimelineOptions;
  /** Broadcast dissemination (`dissemination: 'broadcast'`), see room.ts. */
  private readonly room: BroadcastRoom<E, LinkState<E>> | undefined;

  private timeline: Timeline<S, E>;
  private clock: Clock;
  private readonly known = new KnownEvents();
  private readonly links = new Map<string, LinkState<E>>();
  /** Open links with a completed handshake, in opening order (rebuilt on change). */
  private neighbourList: LinkState<E>[] = [];
  private pending: TimelineEvent<E>[] = [];
  private queued: QueuedEmit<E>[] = [];
  private readonly presenceTable = new PresenceTable();
  /** User data last reported per peer id through `presence` events. */
  private readonly presenceReported = new Map<string, unknown>();
  private readonly autoDelay: AutoDelay;
  private readonly gaps = new Map<string, GapState>();
  /** Per source, the highest contiguous seq a neighbour announced and when (repairs outstanding). */
  private readonly expected = new Map<string, { seq: number; since: number }>();
  private readonly dials: DialState[];
  private readonly ownHashes = new Map<number, string>();
  private outgoingReports: { tick: number; hash: string }[] = [];

  private statusValue: PeerStatus = 'idle';
  private attached = false;
  private attachedAt = Number.NaN;
  private lastNow = 0;
  private timer: unknown;
  private realTime = false;

  /**
   * Part of the room's timeline: joined through an established neighbour, or alone for
   * `aloneGraceMs` (the room's first generation). Until then own emits are queued.
   */
  private established = false;
  /** Synced once since attach: our frontier vouches for the room's timeline (see sendFrontier). */
  private vouching = false;
  private ownSeq = 0;
  private ownLastTick = 0;
  /** Snapshot join: wanted (fresh and a neighbour has history), in progress, or finished. */
  private joinWanted = false;
  private joinDone = false;
  private transfer: SnapshotTransfer | undefined;

  private delayTicksValue = 0;
  private nextDelayAt = 0;
  private nextHousekeepingAt = 0;
  private nextHashSendAt = 0;
  private nextHashTick = 0;
  private nextCompactTick = 0;
  private nextBeaconAt = 0;
  private presenceSeq = 0;
  private beaconsSent = 0;
  private ownPresence: unknown = null;
  private lagging = true;
  private holding = false;
  /** Owed ticks (clock ahead of the timeline) that re-simulate ticks a replaced timeline had run. */
  private resimOwed = 0;
  /** Events announced by neighbours could not be repaired (compacted): see maybeResync. */
  private unrepairable = false;
  private nextResyncAt = 0;

  private readonly counters: MutableStats = {
    framesSent: 0,
    framesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    eventsEmitted: 0,
    eventsSent: 0,
    eventsReceived: 0,
    eventsForwarded: 0,
    duplicatesDropped: 0,
    repairsSent: 0,
    requestsSent: 0,
    syncsSent: 0,
    hashReportsSent: 0,
    hashesCompared: 0,
    desyncs: 0,
    snapshotsServed: 0,
    snapshotsAdopted: 0,
    resyncs: 0,
    presenceReceived: 0,
    presenceDropped: 0,
  };
  /** Cumulative counters of timelines replaced by a snapshot adoption. */
  private readonly retired = {
    ticksSimulated: 0,
    ticksResimulated: 0,
    lateEvents: 0,
    ticksTravelledBack: 0,
    rollbacks: 0,
    duplicates: 0,
    tooOld: 0,
    snapshotsTaken: 0,
    invalidEvents: 0,
    appErrors: 0,
  };
  private readonly errorCounts: Partial<Record<PeerErrorCode, number>> = {};
  private errorsTotal = 0;

  constructor(options: PeerOptions<S, E>) {
    this.o = resolveOptions(options);
    this.app = withPeerIdSources(options.app);
    this.transports = [...options.transports];
    this.id = options.peerId ?? randomId();
    if (typeof this.id !== 'string' || this.id.length === 0)
      throw new PeerError('INVALID_OPTION', 'peerId must be a non-empty string');
    const incarnation = options.incarnation ?? randomId();
    if (typeof incarnation !== 'string' || !INCARNATION.test(incarnation))
      throw new PeerError('INVALID_OPTION', 'incarnation must be 1 to 32 characters of [0-9A-Za-z_-]');
    this.source = `${this.id}${INCARNATION_SEPARATOR}${incarnation}`;
    this.payloadCodec = options.payloadCodec ?? (msgpackPayloadCodec as PayloadCodec<E>);
    this.stateCodec = options.stateCodec ?? (msgpackPayloadCodec as PayloadCodec<S>);
    try {
      this.codec = createCodec<E>({
        payload: this.payloadCodec,
        ...(options.limits === undefined ? {} : { limits: options.limits }),
      });
    } catch (cause) {
      throw new PeerError('INVALID_OPTION', `invalid codec limits: ${String(cause)}`, { cause });
    }
    if (utf8Length(this.source) > this.codec.limits.maxIdLength)
      throw new PeerError(
        'INVALID_OPTION',
        `peerId + incarnation ('${this.source}') is longer than the codec's maxIdLength`,
      );
    this.nowFn = options.now;
    this.emitter = new Emitter<PeerEvents<S, E>>((name, error) => {
      if (name === 'error') return; // never loop on a throwing error listener
      this.report(
        new PeerError('INTERNAL', `a '${String(name)}' listener threw: ${String(error)}`, { cause: error }),
      );
    });
    this.timelineOptions = {
      seed: this.o.seed,
      snapshotEvery: this.o.snapshotEvery,
      maxSnapshots: this.o.maxSnapshots,
      hashEvery: this.o.hashEvery,
      maxHashes: this.o.maxHashes,
    };
    try {
      this.timeline = new Timeline<S, E>(this.app, this.timelineOptions);
      this.clock = new Clock(this.o.clock);
    } catch (cause) {
      throw new PeerError('INVALID_OPTION', String(cause), { cause });
    }
    this.autoDelay = new AutoDelay(this.o.fps, 3 * BEACON_MS + 1000);
    this.delayTicksValue =
      this.o.delay === 'auto'
        ? this.autoDelay.value(0, 0, Number.NaN)
        : Math.ceil((this.o.delay * this.o.fps) / 1000);
    this.dials = this.o.dial.map((d) => ({
      address: d.address,
      transport: d.transport,
      linkKey: undefined,
      peerId: undefined,
      nextAt: 0,
      backoff: this.o.redial === false ? 0 : this.o.redial.minMs,
    }));
    this.nextHashTick = this.o.hashEvery;
    this.nextCompactTick = this.o.horizonTicks === undefined ? Number.POSITIVE_INFINITY : this.o.horizonTicks;
    const broadcast = resolveDissemination(options.dissemination, this.transports, this.o);
    this.room =
      broadcast === undefined
        ? undefined
        : new BroadcastRoom<E, LinkState<E>>(
            broadcast,
            this.codec,
            { ...this.o, id: this.id },
            {
              known: this.known,
              neighbours: () => this.neighbourList,
              sendFrontier: (l) => this.sendFrontier(l),
              canAnnounce: () => this.vouching,
              request: (l, ranges) => this.send(l, { type: 'request', ranges }),
              accept: (events, from) => this.acceptBroadcast(events, from),
              report: (error) => this.report(error),
            },
          );
  }

  // ---- public surface ---------------------------------------------------------------------

  get tick(): number {
    return this.timeline.tick;
  }

  get state(): Readonly<S> {
    return this.timeline.state;
  }

  get status(): PeerStatus {
    return this.statusValue;
  }

  get delayTicks(): number {
    return this.delayTicksValue;
  }

  on<K extends keyof PeerEvents<S, E>>(name: K, listener: PeerEvents<S, E>[K]): () => void {
    return this.emitter.on(name, listener);
  }

  hash(): string {
    return this.timeline.hash();
  }

  stateHashAt(tick: number): string | undefined {
    const own = this.ownHashes.get(tick);
    if (own !== undefined) return own;
    try {
      return this.timeline.hashAt(tick);
    } catch {
      return undefined;
    }
  }

  presence(): ReadonlyMap<string, unknown> {
    const out = new Map<string, unknown>();
    const freshest = new Map<string, number>();
    for (const [source, e] of this.presenceTable.entries) {
      const user = (e.data as unknown[])[0];
      if (user === null || user === undefined) continue;
      // Keyed by peer id; of several incarnations (a crashed one not expired yet) the one
      // refreshed last.
      const peerId = peerIdOf(source);
      if ((freshest.get(peerId) ?? Number.NEGATIVE_INFINITY) >= e.expiresAt) continue;
      freshest.set(peerId, e.expiresAt);
      out.set(peerId, user);
    }
    return out;
  }

  neighbours(): NeighbourInfo[] {
    const est = this.clock.estimate(this.currentNow());
    return this.neighbourList.map((l) => {
      const rtt = est.links.get(l.key)?.rttMs;
      return {
        peerId: l.remoteId,
        linkId: l.key,
        transport: l.transport.name,
        direction: l.link.direction,
        remoteAddress: l.link.remoteAddress,
        rttMs: rtt === undefined || Number.isNaN(rtt) ? undefined : rtt,
      };
    });
  }

  stats(): PeerStats {
    let links = 0;
    for (const l of this.links.values()) if (l.phase !== 'closed') links++;
    const t = this.timeline.stats();
    const r = this.retired;
    return {
      ...t,
      ticksSimulated: t.ticksSimulated + r.ticksSimulated,
      ticksResimulated: t.ticksResimulated + r.ticksResimulated,
      lateEvents: t.lateEvents + r.lateEvents,
      ticksTravelledBack: t.ticksTravelledBack + r.ticksTravelledBack,
      rollbacks: t.rollbacks + r.rollbacks,
      duplicates: t.duplicates + r.duplicates,
      tooOld: t.tooOld + r.tooOld,
      snapshotsTaken: t.snapshotsTaken + r.snapshotsTaken,
      invalidEvents: t.invalidEvents + r.invalidEvents,
      appErrors: t.appErrors + r.appErrors,
      ...this.counters,
      tick: this.timeline.tick,
      status: this.statusValue,
      delayTicks: this.delayTicksValue,
      neighbours: this.neighbourList.length,
      links,
      events: this.known.count(),
      errors: { ...this.errorCounts },
      errorsTotal: this.errorsTotal,
      broadcast: this.room?.stats() ?? emptyBroadcastStats(),
    };
  }

  emit(payload: E): TimelineEvent<E> {
    if (this.statusValue === 'stopped') throw this.count(new PeerError('STOPPED', 'emit after stop()'));
    try {
      this.payloadCodec.encode(payload);
    } catch (cause) {
      throw this.count(
        new PeerError('INVALID_PAYLOAD', `payload cannot be encoded: ${String(cause)}`, { cause }),
      );
    }
    if (!this.established) {
      const placeholder = { tick: -1, source: this.source, seq: 0, payload };
      this.queued.push({ payload, placeholder });
      return placeholder;
    }
    return this.stamp(payload, undefined);
  }

  setPresence(data: unknown): void {
    if (this.statusValue === 'stopped')
      throw this.count(new PeerError('STOPPED', 'setPresence after stop()'));
    const check = data === undefined ? null : data;
    try {
      msgpackPayloadCodec.encode([check, 0]);
    } catch (cause) {
      throw this.count(
        new PeerError('INVALID_PAYLOAD', `presence data cannot be encoded: ${String(cause)}`, { cause }),
      );
    }
    this.ownPresence = check;
    this.sendOwnPresence(undefined);
  }

  async attach(): Promise<void> {
    if (this.attached) return;
    if (this.statusValue === 'stopped') throw new PeerError('STOPPED', 'attach after stop()');
    this.attached = true;
    this.attachedAt = this.currentNow();
    this.setStatus('syncing');
    for (let i = 0; i < this.transports.length; i++) {
      const transport = this.transports[i]!;
      await transport.start(this.handlerFor(transport, i));
    }
    this.room?.attach(this.transports);
    this.runDials(this.currentNow());
  }

  async start(): Promise<void> {
    this.realTime = true;
    await this.attach();
    const frameMs = 1000 / this.o.fps;
    const now = (): number => this.currentNow();
    let next = now();
    const loop = (): void => {
      this.timer = undefined;
      if (this.statusValue === 'stopped') return;
      try {
        this.step(now());
      } catch (error) {
        this.report(new PeerError('INTERNAL', `step failed: ${String(error)}`, { cause: error }));
      }
      next += frameMs;
      const t = now();
      if (next < t - 10 * frameMs) next = t; // do not spin after a long stall
      this.timer = host.setTimeout(loop, Math.max(0, next - t));
    };
    loop();
  }

  async stop(): Promise<void> {
    if (this.statusValue === 'stopped') return;
    if (this.timer !== undefined) host.clearTimeout(this.timer);
    this.timer = undefined;
    // Tell the network this peer is gone (presence null), then bye to each neighbour.
    if (this.established) {
      this.ownPresence = null;
      this.presenceSeq++;
      for (const l of this.neighbourList) {
        this.send(l, {
          type: 'presence',
          source: this.source,
          seq: this.presenceSeq,
          hops: this.o.presenceHops,
          data: null,
        });
      }
    }
    for (const l of [...this.links.values()]) {
      if (l.phase === 'open') this.send(l, { type: 'bye', reason: 'stop' });
    }
    this.setStatus('stopped');
    this.room?.detach();
    for (const l of [...this.links.values()]) l.link.close('stop');
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
    this.dialNow(t, address, undefined);
  }

  step(nowMs: number): void {
    if (this.statusValue === 'stopped') return;
    if (!(nowMs >= this.lastNow)) nowMs = this.lastNow; // monotonic (also rejects NaN)
    this.lastNow = nowMs;
    if (Number.isNaN(this.attachedAt)) this.attachedAt = nowMs;
    if (nowMs >= this.nextHousekeepingAt) {
      this.nextHousekeepingAt = nowMs + HOUSEKEEPING_MS;
      this.housekeeping(nowMs);
    }
    // Frozen while a snapshot is on its way, or while far behind and still waiting for the first
    // repairs (simulating now would only mean rolling back when they arrive). Decided afresh
    // whenever the clock is well ahead (it may have just adopted the network's time) and
    // released in the first step after the repairs are in, not at the next housekeeping.
    if (this.transfer !== undefined) return;
    if (this.holding || this.clockLead(nowMs) > this.o.liveLagTicks) this.updateStatus(nowMs);
    if (this.holding) return;
    let changed = false;
    if (this.pending.length > 0) changed = this.flushPending();
    const nominal = this.clock.advance(nowMs);
    // Behind the clock (it adopted the network's time): grant the whole catch-up now; the
    // simulation runs it within the catch-up budget (what does not fit carries over).
    const target = Math.floor(this.clock.clockTick(nowMs) + 1e-9);
    if (target > this.clock.tick) this.clock.fastForward(target, nowMs);
    // A fresh peer not yet part of the room's timeline simulates nothing: it starts from the
    // room's state (or, as its first generation, catches up once alone long enough).
    const owed = this.established ? this.clock.tick - this.timeline.tick : 0;
    if (owed > 0) {
      this.runTicks(owed, nominal);
      changed = true;
      if (this.timeline.tick >= this.nextCompactTick) this.compact();
      if (owed > nominal) this.updateStatus(nowMs); // caught up (or closer): say so now
    }
    if (changed && this.emitter.has('render'))
      this.emitter.emit('render', this.timeline.state, this.timeline.tick);
  }

  /**
   * Simulate up to `owed` ticks: all of them if they fit the catch-up limits (ticks per step,
   * CPU budget), else as many as do, but never fewer than the step's nominal ticks. Ticks the
   * timeline had simulated before a snapshot replaced it are counted as re-simulated.
   */
  private runTicks(owed: number, nominal: number): void {
    const timeline = this.timeline;
    const limit = Math.min(owed, this.o.catchUpMaxTicks);
    const must = Math.min(owed, Math.max(1, nominal));
    let done = 0;
    if (limit <= CATCH_UP_CHUNK || this.o.catchUpBudgetMs === Number.POSITIVE_INFINITY) {
      done = Math.max(limit, must);
      timeline.advance(done);
    } else {
      const started = host.performance.now();
      while (done < limit) {
        const chunk = Math.min(CATCH_UP_CHUNK, limit - done);
        timeline.advance(chunk);
        done += chunk;
        if (done >= must && host.performance.now() - started >= this.o.catchUpBudgetMs) break;
      }
    }
    if (this.resimOwed > 0) {
      const r = Math.min(this.resimOwed, done);
      this.resimOwed -= r;
      this.retired.ticksSimulated -= r;
      this.retired.ticksResimulated += r;
    }
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
    else if (this.realTime) t = defaultNow();
    if (t > this.lastNow && Number.isFinite(t)) this.lastNow = t;
    return this.lastNow;
  }

  /** How many whole ticks the clock is ahead of the simulation (0 when it is not). */
  private clockLead(now: number): number {
    try {
      return Math.max(0, Math.floor(this.clock.clockTick(now) + 1e-9) - this.timeline.tick);
    } catch {
      return 0;
    }
  }

  /** Network tick estimate (falls back to the local tick). */
  /** The clock's whole tick at `now` (the simulated tick when the clock cannot say). */
  private clockTickAt(now: number): number {
    try {
      const t = Math.floor(this.clock.clockTick(now));
      return Number.isFinite(t) ? t : this.timeline.tick;
    } catch {
      return this.timeline.tick;
    }
  }

  private networkTick(now: number): number {
    try {
      const t = this.clock.estimate(now).networkTick;
      return Number.isFinite(t) ? t : this.timeline.tick;
    } catch {
      return this.timeline.tick;
    }
  }

  // ---- events -----------------------------------------------------------------------------

  private nextOwnSeq(): number {
    const k = this.known.get(this.source);
    return Math.max(this.ownSeq, k?.max ?? 0) + 1;
  }

  /** Stamp and flood one own event (`placeholder` is filled in for queued emits). */
  private stamp(payload: E, placeholder: QueuedEmit<E>['placeholder'] | undefined): TimelineEvent<E> {
    const now = this.currentNow();
    const seq = this.nextOwnSeq();
    let base = this.timeline.tick;
    if (this.statusValue !== 'live' && this.neighbourList.length > 0)
      base = Math.max(base, Math.floor(this.networkTick(now)));
    // Between steps (real time) the clock has moved on from the last simulated tick: stamping from
    // it keeps the whole Δ for the event instead of losing up to a tick of it.
    else base = Math.max(base, this.clockTickAt(now));
    const tick = Math.max(base + this.delayTicksValue, this.ownLastTick);
    let event: TimelineEvent<E>;
    if (placeholder !== undefined) {
      placeholder.tick = tick;
      placeholder.seq = seq;
      event = placeholder;
    } else {
      event = { tick, source: this.source, seq, payload };
    }
    this.ownSeq = seq;
    this.ownLastTick = tick;
    this.known.add(this.source, seq, now);
    this.counters.eventsEmitted++;
    if (this.transfer !== undefined) {
      this.pending.push(event);
    } else {
      const r = this.timeline.insert(event);
      if (r === 'late') {
        this.correctHashes(tick);
        if (this.emitter.has('rollback')) {
          this.emitter.emit('rollback', { fromTick: tick, toTick: this.timeline.tick, lateEvents: 1 });
        }
      }
    }
    this.floodEvents([event as WireEvent<E>], undefined);
    this.emitter.emit('emit', event);
    return event;
  }

  private flushQueued(): void {
    const queued = this.queued;
    this.queued = [];
    for (const q of queued) this.stamp(q.payload, q.placeholder);
  }

  /** Insert events received since the last step; `true` when the state changed. */
  private flushPending(): boolean {
    const batch = this.pending;
    this.pending = [];
    const before = this.timeline.tick;
    let lateFrom = Number.POSITIVE_INFINITY;
    for (const e of batch) if (e.tick < before && e.tick < lateFrom) lateFrom = e.tick;
    const r = this.timeline.insertMany(batch);
    if (r.late > 0) {
      this.correctHashes(lateFrom);
      if (this.emitter.has('rollback')) {
        this.emitter.emit('rollback', { fromTick: lateFrom, toTick: this.timeline.tick, lateEvents: r.late });
      }
    }
    return r.late > 0;
  }

  private compact(): void {
    const horizon = this.o.horizonTicks;
    if (horizon === undefined) return;
    const tick = this.timeline.tick;
    this.recordHashes(); // read settled hashes before their snapshots are folded away
    this.timeline.compact(tick - horizon);
    this.nextCompactTick = tick + Math.max(this.o.snapshotEvery, Math.min(horizon, this.o.fps));
  }

  // ---- transport callbacks ----------------------------------------------------------------

  private handlerFor(transport: Transport, index: number): TransportHandler {
    const prefix = this.transports.length > 1 ? `${index}/` : '';
    const keyOf = (link: Link): string => prefix + link.id;
    return {
      onLink: (link) => this.guard(() => this.onLink(transport, keyOf(link), link)),
      onFrame: (link, bytes) => this.guard(() => this.onFrame(keyOf(link), link, bytes)),
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

  private onLink(transport: Transport, key: string, link: Link): void {
    if (this.statusValue === 'stopped') {
      link.close('stopped');
      return;
    }
    const now = this.currentNow();
    const state: LinkState<E> = {
      key,
      link,
      transport,
      enc: this.codec.encoder(),
      dec: this.codec.decoder(),
      phase: 'hello',
      openedAt: now,
      remoteId: '',
      capabilities: 0,
      has: new Map(),
      gotFrontier: false,
      syncsReceived: 0,
      byeReason: undefined,
      pendingHashes: undefined,
      mismatches: undefined,
      snapshotRefused: false,
      snapshotWanted: false,
      conflictReported: false,
    };
    this.links.set(key, state);
    if (link.direction === 'outbound') {
      for (const d of this.dials) {
        if (
          d.linkKey === undefined &&
          d.address === link.remoteAddress &&
          this.transports[d.transport] === transport
        ) {
          d.linkKey = key;
          if (this.o.redial !== false) d.backoff = this.o.redial.minMs;
        }
      }
    }
    let caps = Capability.SnapshotServe;
    if (this.o.horizonTicks === undefined) caps |= Capability.FullHistory;
    if (this.o.snapshotJoin) caps |= Capability.SnapshotJoin;
    const hello: HelloFrame = {
      type: 'hello',
      version: PROTOCOL_VERSION,
      room: this.o.room,
      fps: this.o.fps,
      peerId: this.id,
      capabilities: caps,
      appId: this.o.appId,
    };
    this.send(state, hello);
    // Our frontier and a SYNC go right behind the hello (the neighbour reads them once it has
    // accepted the hello; if it refuses, the link closes and they are dropped): repairs and the
    // room's time arrive one latency after the link opens, not two. A fresh peer asks for a
    // snapshot at once too (a neighbour that cannot serve one refuses, and another is asked).
    this.sendFrontier(state);
    this.sendSync(state, now);
    this.maybeRequestSnapshot(state, now, true);
  }

  private onClose(key: string, info: CloseInfo): void {
    const state = this.links.get(key);
    if (state === undefined) return;
    this.links.delete(key);
    const wasOpen = state.phase === 'open';
    state.phase = 'closed';
    this.clock.dropLink(key);
    for (const d of this.dials) {
      if (d.linkKey === key) {
        d.linkKey = undefined;
        d.nextAt = this.currentNow() + (d.backoff || 0);
      }
    }
    // (A snapshot may have been asked on a link that never completed its handshake.)
    if (this.transfer !== undefined && this.transfer.linkKey === key) {
      if (wasOpen) this.neighbourList = this.neighbourList.filter((l) => l !== state);
      this.retrySnapshot(this.currentNow());
    }
    if (wasOpen) {
      this.neighbourList = this.neighbourList.filter((l) => l !== state);
      this.emitter.emit('peer:leave', {
        peerId: state.remoteId,
        linkId: key,
        reason: state.byeReason ?? info.reason ?? (info.local ? 'closed' : 'remote closed'),
      });
    }
  }

  private onFrame(key: string, link: Link, bytes: Uint8Array): void {
    const state = this.links.get(key);
    if (state === undefined || state.phase === 'closed') return;
    this.counters.framesReceived++;
    this.counters.bytesReceived += bytes.length;
    let frame: Frame<E>;
    try {
      frame = state.dec.decode(bytes);
    } catch (error) {
      const ce = error instanceof CodecError ? error : undefined;
      const fatal = ce === undefined || ce.fatal;
      this.linkError(
        state,
        new PeerError(
          'CODEC',
          `undecodable frame from ${state.remoteId || link.remoteAddress}: ${String(error)}`,
          {
            linkId: key,
            peerId: state.remoteId || undefined,
            codecCode: ce?.code ?? 'INTERNAL',
            cause: error,
          },
        ),
        fatal,
      );
      return;
    }
    if (state.phase === 'hello') {
      if (frame.type !== 'hello') {
        this.linkError(
          state,
          new PeerError('PROTOCOL', `'${frame.type}' frame before hello`, { linkId: key }),
          true,
        );
        return;
      }
      this.onHello(state, frame);
      return;
    }
    const now = this.currentNow();
    switch (frame.type) {
      case 'hello':
        this.linkError(state, this.protocol(state, 'second hello on a link'), true);
        return;
      case 'events':
        this.onEvents(state, frame, now);
        return;
      case 'frontier':
        this.onFrontier(state, frame, now);
        return;
      case 'request':
        this.onRequest(state, frame);
        return;
      case 'sync':
        this.onSync(state, frame, now);
        return;
      case 'hash':
        this.onHash(state, frame);
        return;
      case 'presence':
        this.onPresence(state, frame, now);
        return;
      case 'snapshot-request':
        this.onSnapshotRequest(state);
        return;
      case 'snapshot':
        this.onSnapshotChunk(state, frame, now);
        return;
      case 'bye':
        state.byeReason = frame.reason;
        state.link.close(`bye: ${frame.reason}`);
        return;
    }
  }

  private protocol(state: LinkState<E>, message: string): PeerError {
    return new PeerError('PROTOCOL', message, { linkId: state.key, peerId: state.remoteId || undefined });
  }

  private onHello(state: LinkState<E>, f: HelloFrame): void {
    let problem: [PeerErrorCode, string] | undefined;
    if (f.version !== PROTOCOL_VERSION)
      problem = ['VERSION_MISMATCH', `protocol version ${f.version} ≠ ${PROTOCOL_VERSION}`];
    else if (f.room !== this.o.room) problem = ['ROOM_MISMATCH', `room '${f.room}' ≠ '${this.o.room}'`];
    else if (f.fps !== this.o.fps) problem = ['FPS_MISMATCH', `fps ${f.fps} ≠ ${this.o.fps}`];
    else if (f.appId !== this.o.appId) problem = ['APP_MISMATCH', `app id '${f.appId}' ≠ '${this.o.appId}'`];
    else if (f.peerId === this.id) problem = ['SELF_LINK', 'neighbour has this peer’s own id'];
    else if (
      this.o.verifyPeerIds &&
      state.link.remotePeerId !== undefined &&
      state.link.remotePeerId !== f.peerId
    ) {
      problem = [
        'PEER_ID_MISMATCH',
        `hello says '${f.peerId}', the transport authenticated '${state.link.remotePeerId}'`,
      ];
    }
    if (problem !== undefined) {
      this.linkError(
        state,
        new PeerError(problem[0], `${problem[1]} (peer ${f.peerId} on ${state.link.remoteAddress})`, {
          linkId: state.key,
          peerId: f.peerId,
        }),
        true,
      );
      return;
    }
    // Two links to the same neighbour (both dialled, or a restarted neighbour whose old link
    // lingers): keep the one dialled by the smaller peer id, or the newer one if the same side
    // dialled both. Both ends apply the same rule, so they keep the same link.
    const existing = this.neighbourList.find((l) => l.remoteId === f.peerId);
    if (existing !== undefined) {
      const keeper = this.id < f.peerId ? this.id : f.peerId;
      const dialler = (l: LinkState<E>): string => (l.link.direction === 'outbound' ? this.id : f.peerId);
      const loser = dialler(state) !== keeper && dialler(existing) === keeper ? state : existing;
      loser.byeReason = 'duplicate link';
      if (loser === state) {
        this.noteDialPeer(state.key, f.peerId);
        state.link.close('duplicate link');
        return;
      }
      existing.link.close('duplicate link');
    }
    this.noteDialPeer(state.key, f.peerId);
    state.phase = 'open';
    state.remoteId = f.peerId;
    state.capabilities = f.capabilities;
    this.neighbourList = [...this.neighbourList, state];
    this.emitter.emit('peer:join', { peerId: f.peerId, linkId: state.key });
    // (Frontier, SYNC and a snapshot request already went out right behind our hello.)
    this.sendPresenceTo(state);
  }

  private onEvents(state: LinkState<E>, f: EventsFrame<E>, now: number): void {
    const events = f.events;
    const limit = Math.max(this.timeline.tick, this.ownLastTick) + this.o.maxFutureTicks;
    let fresh: WireEvent<E>[] | undefined;
    const has = state.has;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      const h = has.get(ev.source) ?? 0;
      if (ev.seq === h + 1) has.set(ev.source, ev.seq);
      if (ev.tick > limit && ev.tick > this.networkTick(now) + this.o.maxFutureTicks) {
        this.linkError(
          state,
          new PeerError(
            'OUT_OF_RANGE',
            `event ${ev.source}#${ev.seq} stamped at tick ${ev.tick}, far in the future`,
            {
              linkId: state.key,
              peerId: state.remoteId,
            },
          ),
          true,
        );
        break;
      }
      if (ev.source === this.source && ev.seq > this.ownSeq && !this.known.has(ev.source, ev.seq))
        this.ownConflict(state, ev.seq);
      if (!this.known.add(ev.source, ev.seq, now)) {
        this.counters.duplicatesDropped++;
        continue;
      }
      this.pending.push(ev);
      if (fresh === undefined) fresh = [ev];
      else fresh.push(ev);
    }
    if (fresh === undefined) return;
    if (!this.vouching && this.established) this.checkSynced();
    this.counters.eventsReceived += fresh.length;
    const relayed = this.floodEvents(fresh, state);
    if (relayed) this.counters.eventsForwarded += fresh.length;
  }

  /**
   * Events from a broadcast channel: checked and deduplicated like events from a link (no link
   * to close: a far-future event is reported and dropped), then flooded to links no channel
   * covers. Returns how many were new.
   */
  private acceptBroadcast(events: readonly WireEvent<E>[], from: string | undefined): number {
    if (this.statusValue === 'stopped') return 0;
    const now = this.currentNow();
    const limit = Math.max(this.timeline.tick, this.ownLastTick) + this.o.maxFutureTicks;
    let fresh: WireEvent<E>[] | undefined;
    for (const ev of events) {
      if (ev.tick > limit && ev.tick > this.networkTick(now) + this.o.maxFutureTicks) {
        this.report(
          new PeerError('OUT_OF_RANGE', `broadcast event ${ev.source}#${ev.seq} stamped far in the future`, {
            peerId: from,
          }),
        );
        continue;
      }
      if (!this.known.add(ev.source, ev.seq, now)) {
        this.counters.duplicatesDropped++;
        continue;
      }
      this.pending.push(ev);
      (fresh ??= []).push(ev);
    }
    if (fresh === undefined) return 0;
    this.counters.eventsReceived += fresh.length;
    this.floodEvents(fresh, undefined, true);
    return fresh.length;
  }

  /**
   * Send `events` to every neighbour except `except` that may lack them; `true` if sent anywhere.
   * In broadcast mode the room publishes them instead where a channel covers the links.
   */
  private floodEvents(
    events: readonly WireEvent<E>[],
    except: LinkState<E> | undefined,
    viaChannel = false,
  ): boolean {
    const room = this.room;
    const skipCovered = room?.route(events, viaChannel ? 'channel' : (except?.transport ?? 'own')) === true;
    let sent = false;
    const list = this.neighbourList;
    for (let i = 0; i < list.length; i++) {
      const l = list[i]!;
      if (l === except || (skipCovered && room?.covers(l.transport) === true)) continue;
      let out: WireEvent<E>[] | undefined;
      const has = l.has;
      for (let j = 0; j < events.length; j++) {
        const ev = events[j]!;
        const h = has.get(ev.source) ?? 0;
        if (ev.seq <= h) {
          if (out === undefined) out = events.slice(0, j);
          continue;
        }
        if (ev.seq === h + 1) has.set(ev.source, ev.seq);
        if (out !== undefined) out.push(ev);
      }
      const batch = out ?? events;
      if (batch.length === 0) continue;
      this.sendEvents(l, batch);
      sent = true;
    }
    return sent;
  }

  /** Send events in frames of at most MAX_EVENTS_PER_FRAME (halving on TOO_LARGE). */
  private sendEvents(state: LinkState<E>, events: readonly WireEvent<E>[]): void {
    const max = Math.max(1, Math.min(MAX_EVENTS_PER_FRAME, this.codec.limits.maxBatchEvents));
    for (let i = 0; i < events.length; i += max) {
      const chunk = events.length <= max ? events : events.slice(i, i + max);
      this.sendEventChunk(state, chunk);
      if (state.phase === 'closed') return;
    }
  }

  private sendEventChunk(state: LinkState<E>, events: readonly WireEvent<E>[]): void {
    let bytes: Uint8Array;
    try {
      bytes = state.enc.encode({ type: 'events', events });
    } catch (error) {
      if (error instanceof CodecError && error.code === 'TOO_LARGE' && events.length > 1) {
        const half = events.length >>> 1;
        this.sendEventChunk(state, events.slice(0, half));
        this.sendEventChunk(state, events.slice(half));
        return;
      }
      this.report(
        new PeerError(
          error instanceof CodecError && error.code === 'TOO_LARGE' ? 'OVERSIZED' : 'INTERNAL',
          `cannot encode events: ${String(error)}`,
          {
            linkId: state.key,
            cause: error,
          },
        ),
      );
      return;
    }
    if (this.sendBytes(state, bytes)) this.counters.eventsSent += events.length;
  }

  private sendFrontier(state: LinkState<E>): void {
    const entries: { source: string; seq: number }[] = [];
    // A non-empty frontier vouches "this is the room's timeline": a fresh neighbour joins on it
    // and catches up its clock once it holds what is listed. A (re)started peer lists nothing
    // until it has synced once (part of the room, its first repairs in; its neighbours meanwhile
    // send it everything they hold), and announces its frontier the moment it has (see
    // checkSynced). It then always lists its own source (at seq 0 before its first event), so
    // its frontier is never empty again.
    if (this.vouching) {
      for (const [source, k] of this.known.sources)
        if (k.contiguous > 0) entries.push({ source, seq: k.contiguous });
      if (this.known.contiguous(this.source) === 0) entries.push({ source: this.source, seq: 0 });
    }
    const max = Math.max(1, this.codec.limits.maxFrontierEntries);
    if (entries.length <= max) {
      this.send(state, { type: 'frontier', entries });
      return;
    }
    for (let i = 0; i < entries.length; i += max)
      this.send(state, { type: 'frontier', entries: entries.slice(i, i + max) });
  }

  private onFrontier(state: LinkState<E>, f: FrontierFrame, now: number): void {
    // A frontier frame replaces what we assumed the neighbour holds. A vector longer than the
    // codec's limit comes in several full frames: only a short (final) frame drops unlisted sources.
    const complete = f.entries.length < this.codec.limits.maxFrontierEntries;
    if (complete) {
      const listed = new Set<string>();
      for (const e of f.entries) listed.add(e.source);
      for (const source of state.has.keys()) if (!listed.has(source)) state.has.delete(source);
    }
    state.gotFrontier = true;
    let othersHistory = false;
    for (const e of f.entries) {
      state.has.set(e.source, e.seq);
      if (e.source === this.source) {
        // Only this incarnation stamps under its source: a neighbour claiming more of it holds
        // events of another peer running with the same id and incarnation (taken in all the
        // same, see ownConflict).
        if (e.seq > this.ownSeq) this.ownConflict(state, e.seq);
      } else if (e.seq > 0) othersHistory = true;
      const mine = this.known.contiguous(e.source);
      if (e.seq > mine) {
        const x = this.expected.get(e.source);
        if (x === undefined || x.seq < e.seq) this.expected.set(e.source, { seq: e.seq, since: now });
      }
    }
    // Repair: send what the neighbour lacks.
    this.repairTo(state);
    // An established peer always lists something (its own source at least): it is part of the
    // room's timeline, and so are we from now on.
    if (!this.established && f.entries.length > 0) this.becomeEstablished();
    else this.checkSynced();
    // Fresh peer, neighbour with history: join from its snapshot (unless already asked at hello).
    if (othersHistory) this.maybeRequestSnapshot(state, now);
  }

  /** We are part of the room's timeline now: stamp queued emits (neighbours hear it once we are synced). */
  private becomeEstablished(): void {
    this.established = true;
    this.flushQueued();
    this.checkSynced();
  }

  /**
   * Synced: part of the room's timeline, no snapshot transfer under way and every event a
   * neighbour announced held (or given up as compacted away). Only then does this peer vouch
   * for the room's timeline to others (a non-empty frontier).
   */
  private isSynced(): boolean {
    if (!this.established || this.transfer !== undefined || this.joinWanted) return false;
    for (const [source, x] of this.expected) if (this.known.contiguous(source) < x.seq) return false;
    return true;
  }

  /** The first time we are synced: vouch from now on, and announce our frontier to every neighbour. */
  private checkSynced(): void {
    if (this.vouching || !this.isSynced()) return;
    this.vouching = true;
    // A SYNC first: a fresh neighbour that joins on this frontier then already has the room's
    // time (ours may have jumped since our last SYNC to it), not just its events.
    const now = this.currentNow();
    for (const l of this.neighbourList) {
      this.sendSync(l, now);
      this.sendFrontier(l);
    }
  }

  /**
   * A neighbour holds (or sent) events under this incarnation's source that it never stamped:
   * another peer runs with the same peer id and incarnation (or forged them). Reported once per
   * link as `SEQ_CONFLICT`. The events are taken like any other (the rest of the room holds
   * them: refusing them here would only split the state), and own seqs continue above them, so
   * no identity is ever used twice.
   */
  private ownConflict(state: LinkState<E>, seq: number): void {
    if (state.conflictReported) return;
    state.conflictReported = true;
    this.report(
      new PeerError(
        'SEQ_CONFLICT',
        `neighbour ${state.remoteId} holds ${this.source}#${seq}, which this peer never stamped ` +
          '(another peer uses the same id and incarnation)',
        { linkId: state.key, peerId: state.remoteId },
      ),
    );
  }

  /** Send `state` every event we hold that its announced frontier lacks. */
  private repairTo(state: LinkState<E>): void {
    for (const [source, k] of this.known.sources) {
      const theirs = state.has.get(source) ?? 0;
      if (k.max <= theirs) continue;
      const events = this.collect(source, theirs + 1, k.max);
      if (events.length === 0) continue;
      for (const ev of events) {
        const h = state.has.get(ev.source) ?? 0;
        if (ev.seq === h + 1) state.has.set(ev.source, ev.seq);
      }
      this.sendEvents(state, events);
      this.counters.repairsSent += events.length;
      if (state.phase === 'closed') return;
    }
  }

  /** Held (or pending) events of `source` with seq in [from, to]. */
  private collect(source: string, from: number, to: number): WireEvent<E>[] {
    const held = this.timeline.eventsFrom(source, from, to) as WireEvent<E>[];
    if (this.pending.length === 0) return held;
    let extra: WireEvent<E>[] | undefined;
    for (const e of this.pending) {
      if (e.source === source && e.seq >= from && e.seq <= to) (extra ??= []).push(e as WireEvent<E>);
    }
    if (extra === undefined) return held;
    const all = held.concat(extra);
    all.sort((a, b) => a.seq - b.seq);
    return all;
  }

  private onRequest(state: LinkState<E>, f: RequestFrame): void {
    for (const r of f.ranges) {
      if (r.toSeq < r.fromSeq) continue;
      if (r.toSeq - r.fromSeq >= MAX_SERVED_RANGE) {
        this.linkError(
          state,
          new PeerError('OUT_OF_RANGE', `request for ${r.toSeq - r.fromSeq + 1} events`, {
            linkId: state.key,
            peerId: state.remoteId,
          }),
          true,
        );
        return;
      }
      const events = this.collect(r.source, r.fromSeq, r.toSeq);
      if (events.length === 0) continue;
      this.sendEvents(state, events);
      this.counters.repairsSent += events.length;
      if (state.phase === 'closed') return;
    }
  }

  private onSync(state: LinkState<E>, f: SyncFrame, now: number): void {
    try {
      this.clock.onSync(
        state.key,
        f.echo === undefined
          ? { time: f.time, tick: f.tick }
          : { time: f.time, tick: f.tick, echo: { time: f.echo.time, holdMs: f.echo.holdMs } },
        now,
      );
    } catch (error) {
      if (error instanceof ClockError) {
        this.linkError(state, this.protocolFrom(state, `bad SYNC: ${error.message}`, error), true);
        return;
      }
      throw error;
    }
    state.syncsReceived++;
    // Answer the first SYNCs at once so the round trip is known after one RTT.
    if (state.syncsReceived <= 2) this.sendSync(state, now);
  }

  private protocolFrom(state: LinkState<E>, message: string, cause: unknown): PeerError {
    return new PeerError('PROTOCOL', message, {
      linkId: state.key,
      peerId: state.remoteId || undefined,
      cause,
    });
  }

  private sendSync(state: LinkState<E>, now: number): void {
    const m = this.clock.syncFor(state.key, now);
    const frame: SyncFrame =
      m.echo === undefined
        ? { type: 'sync', time: m.time, tick: m.tick }
        : { type: 'sync', time: m.time, tick: m.tick, echo: m.echo };
    this.send(state, frame);
    this.counters.syncsSent++;
  }

  // ---- hashes / desync --------------------------------------------------------------------

  /** Record own hashes of newly settled ticks (multiples of hashEvery) and queue them as reports. */
  private recordHashes(): void {
    const settled = this.timeline.tick - this.o.settleTicks;
    const every = this.o.hashEvery;
    if (this.nextHashTick <= settled - this.o.settleTicks) {
      // Far behind (e.g. after catching up): skip ticks whose snapshots are long gone.
      this.nextHashTick = Math.ceil((settled - this.o.settleTicks) / every) * every;
    }
    while (this.nextHashTick <= settled) {
      const t = this.nextHashTick;
      this.nextHashTick += every;
      const h = this.timeline.hashAt(t);
      if (h === undefined) continue;
      this.ownHashes.set(t, h);
      if (this.ownHashes.size > MAX_OWN_HASHES) {
        const oldest = this.ownHashes.keys().next().value;
        if (oldest !== undefined) this.ownHashes.delete(oldest);
      }
      this.outgoingReports.push({ tick: t, hash: h });
      for (const l of this.neighbourList) {
        const theirs = l.pendingHashes?.get(t);
        if (theirs !== undefined) {
          l.pendingHashes!.delete(t);
          this.compareHash(l, t, h, theirs);
        }
      }
    }
  }

  private sendHashReports(): void {
    if (this.outgoingReports.length === 0) return;
    const reports = this.outgoingReports;
    this.outgoingReports = [];
    const max = Math.max(1, Math.min(MAX_REPORTS_PER_FRAME, this.codec.limits.maxHashReports));
    for (const l of this.neighbourList) {
      for (let i = 0; i < reports.length; i += max) {
        this.send(l, { type: 'hash', reports: reports.slice(i, i + max) });
        this.counters.hashReportsSent += Math.min(max, reports.length - i);
      }
    }
  }

  private onHash(state: LinkState<E>, f: HashFrame): void {
    const settled = this.timeline.tick - this.o.settleTicks;
    for (const r of f.reports) {
      const mine = this.ownHashes.get(r.tick);
      if (mine !== undefined) {
        this.compareHash(state, r.tick, mine, r.hash);
      } else if (r.tick > settled && r.tick % this.o.hashEvery === 0) {
        const p = (state.pendingHashes ??= new Map());
        if (p.size >= MAX_PENDING_HASHES) {
          const oldest = p.keys().next().value;
          if (oldest !== undefined) p.delete(oldest);
        }
        p.set(r.tick, r.hash);
      }
    }
  }

  /**
   * Compare a neighbour's hash of `tick` with ours. A mismatch is not raised at once: a very
   * late event (after a long partition) may still change either side's hash of a tick both
   * thought settled, and both then send a corrected report. It is raised as `desync` only if it
   * is still there `desyncConfirmMs` later.
   */
  private compareHash(state: LinkState<E>, tick: number, mine: string, theirs: string): void {
    this.counters.hashesCompared++;
    const pending = state.mismatches;
    if (mine === theirs) {
      pending?.delete(tick);
      return;
    }
    const m = (state.mismatches ??= new Map());
    const known = m.get(tick);
    if (known === undefined) {
      if (m.size >= MAX_PENDING_HASHES) {
        const oldest = m.keys().next().value;
        if (oldest !== undefined) m.delete(oldest);
      }
      m.set(tick, { theirs, since: this.currentNow() });
    } else {
      known.theirs = theirs;
    }
  }

  /** Raise mismatches that outlived the confirmation delay. */
  private confirmMismatches(now: number): void {
    for (const l of this.neighbourList) {
      const m = l.mismatches;
      if (m === undefined || m.size === 0) continue;
      for (const [tick, x] of m) {
        if (now - x.since < this.o.desyncConfirmMs) continue;
        m.delete(tick);
        const mine = this.ownHashes.get(tick);
        if (mine === undefined || mine === x.theirs) continue;
        this.counters.desyncs++;
        this.emitter.emit('desync', {
          tick,
          peers: [this.id, l.remoteId],
          hashes: { [this.id]: mine, [l.remoteId]: x.theirs },
          linkId: l.key,
        });
      }
    }
  }

  /**
   * A rollback to `fromTick` re-simulated ticks whose hashes we may already have reported:
   * re-read them and send corrections (and re-compare with what neighbours reported).
   */
  private correctHashes(fromTick: number): void {
    if (this.ownHashes.size === 0 || fromTick >= this.nextHashTick) return;
    for (const [t, old] of this.ownHashes) {
      if (t < fromTick) continue;
      const h = this.timeline.hashAt(t);
      if (h === undefined || h === old) continue;
      this.ownHashes.set(t, h);
      this.outgoingReports.push({ tick: t, hash: h });
      for (const l of this.neighbourList) {
        const x = l.mismatches?.get(t);
        if (x !== undefined) this.compareHash(l, t, h, x.theirs);
      }
    }
  }

  // ---- presence ---------------------------------------------------------------------------

  /** Send (flood) own presence: user data plus the network tick (the Δ-auto beacon). */
  private sendOwnPresence(only: LinkState<E> | undefined): void {
    if (!this.attached) return;
    const now = this.currentNow();
    this.presenceSeq++;
    // Under the incarnation's source, like events: a restarted peer's counter starts again at 1
    // and would otherwise be dropped as old by everyone who heard its previous life.
    const frame: PresenceFrame = {
      type: 'presence',
      source: this.source,
      seq: this.presenceSeq,
      hops: this.o.presenceHops,
      // The send tick lets receivers measure flooding delay (Δ auto); -1 while our clock is unsettled.
      data: [
        this.ownPresence,
        this.lagging || !this.established ? -1 : Math.round(this.networkTick(now) * 100) / 100,
      ],
    };
    if (only !== undefined) this.send(only, frame);
    else for (const l of this.neighbourList) this.send(l, frame);
    if (only === undefined) this.beaconsSent++;
    this.nextBeaconAt = now + this.beaconPeriod();
  }

  private beaconPeriod(): number {
    if (this.o.delay !== 'auto') return this.o.presenceHeartbeatMs;
    const beacon = this.beaconsSent < BEACON_FAST_COUNT ? BEACON_FAST_MS : BEACON_MS;
    return this.ownPresence !== null ? Math.min(beacon, this.o.presenceHeartbeatMs) : beacon;
  }

  private sendPresenceTo(state: LinkState<E>): void {
    if (this.ownPresence !== null || this.o.delay === 'auto') this.sendOwnPresence(state);
    // Known entries, not relayed further (hops 0) and not used for delay measurement.
    for (const [source, e] of this.presenceTable.entries) {
      if (peerIdOf(source) === state.remoteId) continue;
      this.send(state, { type: 'presence', source, seq: e.seq, hops: 0, data: e.data });
    }
  }

  private onPresence(state: LinkState<E>, f: PresenceFrame, now: number): void {
    // Our own, or a previous incarnation's still travelling: not someone else's presence.
    if (f.source === this.source || peerIdOf(f.source) === this.id) {
      this.counters.presenceDropped++;
      return;
    }
    const data = f.data;
    const valid =
      data === null ||
      (Array.isArray(data) && data.length === 2 && typeof data[1] === 'number' && Number.isFinite(data[1]));
    if (!valid) {
      this.linkError(state, this.protocol(state, `malformed presence from ${f.source}`), true);
      return;
    }
    const before = this.presenceTable.entries.get(f.source);
    if (!this.presenceTable.apply(f.source, f.seq, data, f.hops, now + this.o.presenceTtlMs)) {
      this.counters.presenceDropped++;
      return;
    }
    this.counters.presenceReceived++;
    if (data === null) {
      this.autoDelay.forget(f.source);
    } else if (
      f.hops > 0 &&
      this.o.delay === 'auto' &&
      !this.lagging &&
      (data as [unknown, number])[1] >= 0
    ) {
      this.autoDelay.observe(f.source, this.networkTick(now) - (data as [unknown, number])[1], now);
    }
    if (f.hops > 0) {
      const fwd: PresenceFrame = { type: 'presence', source: f.source, seq: f.seq, hops: f.hops - 1, data };
      for (const l of this.neighbourList) if (l !== state) this.send(l, fwd);
    }
    const oldUser = before === undefined ? null : (before.data as unknown[])[0];
    const newUser = data === null ? null : (data as unknown[])[0];
    if (!sameJson(oldUser, newUser)) this.presenceChanged(f.source);
  }

  /**
   * `source`'s entry changed: report its peer id's data as {@link presence} shows it now (of
   * several incarnations, the one refreshed last), if that differs from what was reported.
   */
  private presenceChanged(source: string): void {
    const peerId = peerIdOf(source);
    const shown = this.presence().get(peerId) ?? null;
    if (sameJson(shown, this.presenceReported.get(peerId) ?? null)) return;
    if (shown === null) this.presenceReported.delete(peerId);
    else this.presenceReported.set(peerId, shown);
    this.emitter.emit('presence', { peerId, data: shown });
  }

  // ---- snapshots --------------------------------------------------------------------------

  /** No events from other sources known (own events may exist, e.g. emitted while alone). */
  private isFresh(): boolean {
    for (const source of this.known.sources.keys()) if (source !== this.source) return false;
    return true;
  }

  /**
   * Join from `state`'s snapshot if we are fresh, not joined yet and it can serve one (`blind`:
   * its hello, with its capabilities, has not arrived yet; a neighbour that cannot serve refuses).
   */
  private maybeRequestSnapshot(state: LinkState<E>, now: number, blind = false): void {
    if (
      this.o.snapshotJoin &&
      !this.joinDone &&
      this.transfer === undefined &&
      (blind || (state.capabilities & Capability.SnapshotServe) !== 0) &&
      this.isFresh()
    ) {
      this.joinWanted = true;
      this.requestSnapshot(state, now);
    }
  }

  private requestSnapshot(state: LinkState<E>, now: number): void {
    this.transfer = { linkKey: state.key, requestedAt: now, tick: -1, count: 0, chunks: [], received: 0 };
    this.send(state, { type: 'snapshot-request' });
  }

  /** Ask the next candidate neighbour, or give up the snapshot join. */
  private retrySnapshot(now: number): void {
    this.transfer = undefined;
    for (const l of this.neighbourList) {
      if (!l.snapshotRefused && l.gotFrontier && (l.capabilities & Capability.SnapshotServe) !== 0) {
        this.requestSnapshot(l, now);
        return;
      }
    }
    // Nobody can serve now: carry on from our own state (repair brings what neighbours hold);
    // a later neighbour with history may still hand us a snapshot while we are fresh.
    this.joinWanted = false;
    this.checkSynced();
  }

  private onSnapshotRequest(state: LinkState<E>): void {
    if (this.transfer !== undefined || this.joinWanted || !this.vouching) {
      // We are joining ourselves, or not synced with the room yet: refuse with an empty chunk.
      this.send(state, { type: 'snapshot', tick: 0, index: 0, count: 1, data: new Uint8Array(0) });
      return;
    }
    let blob: Uint8Array;
    let tick: number;
    try {
      const snap = this.timeline.baseSnapshot();
      tick = snap.tick;
      blob = encodeSnapshot(snap, this.stateCodec);
    } catch (error) {
      this.report(
        new PeerError('SNAPSHOT', `cannot encode own snapshot: ${String(error)}`, { cause: error }),
      );
      this.send(state, { type: 'snapshot', tick: 0, index: 0, count: 1, data: new Uint8Array(0) });
      return;
    }
    const size = Math.max(1, Math.min(SNAPSHOT_CHUNK_BYTES, this.codec.limits.maxSnapshotChunkBytes));
    const count = Math.max(1, Math.ceil(blob.length / size));
    if (count > this.codec.limits.maxSnapshotChunks) {
      this.report(new PeerError('OVERSIZED', `snapshot of ${blob.length} bytes exceeds the chunk limit`));
      this.send(state, { type: 'snapshot', tick: 0, index: 0, count: 1, data: new Uint8Array(0) });
      return;
    }
    for (let i = 0; i < count; i++) {
      this.send(state, {
        type: 'snapshot',
        tick,
        index: i,
        count,
        data: blob.subarray(i * size, (i + 1) * size),
      });
      if (state.phase === 'closed') return;
    }
    this.counters.snapshotsServed++;
  }

  private onSnapshotChunk(state: LinkState<E>, f: SnapshotChunkFrame, now: number): void {
    const t = this.transfer;
    if (t === undefined || t.linkKey !== state.key) {
      this.linkError(state, this.protocol(state, 'snapshot chunk nobody asked for'), true);
      return;
    }
    if (f.index === 0 && f.count === 1 && f.data.length === 0) {
      state.snapshotRefused = true;
      this.retrySnapshot(now);
      return;
    }
    if (t.received === 0) {
      t.tick = f.tick;
      t.count = f.count;
    }
    if (f.tick !== t.tick || f.count !== t.count || f.index !== t.received) {
      state.snapshotRefused = true;
      this.linkError(state, this.protocol(state, 'inconsistent snapshot chunk numbering'), true);
      this.retrySnapshot(now);
      return;
    }
    t.chunks.push(f.data);
    t.received++;
    if (t.received < t.count) return;
    let total = 0;
    for (const c of t.chunks) total += c.length;
    const blob = new Uint8Array(total);
    let at = 0;
    for (const c of t.chunks) {
      blob.set(c, at);
      at += c.length;
    }
    let snap: TimelineSnapshot<S>;
    let timeline: Timeline<S, E>;
    try {
      snap = decodeSnapshot(blob, this.stateCodec);
      timeline = Timeline.fromSnapshot<S, E>(this.app, snap, this.timelineOptions);
    } catch (error) {
      state.snapshotRefused = true;
      this.report(
        new PeerError('SNAPSHOT', `bad snapshot from ${state.remoteId}: ${String(error)}`, {
          linkId: state.key,
          peerId: state.remoteId,
          cause: error,
        }),
      );
      this.retrySnapshot(now);
      return;
    }
    this.adoptSnapshot(timeline, snap, now);
  }

  /** Replace the timeline by one started from `snap`, carrying over events it does not cover. */
  private adoptSnapshot(timeline: Timeline<S, E>, snap: TimelineSnapshot<S>, now: number): void {
    const old = this.timeline;
    const os = old.stats();
    for (const k of Object.keys(this.retired) as (keyof typeof this.retired)[]) this.retired[k] += os[k];
    // Carry over every held event the snapshot has not folded in, and everything pending.
    const folded = new Map<string, number>(snap.frontier);
    const carry: TimelineEvent<E>[] = [];
    for (const [source, k] of this.known.sources) {
      const from = (folded.get(source) ?? 0) + 1;
      if (k.max >= from) for (const e of old.eventsFrom(source, from, k.max)) carry.push(e);
    }
    for (const e of this.pending) carry.push(e);
    this.pending = [];
    this.known.clear();
    for (const [source, seq] of snap.frontier) this.known.raiseTo(source, seq);
    const keep: TimelineEvent<E>[] = [];
    for (const e of carry) if (this.known.add(e.source, e.seq, now)) keep.push(e);
    this.timeline = timeline;
    if (keep.length > 0) timeline.insertMany(keep);
    if (timeline.tick < this.clock.tick) {
      // Our clock is already past the snapshot: the next steps catch up to it; the ticks the old
      // timeline had simulated are re-simulation (a rollback, in effect), not new time.
      this.resimOwed = Math.max(0, old.tick - timeline.tick);
    } else {
      this.clock.fastForward(timeline.tick, now);
      this.resimOwed = 0;
    }
    this.transfer = undefined;
    this.joinWanted = false;
    this.joinDone = true;
    this.counters.snapshotsAdopted++;
    this.nextHashTick = Math.ceil((snap.tick + 1) / this.o.hashEvery) * this.o.hashEvery;
    this.ownHashes.clear();
    if (this.o.horizonTicks !== undefined) this.nextCompactTick = timeline.tick + this.o.fps;
    // Neighbours repair what follows the snapshot already (our frontier at hello was empty);
    // they hear what we hold once we are synced.
    this.checkSynced();
    if (this.emitter.has('render')) this.emitter.emit('render', timeline.state, timeline.tick);
  }

  // ---- housekeeping -----------------------------------------------------------------------

  private housekeeping(now: number): void {
    // Handshake timeouts and SYNC.
    for (const l of [...this.links.values()]) {
      if (l.phase === 'hello') {
        if (now - l.openedAt >= this.o.handshakeTimeoutMs) {
          this.linkError(
            l,
            new PeerError('HANDSHAKE_TIMEOUT', `no hello within ${this.o.handshakeTimeoutMs} ms`, {
              linkId: l.key,
            }),
            true,
          );
        }
      } else if (l.phase === 'open' && this.clock.syncDue(l.key, now)) {
        this.sendSync(l, now);
      }
    }
    // No neighbour with history for long enough: we are the first generation of the room.
    if (!this.established && now - this.attachedAt >= this.o.aloneGraceMs) this.becomeEstablished();
    // Snapshot join timeout.
    if (this.transfer !== undefined && now - this.transfer.requestedAt >= this.o.snapshotTimeoutMs) {
      const l = this.links.get(this.transfer.linkKey);
      if (l !== undefined) l.snapshotRefused = true;
      this.retrySnapshot(now);
    }
    this.repairGaps(now);
    this.room?.housekeeping(now);
    this.maybeResync(now);
    this.runDials(now);
    // Presence: heartbeat / beacon and expiry.
    if (
      (this.ownPresence !== null || this.o.delay === 'auto') &&
      this.established &&
      now >= this.nextBeaconAt
    ) {
      this.sendOwnPresence(undefined);
    }
    for (const e of this.presenceTable.expire(now)) {
      this.autoDelay.forget(e.source);
      if (e.user !== null) this.presenceChanged(e.source);
    }
    // Hashes of settled ticks.
    if (this.transfer === undefined) this.recordHashes();
    if (now >= this.nextHashSendAt) {
      this.nextHashSendAt = now + this.o.hashIntervalMs;
      this.sendHashReports();
      this.confirmMismatches(now);
    }
    this.updateStatus(now);
  }

  private repairGaps(now: number): void {
    if (this.known.gappy.size === 0) {
      if (this.gaps.size > 0) this.gaps.clear();
      return;
    }
    for (const source of this.known.gappy) {
      const k = this.known.get(source);
      if (k === undefined || k.above === undefined) continue;
      if (now - k.gapSince < this.o.gapGraceMs) continue;
      let g = this.gaps.get(source);
      if (g === undefined) {
        g = { attempts: 0, lastAt: Number.NEGATIVE_INFINITY, lastLink: '' };
        this.gaps.set(source, g);
      }
      const wait =
        g.attempts < GAP_BACKOFF_AFTER
          ? this.o.requestTimeoutMs
          : this.o.requestTimeoutMs * GAP_BACKOFF_AFTER;
      if (now - g.lastAt < wait) continue;
      const holes = this.known.holes(source, Math.max(1, Math.min(64, this.codec.limits.maxRanges)));
      if (holes.length === 0) continue;
      const target = this.pickRepairLink(source, holes[0]!.fromSeq, g);
      if (target === undefined) continue;
      this.send(target, {
        type: 'request',
        ranges: holes.map((h) => ({ source, fromSeq: h.fromSeq, toSeq: h.toSeq })),
      });
      this.counters.requestsSent += holes.length;
      g.attempts++;
      g.lastAt = now;
      g.lastLink = target.key;
      if (g.attempts > RESYNC_AFTER_ATTEMPTS) this.unrepairable = true;
    }
    for (const source of this.gaps.keys()) if (!this.known.gappy.has(source)) this.gaps.delete(source);
  }

  /**
   * Bounded history: events a neighbour announced could not be repaired because every holder
   * compacted them into its base snapshot (we were away longer than the horizon). If a
   * neighbour holds everything we hold (its frontier dominates ours), adopting its snapshot
   * loses nothing: do that, carrying over our newer events.
   */
  private maybeResync(now: number): void {
    if (!this.unrepairable || now < this.nextResyncAt) return;
    if (this.transfer !== undefined || !this.o.snapshotJoin || this.o.horizonTicks === undefined) return;
    this.unrepairable = false;
    for (const l of this.neighbourList) {
      if (!l.gotFrontier || l.snapshotRefused || (l.capabilities & Capability.SnapshotServe) === 0) continue;
      let dominates = true;
      for (const [source, k] of this.known.sources) {
        if ((l.has.get(source) ?? 0) < k.max) {
          dominates = false;
          break;
        }
      }
      if (!dominates) continue;
      this.nextResyncAt = now + 2 * this.o.snapshotTimeoutMs;
      this.counters.resyncs++;
      this.joinWanted = true;
      this.requestSnapshot(l, now);
      return;
    }
  }

  /** A neighbour likely to hold `source#seq`, rotating away from the one asked last. */
  private pickRepairLink(source: string, seq: number, g: GapState): LinkState<E> | undefined {
    const list = this.neighbourList;
    if (list.length === 0) return undefined;
    const start = g.attempts % list.length;
    let fallback: LinkState<E> | undefined;
    for (let i = 0; i < list.length; i++) {
      const l = list[(start + i) % list.length]!;
      if ((l.has.get(source) ?? 0) >= seq) {
        if (l.key !== g.lastLink || list.length === 1) return l;
        fallback ??= l;
      } else if (fallback === undefined && l.key !== g.lastLink) {
        fallback = l;
      }
    }
    return fallback ?? list[start];
  }

  /** Remember which peer a configured address leads to (no redial while it is a neighbour anyway). */
  private noteDialPeer(linkKey: string, peerId: string): void {
    for (const d of this.dials) if (d.linkKey === linkKey) d.peerId = peerId;
  }

  private runDials(now: number): void {
    if (!this.attached || this.statusValue === 'stopped') return;
    for (const d of this.dials) {
      if (d.linkKey !== undefined || now < d.nextAt) continue;
      if (d.peerId !== undefined && this.neighbourList.some((l) => l.remoteId === d.peerId)) continue;
      if (d.nextAt > 0 && this.o.redial === false) continue;
      const transport = this.transports[d.transport];
      if (transport === undefined) continue;
      if (this.o.redial !== false) {
        d.nextAt = now + d.backoff;
        d.backoff = Math.min(d.backoff * 2, this.o.redial.maxMs);
      } else {
        d.nextAt = Number.POSITIVE_INFINITY;
      }
      this.dialNow(transport, d.address, d);
    }
  }

  private dialNow(transport: Transport, address: string, d: DialState | undefined): void {
    let p: Promise<Link>;
    try {
      p = transport.dial(address);
    } catch (error) {
      this.report(new PeerError('DIAL_FAILED', `dial ${address}: ${String(error)}`, { cause: error }));
      return;
    }
    p.then(
      (link) => {
        if (d !== undefined && d.linkKey === undefined && link.open) {
          const prefix = this.transports.length > 1 ? `${this.transports.indexOf(transport)}/` : '';
          if (this.links.has(prefix + link.id)) d.linkKey = prefix + link.id;
        }
      },
      (error: unknown) => {
        if (this.statusValue === 'stopped') return;
        this.report(
          new PeerError(
            'DIAL_FAILED',
            `dial ${address}: ${(error as TransportError | undefined)?.message ?? String(error)}`,
            {
              cause: error,
            },
          ),
        );
      },
    );
  }

  private updateStatus(now: number): void {
    if (this.statusValue === 'stopped' || this.statusValue === 'idle') return;
    let est:
      | { networkTick: number; uncertaintyTicks: number; links: ReadonlyMap<string, { oneWayMs: number }> }
      | undefined;
    try {
      est = this.clock.estimate(now);
    } catch {
      est = undefined;
    }
    const netTick = est?.networkTick ?? this.timeline.tick;
    const lag = netTick - this.timeline.tick;
    // Hysteresis: catch up within liveLagTicks to count as live; fall back only when well behind.
    const lagLimit = this.lagging ? this.o.liveLagTicks : Math.max(this.o.fps, 4 * this.o.liveLagTicks);
    const wasLagging = this.lagging;
    this.lagging = lag > lagLimit;
    // Caught up: beacon now, with a meaningful send tick (Δ auto measures from it).
    if (wasLagging && !this.lagging && this.o.delay === 'auto') this.nextBeaconAt = now;
    if (this.o.delay === 'auto' && est !== undefined && now >= this.nextDelayAt) {
      this.nextDelayAt = now + 1000;
      let maxOneWay = Number.NaN;
      for (const l of est.links.values()) if (!(l.oneWayMs <= maxOneWay)) maxOneWay = l.oneWayMs;
      this.delayTicksValue = this.autoDelay.value(now, est.uncertaintyTicks, maxOneWay);
    }
    // Repairs outstanding: a neighbour announced events we still lack (given up after a while:
    // they may have been compacted away everywhere).
    let awaitingRepair = !this.established;
    for (const [source, x] of this.expected) {
      if (this.known.contiguous(source) >= x.seq) {
        this.expected.delete(source);
      } else if (now - x.since > this.o.snapshotTimeoutMs) {
        // Announced but never delivered: compacted away at the neighbours (see maybeResync).
        this.expected.delete(source);
        this.unrepairable = true;
      } else {
        awaitingRepair = true;
      }
    }
    // Links just opened whose frontier has not come yet (e.g. reconnecting after an outage):
    // they may announce events this peer missed; wait for that (briefly) before catching up.
    let awaitingFrontier = false;
    for (const l of this.links.values()) {
      if (l.phase === 'closed' || (l.phase === 'open' && l.gotFrontier)) continue;
      if (now - l.openedAt < Math.min(FRONTIER_WAIT_MS, this.o.handshakeTimeoutMs)) {
        awaitingFrontier = true;
        break;
      }
    }
    const syncing = awaitingRepair || this.transfer !== undefined || this.joinWanted || this.lagging;
    this.holding = this.lagging && ((awaitingRepair && this.neighbourList.length > 0) || awaitingFrontier);
    this.checkSynced();
    this.setStatus(syncing ? 'syncing' : 'live');
  }

  private setStatus(status: PeerStatus): void {
    if (this.statusValue === status) return;
    this.statusValue = status;
    this.emitter.emit('status', status);
  }

  // ---- sending and errors -----------------------------------------------------------------

  private send(state: LinkState<E>, frame: Frame<E>): void {
    if (state.phase === 'closed') return;
    let bytes: Uint8Array;
    try {
      bytes = state.enc.encode(frame);
    } catch (error) {
      this.report(
        new PeerError(
          error instanceof CodecError && error.code === 'TOO_LARGE' ? 'OVERSIZED' : 'INTERNAL',
          `cannot encode ${frame.type} frame: ${String(error)}`,
          { linkId: state.key, cause: error },
        ),
      );
      return;
    }
    this.sendBytes(state, bytes);
  }

  private sendBytes(state: LinkState<E>, bytes: Uint8Array): boolean {
    let ok: boolean;
    try {
      ok = state.link.send(bytes);
    } catch (error) {
      // The encoder already counted this frame: the link's codec state is now out of step.
      const code =
        (error as TransportError | undefined)?.code === 'FRAME_TOO_LARGE' ? 'OVERSIZED' : 'TRANSPORT';
      this.linkError(
        state,
        new PeerError(code, `send failed: ${String(error)}`, { linkId: state.key, cause: error }),
        true,
      );
      return false;
    }
    if (!ok) return false;
    this.counters.framesSent++;
    this.counters.bytesSent += bytes.length;
    return true;
  }

  /** Count and report `error`; close the link when `close`. */
  private linkError(state: LinkState<E>, error: PeerError, close: boolean): void {
    this.report(error);
    if (close && state.phase !== 'closed') {
      state.byeReason ??= error.code;
      state.link.close(error.code);
    }
  }

  private count(error: PeerError): PeerError {
    this.errorCounts[error.code] = (this.errorCounts[error.code] ?? 0) + 1;
    this.errorsTotal++;
    return error;
  }

  private report(error: PeerError): void {
    this.count(error);
    this.emitter.emit('error', error);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}
