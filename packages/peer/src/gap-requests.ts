/**
 * Seq gaps: a gap older than `gapGraceMs` is requested from a neighbour likely to hold it,
 * rotating between neighbours and backing off after repeated attempts; a range nobody claims is
 * given up (asked again once a neighbour claims it), and gaps that stay unanswered call for a
 * re-base (the events were compacted away everywhere).
 * @internal
 */
import type { PeerContext } from './context.js';
import type { LinkEntry } from './links.js';
import { claims, type RemoteFrontier } from './remote-frontier.js';

/** Attempts at one gap before backing off to the slowest retry period. */
const GAP_BACKOFF_AFTER = 8;
/** Unanswered gap requests after which the events are taken as compacted away (resync). */
const RESYNC_AFTER_ATTEMPTS = 3;

interface GapState {
  attempts: number;
  lastAt: number;
  lastLink: string;
}

/** Gap requests per source, and the gaps given up. @internal */
export class GapRequests<S, E> {
  private readonly gaps = new Map<string, GapState>();
  /**
   * Gaps given up because no neighbour claims to hold them (a seq far beyond its source's
   * events, or events nobody kept): source → its contiguous seq when given up. Asked again once
   * that moves or a neighbour claims the range.
   */
  private readonly givenUp = new Map<string, number>();
  /** The sources with a seq gap (the known events' own set, held here: read every round). */
  private readonly gappy: ReadonlySet<string>;

  /**
   * `frontiers`: what each neighbour announced, by link key; `frontierOf`: a link's;
   * `unrepairable`: the gaps will not be filled (see Repair).
   */
  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly frontiers: ReadonlyMap<string, RemoteFrontier>,
    private readonly frontierOf: (link: LinkEntry<E>) => RemoteFrontier,
    private readonly unrepairable: () => void,
  ) {
    this.gappy = ctx.eventIds.gappy;
  }

  /** `source` was forgotten: drop its gap state. */
  forget(source: string): void {
    this.gaps.delete(source);
    this.givenUp.delete(source);
  }

  /** Request seq gaps older than `gapGraceMs`, each from a neighbour likely to hold it. */
  request(now: number): void {
    if (this.gappy.size === 0) {
      if (this.gaps.size > 0) this.gaps.clear();
      return;
    }
    const known = this.ctx.eventIds;
    const options = this.ctx.options;
    for (const source of known.gappy) {
      const slot = known.slotOf(source);
      const gap = slot < 0 ? undefined : known.gapAt(slot);
      if (gap === undefined) continue;
      if (now - gap.since < options.gapGraceMs) continue;
      const contiguous = known.contiguousAt(slot);
      let g = this.gaps.get(source);
      if (g === undefined) {
        g = { attempts: 0, lastAt: Number.NEGATIVE_INFINITY, lastLink: '' };
        this.gaps.set(source, g);
      }
      const wait =
        g.attempts < GAP_BACKOFF_AFTER
          ? options.requestTimeoutMs
          : options.requestTimeoutMs * GAP_BACKOFF_AFTER;
      if (now - g.lastAt < wait) continue;
      const given = this.givenUp.get(source);
      if (given !== undefined) {
        if (given === contiguous && !this.claimed(source, contiguous + 1)) continue;
        this.givenUp.delete(source);
      }
      const holes = known.holes(source, Math.max(1, Math.min(64, this.ctx.codec.limits.maxRanges)));
      if (holes.length === 0) continue;
      if (g.attempts >= RESYNC_AFTER_ATTEMPTS && !this.claimed(source, holes[0]!.fromSeq)) {
        // Nobody claims to hold the missing events: give the range up rather than ask forever.
        this.givenUp.set(source, contiguous);
        this.gaps.delete(source);
        this.ctx.stats.gapsGivenUp++;
        continue;
      }
      const target = this.pickRepairLink(source, holes[0]!.fromSeq, g);
      if (target === undefined) continue;
      const span = options.quotas.maxRequestSpan;
      this.ctx.send(target, {
        type: 'request',
        ranges: holes.map((h) => ({
          source,
          fromSeq: h.fromSeq,
          toSeq: Math.min(h.toSeq, h.fromSeq + span - 1),
        })),
      });
      this.ctx.stats.requestsSent += holes.length;
      g.attempts++;
      g.lastAt = now;
      g.lastLink = target.key;
      if (g.attempts > RESYNC_AFTER_ATTEMPTS) this.unrepairable();
    }
    if (this.gaps.size > 0)
      for (const source of this.gaps.keys()) if (!known.gappy.has(source)) this.gaps.delete(source);
  }

  /** `true` when a neighbour's frontier claims to hold `source#seq`. */
  private claimed(source: string, seq: number): boolean {
    for (const f of this.frontiers.values()) if (claims(f, source, seq)) return true;
    return false;
  }

  /** A neighbour likely to hold `source#seq`, rotating away from the one asked last. */
  private pickRepairLink(source: string, seq: number, g: GapState): LinkEntry<E> | undefined {
    const list = this.ctx.neighbours();
    if (list.length === 0) return undefined;
    const start = g.attempts % list.length;
    let fallback: LinkEntry<E> | undefined;
    for (let i = 0; i < list.length; i++) {
      const l = list[(start + i) % list.length]!;
      if (claims(this.frontierOf(l), source, seq)) {
        if (l.key !== g.lastLink || list.length === 1) return l;
        fallback ??= l;
      } else if (fallback === undefined && l.key !== g.lastLink) {
        fallback = l;
      }
    }
    return fallback ?? list[start];
  }
}
