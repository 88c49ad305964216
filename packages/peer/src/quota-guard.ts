/**
 * The quota guard: counts, per link and for the room, what neighbours deliver against
 * `options.quotas` (quotas.ts), and turns every excess into a `QUOTA` error, a counter and at
 * most that link closed. The peer keeps running and loses no honest event: what an honest
 * neighbour sends stays far below the defaults.
 * @internal
 */
import type { WireEvent } from '@symmetric/codec';
import type { PeerContext } from './context.js';
import { PeerError } from './errors.js';
import type { LinkEntry, LinkTable } from './links.js';
import { RateLimit } from './quotas.js';

/**
 * What one link has used besides what every frame counts (the event and byte rates and the last
 * frame's time sit on its {@link LinkEntry}: read for every frame, with no object to reach). @internal
 */
export interface LinkUse {
  readonly presence: RateLimit;
  readonly serves: RateLimit;
  newSources: number;
}

/** The window of the event and byte rates (a {@link RateLimit}'s default). */
const RATE_WINDOW_MS = 10_000;
/** New sources of an `events` frame compared one by one (those past them go in a set). */
const FRESH_SCANNED = 16;
/** The first new sources of the `events` frame being checked (emptied after each). */
const freshScratch: string[] = [];

/** Per-link and room-wide quotas. @internal */
export class QuotaGuard<S, E> {
  private readonly use = new Map<string, LinkUse>();
  /** Events a link may deliver per second, and the most its count may reach (a {@link RateLimit}'s). */
  private readonly eventRate: number;
  private readonly eventCap: number;
  /** Bytes a link may deliver per second, and the most its count may reach. */
  private readonly byteRate: number;
  private readonly byteCap: number;

  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly links: LinkTable<E>,
  ) {
    const q = ctx.options.quotas;
    this.eventRate = q.eventsPerSecondPerLink;
    this.eventCap = (this.eventRate * RATE_WINDOW_MS) / 1000;
    this.byteRate = q.bytesPerSecondPerLink;
    this.byteCap = (this.byteRate * RATE_WINDOW_MS) / 1000;
  }

  private of(link: LinkEntry<E>): LinkUse {
    let u = link.quotaUse;
    if (u !== undefined) return u;
    u = this.use.get(link.key);
    if (u === undefined) {
      const q = this.ctx.options.quotas;
      u = {
        presence: new RateLimit(q.presencePerSecondPerLink),
        serves: new RateLimit(q.snapshotServesPerMinute / 60, 60_000),
        newSources: 0,
      };
      this.use.set(link.key, u);
    }
    link.quotaUse = u;
    return u;
  }

  /** Link `key` closed: forget its counts. */
  linkClosed(key: string): void {
    this.use.delete(key);
  }

  /** A new link: `false` (and the link closed) when the peer already has too many. */
  admitLink(link: LinkEntry<E>): boolean {
    const q = this.ctx.options.quotas;
    let open = 0;
    let pending = 0;
    for (const l of this.links.all()) {
      if (l.kind === 'closed') continue;
      open++;
      if (l.kind === 'handshaking') pending++;
    }
    if (open > q.maxLinks) return this.violate(link, `more than ${q.maxLinks} links`);
    if (pending > q.maxPendingLinks)
      return this.violate(link, `more than ${q.maxPendingLinks} links in their handshake`);
    return true;
  }

  /** `n` frame bytes from `link` at `now`: `false` (link closed) beyond the byte rate. */
  bytes(link: LinkEntry<E>, n: number, now: number): boolean {
    if (link.quotaUse === undefined) this.of(link);
    link.lastHeard = now;
    // RateLimit.take on the link's own fields.
    const at = link.bytesAt;
    let level = link.bytesLevel;
    if (!Number.isNaN(at)) level = Math.max(0, level - ((now - at) * this.byteRate) / 1000);
    link.bytesAt = now;
    link.bytesLevel = level += n;
    if (level <= this.byteCap) return true;
    return this.violate(link, `more than ${this.ctx.options.quotas.bytesPerSecondPerLink} bytes/s`);
  }

  /**
   * An `events` frame from `link`: `false` (link closed) beyond the event rate, beyond the new
   * sources one link may introduce, or beyond the room's sources.
   */
  events(link: LinkEntry<E>, events: readonly WireEvent<E>[], now: number): boolean {
    // RateLimit.take on the link's own fields.
    const at = link.eventsAt;
    let level = link.eventsLevel;
    if (!Number.isNaN(at)) level = Math.max(0, level - ((now - at) * this.eventRate) / 1000);
    link.eventsAt = now;
    link.eventsLevel = level += events.length;
    const q = this.ctx.options.quotas;
    if (!(level <= this.eventCap))
      return this.violate(link, `more than ${q.eventsPerSecondPerLink} events/s`);
    const known = this.ctx.eventIds;
    // The sources new to this peer in the frame: a scan of the first few (a frame usually has
    // one or two), a set beyond them.
    const fresh = freshScratch;
    let count = 0;
    let more: Set<string> | undefined;
    let excess: string | undefined;
    for (let i = 0; i < events.length && excess === undefined; i++) {
      const source = events[i]!.source;
      if (known.knows(source)) continue;
      let seen = more?.has(source) === true;
      for (let j = 0; j < count && j < FRESH_SCANNED && !seen; j++) seen = fresh[j] === source;
      if (seen) continue;
      if (count < FRESH_SCANNED) fresh[count] = source;
      else (more ??= new Set()).add(source);
      count++;
      if (++this.of(link).newSources > q.newSourcesPerLink)
        excess = `more than ${q.newSourcesPerLink} new sources from one link`;
      else if (known.size + count > q.maxSources) excess = `more than ${q.maxSources} sources in the room`;
    }
    for (let j = 0; j < count && j < FRESH_SCANNED; j++) fresh[j] = '';
    return excess === undefined || this.violate(link, excess);
  }

  /** Housekeeping of a running link: `false` (link closed) when nothing arrived for `idleTimeoutMs`. */
  checkIdle(link: LinkEntry<E>, now: number): boolean {
    const idle = this.ctx.options.quotas.idleTimeoutMs;
    this.of(link);
    if (now - link.lastHeard <= idle) return true;
    return this.violate(link, `nothing received for ${idle} ms`);
  }

  /** A presence frame from `link`: `false` (link closed) beyond the presence rate. */
  presence(link: LinkEntry<E>, now: number): boolean {
    if (this.of(link).presence.take(1, now)) return true;
    return this.violate(
      link,
      `more than ${this.ctx.options.quotas.presencePerSecondPerLink} presence updates/s`,
    );
  }

  /** A snapshot request from `link`: `false` when it asked too often (refused, link kept). */
  serve(link: LinkEntry<E>, now: number): boolean {
    if (this.of(link).serves.take(1, now)) return true;
    this.ctx.stats.quotaViolations++;
    return false;
  }

  private violate(link: LinkEntry<E>, problem: string): false {
    this.ctx.stats.quotaViolations++;
    this.links.linkError(
      link,
      new PeerError('QUOTA', `${link.peerId || link.key}: ${problem}`, {
        linkId: link.key,
        peerId: link.peerId || undefined,
      }),
      true,
    );
    return false;
  }
}
