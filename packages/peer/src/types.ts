import type { ClockOptions } from '@symmetric/clock-sync';
import type { CodecLimits, PayloadCodec } from '@symmetric/codec';
import type { App, TimelineEvent, TimelineStats } from '@symmetric/core';
import type { PeerStore } from '@symmetric/storage';
import type { Transport } from '@symmetric/transport';
import type { PeerError, PeerErrorCode } from './errors.js';
import type { PeerIdentity } from './identity.js';
import type { Quotas } from './quotas.js';

/**
 * Where the peer stands:
 * - `idle`: created, transports not attached yet;
 * - `syncing`: attached, still catching up (not part of the room's timeline yet, waiting for a
 *   snapshot, repairs outstanding, or its clock behind the network's estimate);
 * - `live`: caught up: what it renders is what the network renders;
 * - `stopped`: after `stop()`.
 */
export type PeerStatus = 'idle' | 'syncing' | 'live' | 'stopped';

/**
 * Whether the peer is connected to the room, as a user needs to know it ({@link Peer.connection}).
 * `status` alone says `live` for a peer that has no neighbour (it runs its own timeline): this
 * says whether anyone else is there.
 *
 * - `alone`: no neighbour, and no configured address (`dial` option) is being dialled.
 * - `connecting`: no neighbour yet; `dialling` configured addresses are being (re)dialled.
 * - `catching-up`: `neighbours` neighbours, the status is `syncing` (joining or repairing).
 * - `live`: `neighbours` neighbours, the status is `live`.
 */
export type ConnectionState =
  | { readonly kind: 'alone' }
  | { readonly kind: 'connecting'; readonly dialling: number }
  | { readonly kind: 'catching-up'; readonly neighbours: number }
  | { readonly kind: 'live'; readonly neighbours: number };

/** A configured address to dial at start (and redial while its link is down). */
export interface DialTarget {
  /** Transport-specific address (URL, multiaddr, loopback name). */
  readonly address: string;
  /** Index into `transports` or a transport's `name` (default: the first transport). */
  readonly transport?: number | string;
}

/** Ephemeral-channel settings (see `Peer.setPresence`). */
export interface PresenceOptions {
  /** Relay hops a presence update travels (default 32; 0 = neighbours only). */
  readonly hops?: number;
  /** Own non-null presence is re-sent this often so it does not expire (default 15 000 ms). */
  readonly heartbeatMs?: number;
  /** A neighbour's presence not refreshed for this long is dropped (`null` reported; default 45 000 ms). */
  readonly ttlMs?: number;
}

/**
 * How new events travel (see {@link PeerOptions.dissemination}): `mode` plus, for `'broadcast'`,
 * the anti-entropy timings over links.
 */
export interface DisseminationOptions {
  readonly mode: 'flood' | 'broadcast';
  /** Broadcast: period of frontier announcements over links, sent only when the frontier changed (default 1000 ms). */
  readonly announceMs?: number;
  /**
   * Broadcast: most neighbours told per announcement round (default 2, rotating among those not
   * told the current frontier yet): bounds the repair traffic whatever the degree.
   */
  readonly announceFanout?: number;
  /**
   * Broadcast: events a neighbour announced and the channel has not delivered within this are
   * requested from it (default `gapGraceMs`).
   */
  readonly pullGraceMs?: number;
}

/** Counters of broadcast dissemination (`stats().broadcast`; all zero when flooding). */
export interface BroadcastStats {
  /** Messages published on broadcast channels. */
  published: number;
  /** Events in those messages. */
  eventsPublished: number;
  /** Times no channel took new events, which were then flooded over links. */
  fallbacks: number;
  /** Messages received from channels. */
  received: number;
  /** New events they carried (first copies). */
  eventsReceived: number;
  /** Messages dropped as malformed, undecodable, or from another room, app or fps (`BROADCAST` errors). */
  rejected: number;
  /** Frontier announcements sent over links (anti-entropy). */
  announcements: number;
  /** Seq ranges requested because a neighbour announced events the channel did not deliver. */
  pulls: number;
}

/** Options of {@link createPeer}. Every duration is in milliseconds of the peer's monotonic clock. */
export interface PeerOptions<S, E> {
  /** The deterministic application (same code on every peer of the room). */
  readonly app: App<S, E>;
  /** One or more transports; the peer attaches one handler to each. */
  readonly transports: readonly Transport[];
  /** Room id: peers of different rooms never talk (checked in the handshake). */
  readonly room: string;
  /** Ticks per second, identical on every peer (checked in the handshake). Default 50. */
  readonly fps?: number;
  /**
   * Δ: how far in the future an own event is stamped. A number of milliseconds, or `'auto'`
   * (default): Δ follows the measured flooding delay to the farthest peer, see README "Δ auto".
   */
  readonly delay?: number | 'auto';
  /**
   * This peer's key pair (default: a new one, see `generateIdentity`). The peer id is derived
   * from its public key (the libp2p Ed25519 form, `12D3KooW…`); store the identity to keep the
   * id across restarts. On libp2p, give the transport the same key. Ignored with `trusted`.
   */
  readonly identity?: PeerIdentity;
  /**
   * A closed, trusted room: no handshake proof, no event signatures, and peer ids are any
   * strings (`peerId`). Default `false`: every link is authenticated and every event signed
   * and verified, on every transport. All peers of a room must agree.
   */
  readonly trusted?: boolean;
  /**
   * Who may join an authenticated room: a shared secret (each handshake proves knowledge of it),
   * a list of allowed peer ids (keys), or both. Default: anyone with a valid key.
   */
  readonly admission?: AdmissionOptions;
  /**
   * This peer's id. In an authenticated room (the default) it is derived from `identity` and
   * this option, when given, must equal it; in a `trusted` room any non-empty string (default:
   * 16 random hex chars). A restarted peer may reuse its old id.
   */
  readonly peerId?: string;
  /**
   * This runtime object's incarnation: its events carry the source id `<peerId>~<incarnation>`,
   * so a restart with the same `peerId` never reuses an event identity. 1 to 32 characters of
   * `[0-9A-Za-z_-]`; default 16 random hex characters (64 bits from `crypto.getRandomValues`).
   * Pass a value that never repeats for this peer id (a persisted restart counter, a start time)
   * to make it collision-free by construction, or a seeded one for reproducible runs (the
   * simulator does).
   */
  readonly incarnation?: string;
  /** Seed of the app's initial state and PRNG; must be the same on every peer of the room. Default 0. */
  readonly seed?: number;
  /** Encodes event payloads on the wire (default: MessagePack for JSON-like payloads). */
  readonly payloadCodec?: PayloadCodec<E>;
  /** Encodes the app state inside snapshots sent to joining peers (default: MessagePack). */
  readonly stateCodec?: PayloadCodec<S>;
  /** Id of the app's code/version; peers with different app ids never share a link. Default `''`. */
  readonly appId?: string;
  /** Addresses dialled at start (strings go through the first transport) and redialled while down. */
  readonly dial?: readonly (string | DialTarget)[];
  /** Redial configured addresses whose link closed: `true` (default) or back-off bounds. */
  readonly redial?: boolean | { readonly minMs?: number; readonly maxMs?: number };
  /**
   * `'full'`: keep every event forever (the paper's mode; a joiner replays from tick 0).
   * `{ horizonTicks }` (default: 5 minutes of ticks; an object without `horizonTicks` means
   * 30 seconds): compact history older than the horizon behind a snapshot; events older than the
   * horizon are refused as too old (counted in `tooOld`), and a joining peer starts from a
   * neighbour's snapshot.
   */
  readonly history?: 'full' | { readonly horizonTicks: number };
  /** Join from a neighbour's snapshot when fresh (default: `true` with bounded history, `false` with full). */
  readonly snapshotJoin?: boolean;
  /** Ticks between timeline snapshots (default 10). */
  readonly snapshotEvery?: number;
  /**
   * Thin out old snapshots (default `{ afterTicks: 10 s of ticks, every: max(snapshotEvery, fps) }`,
   * `every` at most the horizon): snapshots older than `afterTicks` behind the newest are kept
   * one per `every` ticks, so a peer holding five minutes of history keeps about 350 copies of
   * its state instead of 1,500. A rollback deeper than `afterTicks` re-simulates up to `every`
   * ticks more, and the compacted base trails the horizon by up to `every` ticks more. `false`
   * keeps every snapshot.
   */
  readonly snapshotThinning?: false | { readonly afterTicks?: number; readonly every?: number };
  /**
   * Most snapshots kept (default: enough to reach back over the history horizon plus one
   * compaction period, a second; with full history a minute of rollback; at least 128). With a
   * horizon, a ring that cannot reach back that far is refused (`INVALID_OPTION`).
   */
  readonly maxSnapshots?: number;
  /** State hashes are recorded every this many ticks for desync detection (default: fps, one per second). */
  readonly hashEvery?: number;
  /**
   * A tick is "settled" (hashes exchanged) once it is this many ticks behind the current tick.
   * Default: 10 s of ticks (or the horizon, if shorter).
   */
  readonly settleTicks?: number;
  /**
   * The peer's monotonic clock in ms. Used by `start()` (default `performance.now`) and, when
   * given, to time frames that arrive between steps (SYNC round trips). With `attach()` + `step()`
   * and no `now`, callbacks use the time of the last `step`.
   */
  readonly now?: () => number;
  /** Codec limits for frames in and out (default: the codec's). */
  readonly limits?: Partial<CodecLimits>;
  /**
   * Clock-agreement options passed to `@symmetric/clock-sync` (`fps` and `syncIntervalMs` are
   * set by the peer, `syncBurst` / `syncBurstIntervalMs` default to 8 / 250 ms; how fast a peer
   * behind catches up is `catchUp`, not the clock's rate).
   */
  readonly clock?: Partial<ClockOptions>;
  /** SYNC period per link (default 1000 ms; the first 8 SYNCs of a link go every 250 ms). */
  readonly syncIntervalMs?: number;
  /** Period of hash reports to neighbours (default 5000 ms). */
  readonly hashIntervalMs?: number;
  /**
   * A hash mismatch is raised as `desync` only if it persists this long (default 15 000 ms): a
   * very late event (after a partition) can still change a tick both sides thought settled, and
   * both then send corrected reports.
   */
  readonly desyncConfirmMs?: number;
  /** A seq gap older than this is requested from a neighbour (default 300 ms). */
  readonly gapGraceMs?: number;
  /** An unanswered request is retried on another link after this (default 1000 ms). */
  readonly requestTimeoutMs?: number;
  /** A link whose `hello` does not arrive within this is closed (default 10 000 ms). */
  readonly handshakeTimeoutMs?: number;
  /** A snapshot request unanswered for this long is asked of another neighbour (default 5000 ms). */
  readonly snapshotTimeoutMs?: number;
  /**
   * Limits on what neighbours may make this peer hold or do (snapshot size, event and presence
   * rates, sources, links); each missing field takes its default from `QUOTA_DEFAULTS`.
   */
  readonly quotas?: Partial<Quotas>;
  /**
   * A fresh peer becomes part of the room's timeline through the first established neighbour
   * it hears (one that is part of it already: its frontier is never empty), at once. With no
   * such neighbour for this long after attach, it assumes it is the room's first generation and
   * starts the timeline itself: it goes `live` and stamps its emits (default 1000 ms; until
   * then emits are queued). A peer restarted from nothing in a room that lives on should use a
   * long grace, so that it waits for the room rather than founding an island timeline at tick 0
   * (the simulator gives restarts an hour).
   */
  readonly aloneGraceMs?: number;
  /**
   * Catching up: a peer behind the network's time (after a join, a rejoin, a healed partition)
   * simulates the missing ticks as fast as this allows, never skipping one: at most
   * `maxTicksPerStep` ticks per step (default 10 minutes of ticks) and at most `budgetMs` of
   * CPU time per step (default 8 ms, measured with `performance.now()`, whatever `now` says;
   * `Infinity` = no time limit, for reproducible virtual-time runs). A cheap app catches up
   * minutes of history in one step; a costly one spreads it over several frames and stays
   * responsive. The nominal ticks of a step always run.
   */
  readonly catchUp?: { readonly budgetMs?: number; readonly maxTicksPerStep?: number };
  /** The clock may lag the network estimate by this many ticks and still count as `live` (default fps/5). */
  readonly liveLagTicks?: number;
  /** Events stamped more than this many ticks ahead of the network's tick are refused (default 600 s of ticks). */
  readonly maxFutureTicks?: number;
  /**
   * When a transport authenticates the neighbour (`link.remotePeerId`, e.g. libp2p), require the
   * hello's peer id to be that id (default `true`): run such peers with `peerId` = the transport's id.
   */
  readonly verifyPeerIds?: boolean;
  /** Ephemeral presence channel settings. */
  readonly presence?: PresenceOptions;
  /**
   * How new events reach the room. `'flood'` (default): over every link, each peer forwarding
   * what is new to all its other neighbours. `'broadcast'`: published once on the room-wide
   * channel of every transport that offers one (`Transport.broadcast`, e.g. libp2p with
   * `gossip`) and not forwarded over those transports' links; links keep repairing (frontier
   * announcements every `announceMs`, pulls of what the channel did not deliver), so
   * correctness never depends on the channel. Links of transports without a channel still
   * flood (and bridge to the channel). Every peer of a room should use the same mode.
   */
  readonly dissemination?: 'flood' | 'broadcast' | DisseminationOptions;
  /**
   * Where the peer keeps what it needs to survive a restart (any `PeerStore` of
   * `@symmetric/storage`: node:sqlite, IndexedDB, in memory). A peer with a store is opened
   * with {@link openPeer} (the store is read first): it keeps its identity (peer id, source,
   * key), writes each own event before sending it, keeps the events it holds and a settled
   * snapshot at each compaction, and a restart with the same store continues as the same
   * source from where it was. The store's room and app must be this peer's. The peer never
   * closes the store (its owner does, after `stop()`).
   */
  readonly store?: PeerStore;
  /**
   * What becomes of own events that a re-base on another history drops (stamped before the
   * adopted snapshot's tick and not folded into it: typically events emitted offline, or in a
   * group cut off, for longer than the horizon). `'restamp'` (default): emitted again, in their
   * original order, at the current tick; `'drop'`: given up (counted in
   * `stats().eventsDropped`); a function: called with the dropped events, returns the payloads
   * to emit again (in that order). A re-stamp names the event it stands for (`restamps`) when
   * there is one for each dropped event (the default, or a function that returns as many
   * payloads as it was given): if the room's history ends up holding the dropped event after
   * all (two histories traded places before they settled), every peer skips the re-stamp, so
   * the user's action is applied once.
   */
  readonly offlineMerge?: OfflineMerge<E>;
}

/** How own events dropped by a re-base are merged back (see {@link PeerOptions.offlineMerge}). */
export type OfflineMerge<E> = 'restamp' | 'drop' | ((dropped: readonly TimelineEvent<E>[]) => readonly E[]);

/** Payload of the `rollback` event. */
export interface RollbackInfo {
  /** Earliest tick re-simulated from (the earliest late event's tick). */
  readonly fromTick: number;
  /** Tick re-simulated up to (the current tick). */
  readonly toTick: number;
  /** Late events that caused this rollback. */
  readonly lateEvents: number;
}

/** Payload of the `desync` event: two peers reported different state hashes for the same settled tick. */
export interface DesyncInfo {
  /** The tick whose state differs. */
  readonly tick: number;
  /** The peers involved (this peer first). */
  readonly peers: readonly string[];
  /** Each involved peer's hash of that tick. */
  readonly hashes: Readonly<Record<string, string>>;
  /** The link the differing report came over. */
  readonly linkId: string;
}

/** Admission rules of an authenticated room (see {@link PeerOptions.admission}). */
export interface AdmissionOptions {
  /** A secret every member knows; a neighbour that cannot prove it is refused (`NOT_ADMITTED`). */
  readonly secret?: string | Uint8Array;
  /** Peer ids admitted; any other is refused (`NOT_ADMITTED`). */
  readonly allowedPeers?: readonly string[];
}

/** Payload of `peer:join`. */
export interface PeerJoinInfo {
  readonly peerId: string;
  readonly linkId: string;
}

/** Payload of `peer:excluded`. */
export interface PeerExcludedInfo {
  /** The excluded peer. */
  readonly peerId: string;
  /** Its excluded event source (`<peerId>~<incarnation>`). */
  readonly source: string;
  /** The first seq of `source` that counts for nothing. */
  readonly fromSeq: number;
  /** Why: `'equivocation'` (two different signed events with one seq). */
  readonly reason: 'equivocation';
}

/** Payload of `peer:leave`. */
export interface PeerLeaveInfo {
  readonly peerId: string;
  readonly linkId: string;
  readonly reason: string;
}

/** Payload of `presence`: a peer's ephemeral data changed (`null` = gone or expired). */
export interface PresenceInfo {
  readonly peerId: string;
  readonly data: unknown;
}

/**
 * Payload of `snapshot:adopted`: the timeline now starts from a neighbour's snapshot (a join,
 * or a resync after being away longer than the horizon).
 */
export interface SnapshotAdoptedInfo {
  /** The neighbour that served it. */
  readonly peerId: string;
  /** The tick the adopted state is at. */
  readonly tick: number;
  /** Per source, the highest seq folded into the adopted state (those events are part of it). */
  readonly frontier: readonly (readonly [source: string, seq: number])[];
}

/** Events a peer raises; subscribe with `peer.on(name, listener)`. */
export interface PeerEvents<S, E> {
  /** Once per step after ticks ran or a rollback changed the state (never during re-simulation). */
  render: (state: Readonly<S>, tick: number) => void;
  /** Late events made the timeline travel back and re-simulate (already done when raised). */
  rollback: (info: RollbackInfo) => void;
  /** A neighbour reported a different state hash for a settled tick. */
  desync: (info: DesyncInfo) => void;
  /** A neighbour completed the handshake on a link. */
  'peer:join': (info: PeerJoinInfo) => void;
  /** A neighbour's link closed (after a completed handshake). */
  'peer:leave': (info: PeerLeaveInfo) => void;
  /** `status` changed. */
  status: (status: PeerStatus) => void;
  /** `connection` changed (its kind or its count). */
  connection: (state: ConnectionState) => void;
  /** A peer's ephemeral data changed. */
  presence: (info: PresenceInfo) => void;
  /** Something went wrong at a boundary; the peer keeps running. */
  error: (error: PeerError) => void;
  /**
   * A source was excluded: it signed two different events with the same seq (equivocation);
   * its events from `fromSeq` on count for nothing on every peer holding the proof.
   */
  'peer:excluded': (info: PeerExcludedInfo) => void;
  /** An own event was stamped and flooded (also for emits queued until the peer was part of the room). */
  emit: (event: TimelineEvent<E>) => void;
  /** The timeline was replaced by one started from a neighbour's snapshot. */
  'snapshot:adopted': (info: SnapshotAdoptedInfo) => void;
}

/** Counters and gauges of one peer (timeline counters included). */
export interface PeerStats extends TimelineStats {
  /** Current tick. */
  readonly tick: number;
  /** Current status. */
  readonly status: PeerStatus;
  /** Δ in ticks currently used to stamp own events. */
  readonly delayTicks: number;
  /** Frames sent / received over all links. */
  readonly framesSent: number;
  readonly framesReceived: number;
  /** Encoded bytes sent / received over all links. */
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Own events stamped. */
  readonly eventsEmitted: number;
  /** Events (own or relayed) sent to neighbours, counting each link separately. */
  readonly eventsSent: number;
  /** `events` frames sent to neighbours (own, relayed and repaired events), and their encoded bytes. */
  readonly eventFramesSent: number;
  readonly eventBytesSent: number;
  /** New events received from neighbours (first copies). */
  readonly eventsReceived: number;
  /** Events relayed: first copies from a neighbour sent on to at least one other neighbour. */
  readonly eventsForwarded: number;
  /** Copies of events already known, dropped. */
  readonly duplicatesDropped: number;
  /**
   * Relayed events not sent to a neighbour because it sent them itself in the same delivery turn
   * (each a copy that would have crossed the link for nothing).
   */
  readonly relaysWithdrawn: number;
  /** Events sent in answer to a frontier or a request (repair). */
  readonly repairsSent: number;
  /** Ranges requested to fill seq gaps. */
  readonly requestsSent: number;
  /** SYNC frames sent. */
  readonly syncsSent: number;
  /** Hash reports sent / compared / mismatched. */
  readonly hashReportsSent: number;
  readonly hashesCompared: number;
  readonly desyncs: number;
  /**
   * Mismatching hash reports not raised as `desync` because another neighbour reported this
   * peer's hash and none the mismatching one (a neighbour outvoted at 4 ticks in a row is cut).
   */
  readonly hashReportsOutvoted: number;
  /** Snapshots served to / adopted from neighbours. */
  readonly snapshotsServed: number;
  readonly snapshotsAdopted: number;
  /** Seq gaps given up because no neighbour claims to hold them (asked again if one does). */
  readonly gapsGivenUp: number;
  /** Announced events never delivered and announced by no other neighbour: ignored (a frontier is a claim). */
  readonly claimsIgnored: number;
  /** `prints` frames dropped because their marks were not in increasing order. */
  readonly printsRefused: number;
  /** Snapshots refused before adoption (too large, or a frontier nobody else vouches for); each sender cut. */
  readonly snapshotsRefused: number;
  /** Quota violations (each a `QUOTA` or `SNAPSHOT` error; at most that link closed). */
  readonly quotaViolations: number;
  /** Snapshot re-joins of a non-fresh peer whose missing events were compacted away everywhere. */
  readonly resyncs: number;
  /** Presence updates received (new) / dropped as old. */
  readonly presenceReceived: number;
  readonly presenceDropped: number;
  /**
   * Presence updates refused: malformed, or (authenticated rooms) not signed by their source's
   * key; each closes the link it came on.
   */
  readonly presenceRefused: number;
  /** Event and handshake signatures verified (valid) / rejected as invalid. */
  readonly signaturesVerified: number;
  readonly signaturesRejected: number;
  /** Sources excluded for equivocation (proof held). */
  readonly equivocations: number;
  /** Events of excluded sources dropped on arrival. */
  readonly excludedDropped: number;
  /** Own events stamped while this peer had no neighbour. */
  readonly eventsEmittedOffline: number;
  /** Own events a re-base dropped and the `offlineMerge` policy emitted again (as new events). */
  readonly eventsRestamped: number;
  /** Own events a re-base dropped and the `offlineMerge` policy gave up. */
  readonly eventsDropped: number;
  /** Own events written to the store (0 without one). */
  readonly eventsStored: number;
  /** Own events held back until the store made them durable, right now. */
  readonly eventsAwaitingStore: number;
  /** Open links with a completed handshake / all open links. */
  readonly neighbours: number;
  readonly links: number;
  /**
   * Distinct events this peer holds (held, or folded into its base snapshot): the events its
   * state is made of. Events refused as too old are counted in `tooOld`, not here.
   */
  readonly events: number;
  /** Errors by {@link PeerErrorCode}. */
  readonly errors: Readonly<Partial<Record<PeerErrorCode, number>>>;
  /** Sum of `errors`. */
  readonly errorsTotal: number;
  /** Broadcast dissemination counters (all zero when flooding). */
  readonly broadcast: Readonly<BroadcastStats>;
}

/** One neighbour as seen by {@link Peer.neighbours}. */
export interface NeighbourInfo {
  readonly peerId: string;
  readonly linkId: string;
  readonly transport: string;
  readonly direction: 'inbound' | 'outbound';
  readonly remoteAddress: string;
  /** Measured round trip (ms), when known. */
  readonly rttMs: number | undefined;
}

/** A running Symmetric peer: one replica of the app. */
export interface Peer<S, E> {
  /** This peer's id. */
  readonly id: string;
  /**
   * The source id of this incarnation's events, `<id>~<incarnation>`: unique to this runtime
   * object, so a peer restarted with its old id never reuses an event identity `(source, seq)`
   * of its previous life. The app sees the peer id part as `ctx.source` (see {@link peerIdOf}).
   */
  readonly source: string;
  /** Current local tick. */
  readonly tick: number;
  /** Current state (read-only: the timeline owns it). */
  readonly state: Readonly<S>;
  /** Current status. */
  readonly status: PeerStatus;
  /**
   * Whether anyone else is there: alone, connecting, catching up or live with N neighbours
   * (see {@link ConnectionState}); the `connection` event reports each change.
   */
  readonly connection: ConnectionState;
  /** Δ in ticks currently used for own events. */
  readonly delayTicks: number;
  /**
   * Stamp `payload` with tick `now + Δ` (never below this source's previous tick) and the next
   * own seq, apply it locally and flood it. While the peer is not part of the room's timeline
   * yet (fresh, no established neighbour heard, `aloneGraceMs` not over), the emit is queued
   * and stamped as soon as it is: the returned object then has `seq` 0 and `tick` -1 until
   * then, and the `emit` event reports the stamped event.
   */
  emit(payload: E): TimelineEvent<E>;
  /** Set this peer's ephemeral data (never enters the timeline); `null` = gone. */
  setPresence(data: unknown): void;
  /** Known ephemeral data of other peers. */
  presence(): ReadonlyMap<string, unknown>;
  /** Subscribe; returns the unsubscribe function. */
  on<K extends keyof PeerEvents<S, E>>(name: K, listener: PeerEvents<S, E>[K]): () => void;
  /** Counters and gauges. */
  stats(): PeerStats;
  /** Neighbours with a completed handshake. */
  neighbours(): NeighbourInfo[];
  /** Hash of the current state (16 hex chars). */
  hash(): string;
  /** Hash of the state at `tick` when recorded (ticks that are multiples of `hashEvery`). */
  stateHashAt(tick: number): string | undefined;
  /** Attach transports and run `step(now())` every frame on real timers; resolves once attached. */
  start(): Promise<void>;
  /** Presence `null` and `bye` to neighbours, then stop timers and transports. */
  stop(): Promise<void>;
  /**
   * Advance to local monotonic time `nowMs` (virtual time: call it every frame): housekeeping
   * (SYNC, repair, join, presence, hashes, status) at most every 50 ms, then the owed ticks.
   * A time below the last one counts as the last one. Does nothing after `stop()`.
   */
  step(nowMs: number): void;
  /**
   * Milliseconds (local time) until this peer should step next: when its clock reads mid-tick
   * (`STEP_PHASE` of `@symmetric/clock-sync`), the phase every peer of the room steps at, so that
   * peers whose clocks are a little apart still read the same whole tick when they step. `start()`
   * steps then; a driver stepping the peer itself (virtual time, a game loop) may too. Between
   * half a frame and a frame and a half.
   */
  untilNextStep(): number;
  /** Start the transports (listening) and dial, without real timers (drive with `step`). */
  attach(): Promise<void>;
  /** Dial an address now (through `transport`, default the first). Failures go to `error`. */
  dial(address: string, transport?: number | string): void;
}
