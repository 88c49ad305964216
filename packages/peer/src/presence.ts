/**
 * Presence: the ephemeral channel (cursors, "who is here"). Updates are flooded with a hop
 * limit under the incarnation's source, deduplicated by its per-update counter, refreshed by
 * heartbeats, expired after a TTL, and never enter the timeline. Each update also carries the
 * sender's network tick: with `delay: 'auto'` these are the beacons Δ is measured from
 * (delay.ts). A beacon with no user data goes out at a slot only when the slot's draw says so
 * (`beaconChance`): in a large room about `BEACON_SOURCES` peers beacon per slot.
 *
 * In an authenticated room each update is tied to its source's identity: the data is
 * `[user, tick, epoch, signature]`, the signature by the key of the source's peer id over the
 * room, source, seq and `[user, tick, epoch]` (`presenceSignedBytes`), so relays forward it
 * unchanged and anyone can check it. An update without a valid signature is refused
 * (`presenceRefused`, `BAD_SIGNATURE`) and its link closed: honest relays only forward what
 * verifies. A departure is then a signed update with `null` user data (a bare `null` is
 * refused). Trusted rooms send `[user, tick, epoch]` and `null`, unsigned.
 * @internal
 */
import type { PresenceFrame } from '@symmetric/codec';
import { msgpackPayloadCodec } from '@symmetric/codec';
import type { PeerContext } from './context.js';
import {
  BEACON_FAST_COUNT,
  BEACON_FAST_MS,
  BEACON_MS,
  BEACON_SOURCES,
  beaconChance,
  type Delay,
} from './delay.js';
import { PeerError } from './errors.js';
import { peerIdOf } from './identity.js';
import type { LinkEntry, LinkTable } from './links.js';
import { hash01 } from './source-count.js';

/** One known source's newest presence update. @internal */
export interface PresenceEntry {
  seq: number;
  data: unknown;
  /** Relay hops left when received (forwarded with one less). */
  hops: number;
  /** Time (ms) after which the entry expires. */
  expiresAt: number;
}

/** What {@link PresenceTable.expire} returns when nothing is due (shared, never written). */
const NONE_EXPIRED: readonly { source: string; user: unknown }[] = Object.freeze([]);

/**
 * The ephemeral channel's table: the newest data of every known source, deduplicated by the
 * source's per-update counter, expiring when not refreshed.
 * @internal
 */
export class PresenceTable {
  /** Live entries (data !== null). */
  readonly entries = new Map<string, PresenceEntry>();
  /**
   * Highest seq seen per source and when, kept after `null`/expiry so old updates stay dropped,
   * and forgotten once the source has been silent for `forgetMs` (a departed source leaves
   * nothing behind: no copy of its updates is still travelling by then).
   */
  private readonly seen = new Map<string, { seq: number; at: number }>();

  /** No entry expires and no seq is forgotten before this time (ms): {@link expire} skips until then. */
  private nextDue = Number.POSITIVE_INFINITY;

  /** @param forgetMs how long a silent source's last seq is remembered (ms). */
  constructor(private readonly forgetMs = Number.POSITIVE_INFINITY) {}

  /** Sources whose last seq is remembered (live or silent for less than `forgetMs`). */
  get remembered(): number {
    return this.seen.size;
  }

  /** `true` when `seq` is newer than anything seen from `source`. */
  isNew(source: string, seq: number): boolean {
    const last = this.seen.get(source);
    return last === undefined || seq > last.seq;
  }

  /**
   * Apply an update; returns `true` when it is newer than anything seen from `source` (the
   * caller then reports it and relays it).
   */
  apply(source: string, seq: number, data: unknown, hops: number, expiresAt: number, now = 0): boolean {
    const last = this.seen.get(source);
    if (last !== undefined && seq <= last.seq) return false;
    this.seen.set(source, { seq, at: now });
    if (data === null) this.entries.delete(source);
    else this.entries.set(source, { seq, data, hops, expiresAt });
    this.nextDue = Math.min(this.nextDue, data === null ? now + this.forgetMs : expiresAt);
    return true;
  }

  /**
   * Remove expired entries (returns their sources and the user data they held), and forget the
   * last seq of sources with no entry that have been silent for `forgetMs`.
   */
  expire(now: number): readonly { source: string; user: unknown }[] {
    // Nothing is due before `nextDue`: a peer's housekeeping does not walk the whole room.
    if (now < this.nextDue) return NONE_EXPIRED;
    const gone: { source: string; user: unknown }[] = [];
    let due = Number.POSITIVE_INFINITY;
    for (const [source, e] of this.entries) {
      if (e.expiresAt <= now) {
        this.entries.delete(source);
        gone.push({ source, user: Array.isArray(e.data) ? ((e.data[0] as unknown) ?? null) : null });
      } else if (e.expiresAt < due) due = e.expiresAt;
    }
    for (const [source, x] of this.seen) {
      if (this.entries.has(source)) continue;
      if (now - x.at >= this.forgetMs) this.seen.delete(source);
      else if (x.at + this.forgetMs < due) due = x.at + this.forgetMs;
    }
    this.nextDue = due;
    return gone;
  }

  /** Current data per source. */
  snapshot(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const [source, e] of this.entries) out.set(source, e.data);
    return out;
  }
}

/** What presence needs of the rest of the peer. @internal */
export interface PresenceHost {
  /** `true` once attached (before, nothing is sent). */
  attached(): boolean;
  /** `true` once part of the room's timeline (beacons and heartbeats only then). */
  established(): boolean;
  /** `true` while the clock is well behind the network's (its tick means nothing to others). */
  lagging(): boolean;
  /** The clock's estimate of the network's tick at `now`. */
  networkTick(now: number): number;
  /** The clock's epoch: how many times it jumped forward (Δ-auto samples span one epoch). */
  clockEpoch(): number;
}

/** Presence updates one life of a stored peer can send before the next life's counter begins (2^32). */
export const PRESENCE_SEQS_PER_LIFE = 2 ** 32;

/** The presence channel of one peer. @internal */
export class PresenceChannel<S, E> {
  private readonly table: PresenceTable;
  /** User data last reported per peer id through `presence` events. */
  private readonly reported = new Map<string, unknown>();
  /** Own user data (`null`: none). */
  private own: unknown = null;
  /** Own update counter. */
  private seq = 0;
  /** Beacon slots passed (flooded to every neighbour or skipped by the draw; not greetings of one new neighbour). */
  private floods = 0;
  /** Draws made for bare Δ beacons (the slot number of the next draw). */
  private draws = 0;
  /** The first bare Δ beacon was put off by its share of the fast period. */
  private spread = false;
  private nextBeaconAt = 0;

  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly links: LinkTable<E>,
    private readonly delay: Delay,
    private readonly host: PresenceHost,
  ) {
    // A departed peer's presence is forgotten two TTLs after its last update.
    this.table = new PresenceTable(2 * ctx.options.presenceTtlMs);
  }

  /** Others' current data per peer id (of several incarnations, the one refreshed last). */
  view(): ReadonlyMap<string, unknown> {
    const out = new Map<string, unknown>();
    const freshest = new Map<string, number>();
    for (const [source, e] of this.table.entries) {
      const user = (e.data as unknown[])[0];
      if (user === null || user === undefined) continue;
      const peerId = peerIdOf(source);
      if ((freshest.get(peerId) ?? Number.NEGATIVE_INFINITY) >= e.expiresAt) continue;
      freshest.set(peerId, e.expiresAt);
      out.set(peerId, user);
    }
    return out;
  }

  /**
   * Set own data (`undefined` = `null` = none) and flood it.
   * @throws {@link PeerError} `INVALID_PAYLOAD` (thrown uncounted: the caller counts it)
   */
  set(data: unknown): void {
    const check = data === undefined ? null : data;
    try {
      msgpackPayloadCodec.encode([check, 0]);
    } catch (cause) {
      throw new PeerError('INVALID_PAYLOAD', `presence data cannot be encoded: ${String(cause)}`, { cause });
    }
    this.own = check;
    this.sendOwn(undefined, false);
  }

  /**
   * A peer resumed from its store keeps its source, so its update counter continues above every
   * earlier life's ({@link PRESENCE_SEQS_PER_LIFE} per life): otherwise everyone who heard the
   * previous life would drop its updates as old.
   */
  resumeLife(incarnation: number): void {
    this.seq = Math.max(this.seq, (incarnation - 1) * PRESENCE_SEQS_PER_LIFE);
  }

  /**
   * Send (flood, or to `only`) own presence: user data plus the network tick (the Δ-auto beacon).
   * `slot`: a heartbeat or greeting rather than a change of the user data; with Δ auto and no
   * user data it is a bare beacon (only ever flooded at a slot), sent only when the slot's draw
   * says so, the first one put off by a share of the fast period drawn from the source.
   */
  private sendOwn(only: LinkEntry<E> | undefined, slot: boolean): void {
    if (!this.host.attached()) return;
    const now = this.ctx.now();
    if (slot && this.own === null && this.delay.isAuto) {
      if (!this.spread) {
        // The first bare beacon waits a share of the fast period drawn from the source: in a
        // room that starts at once, later peers have heard the earlier ones when they draw.
        this.spread = true;
        this.nextBeaconAt = now + hash01(this.ctx.source) * BEACON_FAST_MS;
        return;
      }
      if (!beaconChance(this.ctx.source, this.draws++, this.delay.auto.sources)) {
        // A bare Δ beacon this slot's draw left out (delay.ts): nothing to send.
        this.floods++;
        this.nextBeaconAt = now + this.period();
        return;
      }
    }
    this.seq++;
    // Under the incarnation's source, like events. A peer restarted without a store is a new
    // source and counts from 1; one resumed from its store continues (see resumeLife).
    const frame: PresenceFrame = {
      type: 'presence',
      source: this.ctx.source,
      seq: this.seq,
      hops: this.ctx.options.presenceHops,
      // The send tick lets receivers measure flooding delay (Δ auto); -1 while our clock is
      // unsettled. The clock epoch tells them which of our stamps are on the same clock.
      data: this.signed([
        this.own,
        this.host.lagging() || !this.host.established()
          ? -1
          : Math.round(this.host.networkTick(now) * 100) / 100,
        this.host.clockEpoch(),
      ]),
    };
    if (only !== undefined) this.ctx.send(only, frame);
    else for (const l of this.ctx.neighbours()) this.ctx.send(l, frame);
    if (only === undefined) this.floods++;
    this.nextBeaconAt = now + this.period();
  }

  /** `body` with own signature appended (authenticated rooms), or `body` itself (trusted rooms). */
  private signed(body: unknown[]): unknown[] {
    const signature = this.ctx.signer.signPresence(this.ctx.source, this.seq, body);
    return signature === undefined ? body : [...body, signature];
  }

  /**
   * `true` when `data` is a well-formed update for this room: `[user, tick, epoch?]` (trusted)
   * or `[user, tick, epoch, signature]` (authenticated; checked by {@link onPresence}); `null`
   * only in trusted rooms.
   */
  private wellFormed(data: unknown): boolean {
    const signed = this.ctx.signer.enabled;
    if (data === null) return !signed;
    if (!Array.isArray(data)) return false;
    const epochOk = data.length >= 3 && Number.isSafeInteger(data[2]) && (data[2] as number) >= 0;
    const shapeOk = signed
      ? data.length === 4 && epochOk && data[3] instanceof Uint8Array
      : data.length === 2 || (data.length === 3 && epochOk);
    return shapeOk && typeof data[1] === 'number' && Number.isFinite(data[1]);
  }

  /** Time to the next heartbeat or beacon. */
  private period(): number {
    if (!this.delay.isAuto) return this.ctx.options.presenceHeartbeatMs;
    const beacon = this.floods < BEACON_FAST_COUNT ? BEACON_FAST_MS : BEACON_MS;
    return this.own !== null ? Math.min(beacon, this.ctx.options.presenceHeartbeatMs) : beacon;
  }

  /** A new neighbour: own presence (if any) and the entries with user data we know, not relayed further. */
  greet(link: LinkEntry<E>): void {
    // Own user data; a bare Δ beacon waits for the next slot (the room hears it from there).
    if (this.own !== null) this.sendOwn(link, true);
    // Known entries with user data, not relayed further (hops 0) and not used for delay
    // measurement (bare beacons carry nothing for a new neighbour).
    for (const [source, e] of this.table.entries) {
      if (peerIdOf(source) === link.peerId || (e.data as unknown[])[0] === null) continue;
      this.ctx.send(link, { type: 'presence', source, seq: e.seq, hops: 0, data: e.data });
    }
  }

  /** The clock caught up with the network: beacon at the next housekeeping (its tick is meaningful now). */
  beaconSoon(now: number): void {
    this.nextBeaconAt = now;
  }

  /** A presence update from `link`. */
  onPresence(link: LinkEntry<E>, f: PresenceFrame, now: number): void {
    // Our own, or a previous incarnation's still travelling: not someone else's presence.
    if (f.source === this.ctx.source || peerIdOf(f.source) === this.ctx.id) {
      this.ctx.stats.presenceDropped++;
      return;
    }
    const data = f.data;
    if (!this.wellFormed(data)) {
      this.ctx.stats.presenceRefused++;
      this.links.linkError(link, this.links.protocolError(link, `malformed presence from ${f.source}`), true);
      return;
    }
    if (!this.table.isNew(f.source, f.seq)) {
      this.ctx.stats.presenceDropped++;
      return;
    }
    if (this.ctx.signer.enabled) {
      const d = data as unknown[];
      if (!this.ctx.signer.verifyPresence(f.source, f.seq, d.slice(0, 3), d[3] as Uint8Array)) {
        this.ctx.stats.presenceRefused++;
        this.ctx.stats.signaturesRejected++;
        this.links.linkError(
          link,
          new PeerError('BAD_SIGNATURE', `presence ${f.source}#${f.seq} from ${link.peerId}: bad signature`, {
            linkId: link.key,
            peerId: link.peerId,
          }),
          true,
        );
        return;
      }
      this.ctx.stats.signaturesVerified++;
    }
    const before = this.table.entries.get(f.source);
    if (!this.table.apply(f.source, f.seq, data, f.hops, now + this.ctx.options.presenceTtlMs, now)) {
      this.ctx.stats.presenceDropped++;
      return;
    }
    this.ctx.stats.presenceReceived++;
    if (data === null) {
      this.delay.auto.forget(f.source);
    } else if (
      f.hops > 0 &&
      this.delay.isAuto &&
      !this.host.lagging() &&
      (data as [unknown, number])[1] >= 0
    ) {
      const [, sentTick, epoch] = data as [unknown, number, number?];
      this.delay.auto.observe(
        f.source,
        this.host.networkTick(now) - sentTick,
        now,
        epoch ?? 0,
        this.host.clockEpoch(),
      );
    }
    if (f.hops > 0) {
      const fwd: PresenceFrame = { type: 'presence', source: f.source, seq: f.seq, hops: f.hops - 1, data };
      for (const l of this.ctx.neighbours()) if (l !== link) this.ctx.send(l, fwd);
    }
    const oldUser = before === undefined ? null : (before.data as unknown[])[0];
    const newUser = data === null ? null : (data as unknown[])[0];
    if (!sameJson(oldUser, newUser)) this.changed(f.source);
  }

  /**
   * `source`'s entry changed: report its peer id's data as {@link view} shows it now (of
   * several incarnations, the one refreshed last), if that differs from what was reported.
   */
  private changed(source: string): void {
    const peerId = peerIdOf(source);
    const shown = this.view().get(peerId) ?? null;
    if (sameJson(shown, this.reported.get(peerId) ?? null)) return;
    if (shown === null) this.reported.delete(peerId);
    else this.reported.set(peerId, shown);
    this.ctx.events.emit('presence', { peerId, data: shown });
  }

  /** Heartbeat or beacon when due; expire entries not refreshed. */
  housekeeping(now: number): void {
    if ((this.own !== null || this.delay.isAuto) && this.host.established() && now >= this.nextBeaconAt) {
      this.sendOwn(undefined, true);
    }
    // In a room where every peer beacons at every slot, an expired entry is a peer that left;
    // in a larger one a source may stay silent for longer, and its samples age in delay.ts.
    const gone = this.table.expire(now);
    if (gone.length === 0) return;
    const everySlot = this.delay.auto.sources + 1 <= BEACON_SOURCES;
    for (let i = 0; i < gone.length; i++) {
      const e = gone[i]!;
      if (everySlot) this.delay.auto.forget(e.source);
      if (e.user !== null) this.changed(e.source);
    }
  }

  /** The peer stops: tell the network it is gone (`null`), if it ever took part. */
  stop(): void {
    if (!this.host.established()) return;
    this.own = null;
    this.seq++;
    // Trusted rooms: `null`. Authenticated rooms: a signed update with no user data (a bare
    // `null` cannot be told from a forged one).
    const data = this.ctx.signer.enabled ? this.signed([null, -1, this.host.clockEpoch()]) : null;
    for (const l of this.ctx.neighbours()) {
      this.ctx.send(l, {
        type: 'presence',
        source: this.ctx.source,
        seq: this.seq,
        hops: this.ctx.options.presenceHops,
        data,
      });
    }
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
