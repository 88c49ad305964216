/**
 * Broadcast dissemination (`dissemination: 'broadcast'`): new events go out once on the room-wide
 * channel a transport offers (`Transport.broadcast`, e.g. a gossipsub topic on libp2p) instead of
 * being flooded over every link. Links keep everything else: handshake, SYNC, hashes, presence,
 * and repair. The channel is best effort, so this module adds the anti-entropy that makes
 * correctness independent of it:
 *
 * - **announce**: every `announceMs`, a peer sends its frontier to up to `announceFanout`
 *   neighbours on covered transports (rotating) among those it has not told its current frontier
 *   yet and that have not themselves announced holding all of it. A neighbour that holds more
 *   answers by repairing (as on any frontier). The fanout bounds the cost per round whatever the
 *   degree; with changes every round, each neighbour is still told every degree/fanout rounds;
 * - **pull**: when a neighbour's announced frontier is ahead of the highest seq this peer knows of
 *   a source for longer than `pullGraceMs` (the channel did not deliver), the missing seqs are
 *   requested from that neighbour. Holes below the highest known seq are the ordinary gap repair.
 *
 * A message on the channel is link-independent: a small header that names the room, then one
 * codec `events` frame written by a fresh encoder, so every source id is spelled out.
 *
 * ```
 * byte 0     u8   0x53 ('S')
 * byte 1     u8   format, 1
 * bytes 2-9       room tag: FNV-1a (2 × 32 bits) of "<protocol version>\0<room>\0<appId>\0<fps>"
 * bytes 10.. codec frame: `events` (version, type, body) with no interned ids
 * ```
 * @internal
 */
import { type Codec, CodecError, PROTOCOL_VERSION, type WireEvent } from '@symmetric/codec';
import type { RoomBroadcast, Transport } from '@symmetric/transport';
import { PeerError } from './errors.js';
import type { KnownEvents } from './known.js';
import type { BroadcastStats, DisseminationOptions } from './types.js';

/** First byte of a broadcast message ('S'). */
const MAGIC = 0x53;
/** Broadcast message format version. */
const FORMAT = 1;
/** Header bytes before the codec frame. */
const HEADER_BYTES = 10;
/** Largest seq span pulled in one range (peers refuse requests of 100 000 events or more). */
const MAX_PULL_SPAN = 50_000;

/** Resolved broadcast settings (`undefined` = flooding). @internal */
export interface BroadcastSettings {
  readonly announceMs: number;
  readonly announceFanout: number;
  readonly pullGraceMs: number;
  readonly pullRetryMs: number;
}

/**
 * Validate the `dissemination` option; `undefined` means flooding.
 * @throws {@link PeerError} `INVALID_OPTION`
 * @internal
 */
export function resolveDissemination(
  value: 'flood' | 'broadcast' | DisseminationOptions | undefined,
  transports: readonly Transport[],
  defaults: { gapGraceMs: number; requestTimeoutMs: number },
): BroadcastSettings | undefined {
  if (value === undefined || value === 'flood') return undefined;
  let announceMs = 1000;
  let announceFanout = 2;
  let pullGraceMs = defaults.gapGraceMs;
  if (typeof value === 'object' && value !== null && value.mode === 'flood') return undefined;
  if (typeof value === 'object' && value !== null && value.mode === 'broadcast') {
    announceMs = ms('dissemination.announceMs', value.announceMs, announceMs, 1);
    announceFanout = value.announceFanout ?? announceFanout;
    if (!Number.isInteger(announceFanout) || announceFanout < 1 || announceFanout > 1024) {
      throw new PeerError(
        'INVALID_OPTION',
        `dissemination.announceFanout must be an integer in [1, 1024], got ${String(value.announceFanout)}`,
      );
    }
    pullGraceMs = ms('dissemination.pullGraceMs', value.pullGraceMs, pullGraceMs, 0);
  } else if (value !== 'broadcast') {
    throw new PeerError(
      'INVALID_OPTION',
      `dissemination must be 'flood', 'broadcast' or { mode, announceMs?, announceFanout?, pullGraceMs? }, got ${String(value)}`,
    );
  }
  if (!transports.some((t) => t.broadcast !== undefined)) {
    throw new PeerError(
      'INVALID_OPTION',
      "dissemination 'broadcast' needs a transport with a broadcast channel (e.g. libp2p with its gossip option)",
    );
  }
  return { announceMs, announceFanout, pullGraceMs, pullRetryMs: defaults.requestTimeoutMs };
}

function ms(name: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > 3_600_000) {
    throw new PeerError(
      'INVALID_OPTION',
      `${name} must be a number in [${min}, 3600000], got ${String(value)}`,
    );
  }
  return v;
}

/** Broadcast counters all zero (flooding peers report these). @internal */
export function emptyBroadcastStats(): BroadcastStats {
  return {
    published: 0,
    eventsPublished: 0,
    fallbacks: 0,
    received: 0,
    eventsReceived: 0,
    rejected: 0,
    announcements: 0,
    pulls: 0,
  };
}

/** What the room needs to know of a neighbour link (the runtime's link entry satisfies it). @internal */
export interface RoomLink {
  readonly key: string;
  readonly transport: Transport;
}

/** The runtime's side of the room. @internal */
export interface RoomHost<E, L extends RoomLink> {
  /** Event ids this peer holds or has pending. */
  readonly eventIds: KnownEvents;
  /** Open neighbours (handshake done). */
  neighbours(): readonly L[];
  /** Highest contiguous seq per source `link`'s neighbour is known to hold. */
  holdings(link: L): ReadonlyMap<string, number>;
  /** Send the own frontier on `link`. */
  sendFrontier(link: L): void;
  /**
   * `true` once the runtime lists its frontier (a peer still joining sends an empty one, which
   * asks neighbours for everything: no announcements until then).
   */
  canAnnounce(): boolean;
  /** Ask `link` for seq ranges. */
  request(link: L, ranges: { source: string; fromSeq: number; toSeq: number }[]): void;
  /** Take events from the channel like events from a link (range checks, dedup); returns how many were new. */
  accept(events: readonly WireEvent<E>[], from: string | undefined): number;
  report(error: PeerError): void;
}

interface Subscription {
  readonly channel: RoomBroadcast;
  readonly off: () => void;
}

interface PullState {
  since: number;
  lastAt: number;
  attempts: number;
}

/** Broadcast dissemination for one peer. @internal */
export class BroadcastRoom<E, L extends RoomLink> {
  private readonly settings: BroadcastSettings;
  private readonly codec: Codec<E>;
  private readonly host: RoomHost<E, L>;
  private readonly tag: Uint8Array;
  private readonly subscriptions = new Map<Transport, Subscription>();
  /** Per link: the frontier signature last announced there. */
  private readonly announced = new Map<string, number>();
  private readonly pulls = new Map<string, PullState>();
  private nextAnnounceAt: number;
  private nextPullAt = 0;
  private announceCursor = 0;
  private readonly counters: BroadcastStats = emptyBroadcastStats();

  constructor(
    settings: BroadcastSettings,
    codec: Codec<E>,
    identity: { readonly id: string; readonly room: string; readonly appId: string; readonly fps: number },
    host: RoomHost<E, L>,
  ) {
    this.settings = settings;
    this.codec = codec;
    this.host = host;
    this.tag = roomTag(`${PROTOCOL_VERSION}\0${identity.room}\0${identity.appId}\0${identity.fps}`);
    // Spread the peers' announcement phases (deterministically, from the id).
    const phase = roomTag(identity.id);
    this.nextAnnounceAt = ((phase[0]! * 256 + phase[1]!) / 65_536) * settings.announceMs;
  }

  /** Counters (a copy). */
  stats(): BroadcastStats {
    return { ...this.counters };
  }

  /** Listen on every transport's channel (after the transports started). */
  attach(transports: readonly Transport[]): void {
    for (const transport of transports) {
      const channel = transport.broadcast;
      if (channel === undefined || this.subscriptions.has(transport)) continue;
      const off = channel.onMessage((message, from) => this.onMessage(message, from));
      this.subscriptions.set(transport, { channel, off });
    }
  }

  /** Stop listening. */
  detach(): void {
    for (const s of this.subscriptions.values()) s.off();
    this.subscriptions.clear();
  }

  /** `true` when events are not flooded on links of `transport` (its channel carries them). */
  covers(transport: Transport): boolean {
    return this.subscriptions.has(transport);
  }

  /**
   * Disseminate events new to this peer. `origin`: `'own'` (just stamped), `'channel'` (received
   * from a channel) or the transport of the link they came on. Publishes own events, and events
   * from links the channel does not cover (bridging). Returns `true` when links of covered
   * transports must be skipped, `false` to flood them as usual (nothing covered, or no channel
   * took the events).
   */
  route(events: readonly WireEvent<E>[], origin: 'own' | 'channel' | Transport): boolean {
    if (this.subscriptions.size === 0) return false;
    if (origin === 'channel' || (origin !== 'own' && this.covers(origin))) return true;
    if (this.publish(events)) return true;
    this.counters.fallbacks++;
    return false;
  }

  /** Publish on every channel; `true` when at least one took the events. */
  private publish(events: readonly WireEvent<E>[]): boolean {
    let took = false;
    for (const s of this.subscriptions.values()) if (this.publishOn(s.channel, events)) took = true;
    return took;
  }

  private publishOn(channel: RoomBroadcast, events: readonly WireEvent<E>[]): boolean {
    let message: Uint8Array | undefined;
    try {
      message = this.encode(events);
    } catch (error) {
      if (!(error instanceof CodecError && error.code === 'TOO_LARGE')) throw error;
    }
    if (message === undefined || message.length > channel.maxMessageBytes) {
      if (events.length > 1) {
        const half = events.length >>> 1;
        const a = this.publishOn(channel, events.slice(0, half));
        const b = this.publishOn(channel, events.slice(half));
        return a && b;
      }
      this.host.report(
        new PeerError('OVERSIZED', 'event too large for the broadcast channel; flooded over links instead'),
      );
      return false;
    }
    let ok: boolean;
    try {
      ok = channel.publish(message);
    } catch (error) {
      this.host.report(
        new PeerError('TRANSPORT', `broadcast publish failed: ${String(error)}`, { cause: error }),
      );
      return false;
    }
    if (!ok) return false;
    this.counters.published++;
    this.counters.eventsPublished += events.length;
    return true;
  }

  /** The channel message carrying `events` (throws `CodecError`). */
  encode(events: readonly WireEvent<E>[]): Uint8Array {
    const encoder = this.codec.encoder();
    let frame: Uint8Array;
    try {
      frame = encoder.encode({ type: 'events', events });
    } finally {
      encoder.dispose();
    }
    const out = new Uint8Array(HEADER_BYTES + frame.length);
    out[0] = MAGIC;
    out[1] = FORMAT;
    out.set(this.tag, 2);
    out.set(frame, HEADER_BYTES);
    return out;
  }

  private onMessage(message: Uint8Array, from: string | undefined): void {
    this.counters.received++;
    const reject = (what: string, codecCode?: string, cause?: unknown): void => {
      this.counters.rejected++;
      this.host.report(
        new PeerError('BROADCAST', `broadcast message from ${from ?? 'an unknown peer'}: ${what}`, {
          peerId: from,
          ...(codecCode === undefined ? {} : { codecCode }),
          ...(cause === undefined ? {} : { cause }),
        }),
      );
    };
    if (!(message instanceof Uint8Array) || message.length < HEADER_BYTES) {
      reject('too short');
      return;
    }
    if (message[0] !== MAGIC || message[1] !== FORMAT) {
      reject(`unknown header ${message[0]}/${message[1]}`);
      return;
    }
    for (let i = 0; i < 8; i++) {
      if (message[2 + i] !== this.tag[i]) {
        reject('another room, app or fps');
        return;
      }
    }
    let events: readonly WireEvent<E>[];
    const decoder = this.codec.decoder();
    try {
      const frame = decoder.decode(message.subarray(HEADER_BYTES));
      if (frame.type !== 'events') {
        reject(`'${frame.type}' frame, expected events`);
        return;
      }
      events = frame.events;
    } catch (error) {
      const ce = error instanceof CodecError ? error : undefined;
      reject(`undecodable: ${String(error)}`, ce?.code ?? 'INTERNAL', error);
      return;
    } finally {
      decoder.dispose();
    }
    this.counters.eventsReceived += this.host.accept(events, from);
  }

  /** Announce and pull (called from the runtime's housekeeping). */
  housekeeping(now: number): void {
    if (this.subscriptions.size === 0) return;
    if (now >= this.nextPullAt) {
      // Neighbours' frontiers change at most once per announcement: no need to look every frame.
      this.nextPullAt = now + Math.max(50, this.settings.pullGraceMs / 2);
      this.pull(now);
    }
    if (now < this.nextAnnounceAt) return;
    this.nextAnnounceAt = now + this.settings.announceMs;
    this.announce();
  }

  private announce(): void {
    if (!this.host.canAnnounce()) return;
    const known = this.host.eventIds;
    let signature = 0;
    for (let s = known.first(); s >= 0; s = known.after(s)) signature += known.contiguousAt(s);
    signature += known.size * 2 ** 40;
    const seen = new Set<string>();
    const due: L[] = [];
    for (const l of this.host.neighbours()) {
      seen.add(l.key);
      if (!this.covers(l.transport)) continue;
      if (this.announced.get(l.key) === signature) continue;
      // Nothing to tell a neighbour that already announced holding everything we hold.
      let behind = false;
      const holds = this.host.holdings(l);
      for (let s = known.first(); s >= 0; s = known.after(s)) {
        if (known.contiguousAt(s) > (holds.get(known.idAt(s)) ?? 0)) {
          behind = true;
          break;
        }
      }
      if (behind) due.push(l);
      else this.announced.set(l.key, signature);
    }
    for (const key of this.announced.keys()) if (!seen.has(key)) this.announced.delete(key);
    if (due.length === 0) return;
    const count = Math.min(due.length, this.settings.announceFanout);
    const start = this.announceCursor % due.length;
    this.announceCursor = start + count;
    for (let i = 0; i < count; i++) {
      const l = due[(start + i) % due.length]!;
      this.announced.set(l.key, signature);
      this.host.sendFrontier(l);
      this.counters.announcements++;
    }
  }

  /** Request seqs neighbours announced above the highest we know, once the channel had its chance. */
  private pull(now: number): void {
    const known = this.host.eventIds;
    const neighbours = this.host.neighbours();
    const wanted = new Map<string, number>();
    for (const l of neighbours) {
      for (const [source, seq] of this.host.holdings(l)) {
        if (seq <= known.max(source)) continue;
        if (seq > (wanted.get(source) ?? 0)) wanted.set(source, seq);
      }
    }
    for (const source of this.pulls.keys()) if (!wanted.has(source)) this.pulls.delete(source);
    if (wanted.size === 0) return;
    const batches = new Map<L, { source: string; fromSeq: number; toSeq: number }[]>();
    for (const [source, top] of wanted) {
      let p = this.pulls.get(source);
      if (p === undefined) {
        p = { since: now, lastAt: Number.NEGATIVE_INFINITY, attempts: 0 };
        this.pulls.set(source, p);
      }
      if (now - p.since < this.settings.pullGraceMs || now - p.lastAt < this.settings.pullRetryMs) continue;
      const fromSeq = known.max(source) + 1;
      // Ask a neighbour that holds it, rotating between attempts.
      const holders = neighbours.filter((l) => (this.host.holdings(l).get(source) ?? 0) >= fromSeq);
      const target = holders[p.attempts % holders.length];
      if (target === undefined) continue;
      const toSeq = Math.min(
        this.host.holdings(target).get(source) ?? fromSeq,
        top,
        fromSeq + MAX_PULL_SPAN - 1,
      );
      p.lastAt = now;
      p.attempts++;
      let ranges = batches.get(target);
      if (ranges === undefined) {
        ranges = [];
        batches.set(target, ranges);
      }
      ranges.push({ source, fromSeq, toSeq });
    }
    const max = Math.max(1, this.codec.limits.maxRanges);
    for (const [target, ranges] of batches) {
      for (let i = 0; i < ranges.length; i += max) {
        const chunk = ranges.slice(i, i + max);
        this.host.request(target, chunk);
        this.counters.pulls += chunk.length;
      }
    }
  }
}

/** 8-byte FNV-1a tag of `text`'s UTF-16 code units (two 32-bit hashes with different offsets). */
function roomTag(text: string): Uint8Array {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    for (const x of [unit & 0xff, unit >>> 8]) {
      a = Math.imul(a ^ x, 0x01000193);
      b = Math.imul(b ^ x, 0x01000193);
    }
  }
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, a >>> 0);
  view.setUint32(4, b >>> 0);
  return out;
}
