/**
 * Desync detection: this peer's state hashes of settled ticks are recorded, sent to the
 * neighbours (`hash` reports every `hashIntervalMs`) and compared with theirs. A mismatch is
 * raised as `desync` only if it outlives `desyncConfirmMs` (a very late event corrects both
 * sides' reports first: a rollback re-reads the hashes it changed and sends corrections), and only
 * if no other neighbour outvotes it: a neighbour whose hash of a tick differs from ours while
 * another neighbour reports ours and none reports theirs is outvoted (a hash report is a claim),
 * counted in `hashReportsOutvoted`, and cut (`PROTOCOL`) after {@link MAX_OUTVOTED} outvoted
 * ticks in a row. A lone neighbour, or two agreeing against us, still raises `desync`. While an
 * adopted snapshot is on probation, its sender gets our report of a tick only once it reported
 * that tick itself: it commits to its own hash first, so a sender that echoes ours backs nothing.
 * @internal
 */
import type { HashFrame } from '@symmetric/codec';
import type { Timeline } from '@symmetric/core';
import type { PeerContext } from './context.js';
import { PeerError } from './errors.js';
import { HashVotes, OwnHashes } from './hash-votes.js';
import type { LinkEntry } from './links.js';
import { stateContradiction } from './snapshot-verify.js';

/** Most pending hash reports (and unconfirmed mismatches) remembered per link. */
const MAX_PENDING_HASHES = 256;
/** Own hashes of settled ticks remembered for comparison. */
const MAX_OWN_HASHES = 512;
/** Hash reports per `hash` frame. */
const MAX_REPORTS_PER_FRAME = 64;
/**
 * A mismatch with a neighbour whose history is known to differ from ours is held back this many
 * times `desyncConfirmMs` (repair or re-basing is under way) before it is raised all the same.
 */
const EXPLAINED_FACTOR = 8;
/**
 * Outvoted ticks in a row (no agreeing report between them) after which a neighbour's link is
 * closed: an honest neighbour is outvoted only while its own state has diverged.
 */
export const MAX_OUTVOTED = 4;

/** What desync detection needs of the rest of the peer. @internal */
export interface DesyncHost {
  /**
   * `true` while `link`'s neighbour is known to hold events this peer lacks, or to lack events
   * this peer holds (by the frontiers exchanged): different event sets explain different hashes.
   */
  historiesDiffer(link: LinkEntry<unknown>): boolean;
  /** Close `link` with `error` (counted and reported): its hash reports were outvoted too often. */
  cut?(link: LinkEntry<unknown>, error: PeerError): void;
  /**
   * The state of the snapshot adopted from link `senderKey` is contradicted by the other
   * neighbours' hash reports (`problem`, see snapshot-verify.ts): refuse it.
   */
  contradicted?(senderKey: string, problem: string): void;
}

/** Hash state of one neighbour. */
interface RemoteHashes {
  /** Their reports of ticks we have not settled yet: tick → hash. */
  pending: Map<number, string> | undefined;
  /**
   * Mismatches waiting for confirmation: tick → their hash, first seen, and whether the two
   * histories were known to differ when it was last compared.
   */
  mismatches: Map<number, { theirs: string; since: number; explained: boolean }> | undefined;
  /** Outvoted ticks since this neighbour last reported a hash equal to ours. */
  outvoted: number;
}

/** One own hash report: the state hash of a settled tick. */
interface HashReport {
  readonly tick: number;
  readonly hash: string;
}

/** Own reports held back from the link `key` (the sender of a snapshot on probation). */
interface Withheld {
  readonly key: string;
  reports: HashReport[];
}

/** Drop the oldest entry of `m` when it is full. */
function makeRoom<K, V>(m: Map<K, V>): void {
  if (m.size < MAX_PENDING_HASHES) return;
  const oldest = m.keys().next().value;
  if (oldest !== undefined) m.delete(oldest);
}

/** Hash reports and their comparison. @internal */
export class DesyncDetector<S, E> {
  private readonly remote = new Map<string, RemoteHashes>();
  /** Own reported hashes of settled ticks, the oldest first (16 bytes a tick, see hash-votes.ts). */
  private readonly ownHashes = new OwnHashes();
  /** Neighbours' latest compared report per tick: the votes a mismatch is weighed against. */
  private readonly votes = new HashVotes(MAX_OWN_HASHES);
  private outgoing: { tick: number; hash: string }[] = [];
  /** Next tick whose hash is recorded once settled. */
  private nextHashTick: number;
  private nextSendAt = 0;
  /**
   * The adopted snapshot whose state no other neighbour has confirmed yet: its sender's link and
   * tick. Its sender's hash reports vote for nobody meanwhile.
   */
  private probation: { readonly senderKey: string; readonly tick: number } | undefined;
  /**
   * Own reports held back from the sender of a snapshot on probation until it reported those
   * ticks itself: a sender that only echoes our hashes backs nothing.
   */
  private withheld: Withheld | undefined;

  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly host: DesyncHost = { historiesDiffer: () => false },
  ) {
    this.nextHashTick = ctx.options.hashEvery;
  }

  private remoteOf(link: LinkEntry<E>): RemoteHashes {
    let r = this.remote.get(link.key);
    if (r === undefined) {
      r = { pending: undefined, mismatches: undefined, outvoted: 0 };
      this.remote.set(link.key, r);
    }
    return r;
  }

  /** Link `key` closed. */
  linkClosed(key: string): void {
    this.remote.delete(key);
    this.votes.dropLink(key);
  }

  /**
   * The timeline was just started from the snapshot at `tick` that link `senderKey` sent: its
   * state is on probation until a neighbour other than the sender reports one of our hashes of a
   * later tick.
   */
  probe(senderKey: string, tick: number): void {
    this.probation = { senderKey, tick };
    this.withheld = { key: senderKey, reports: [] };
  }

  /** `true` while an adopted snapshot's state awaits confirmation by another neighbour. */
  get onProbation(): boolean {
    return this.probation !== undefined;
  }

  /** Own recorded hash of `tick`, if any. */
  ownHashAt(tick: number): string | undefined {
    return this.ownHashes.get(tick);
  }

  /**
   * The timeline compacted to `baseTick`: own hashes and neighbours' votes of ticks before it
   * (less the longest a mismatch waits to be confirmed) go. A rollback never reaches below the
   * base, so those hashes never change again; a report of such a tick is no longer compared.
   * This keeps what desync detection holds within the horizon.
   */
  compacted(baseTick: number): void {
    const o = this.ctx.options;
    const before = baseTick - Math.ceil((EXPLAINED_FACTOR * o.desyncConfirmMs * o.fps) / 1000);
    this.ownHashes.dropBefore(before);
    this.votes.forgetBefore(before);
  }

  /** Record own hashes of newly settled ticks (multiples of hashEvery) and queue them as reports. */
  recordHashes(timeline: Timeline<S, E>): void {
    const options = this.ctx.options;
    const settled = timeline.tick - options.settleTicks;
    const every = options.hashEvery;
    if (this.nextHashTick <= settled - options.settleTicks) {
      // Far behind (e.g. after catching up): skip ticks whose snapshots are long gone.
      this.nextHashTick = Math.ceil((settled - options.settleTicks) / every) * every;
    }
    while (this.nextHashTick <= settled) {
      const t = this.nextHashTick;
      this.nextHashTick += every;
      const h = timeline.hashAt(t);
      if (h === undefined) continue;
      // Ticks settle in increasing order: `t` is above every own hash held.
      if (this.ownHashes.size >= MAX_OWN_HASHES) this.ownHashes.dropOldest();
      this.ownHashes.add(t, h);
      this.outgoing.push({ tick: t, hash: h });
      for (const l of this.ctx.neighbours()) {
        const pending = this.remote.get(l.key)?.pending;
        const theirs = pending?.get(t);
        if (theirs !== undefined) {
          pending!.delete(t);
          this.compare(l, t, h, theirs);
        }
      }
    }
  }

  /** Every `hashIntervalMs`: send queued reports and raise confirmed mismatches. */
  housekeeping(now: number): void {
    if (now < this.nextSendAt) return;
    this.nextSendAt = now + this.ctx.options.hashIntervalMs;
    this.sendReports();
    this.confirmMismatches(now);
  }

  private sendReports(): void {
    if (this.outgoing.length === 0) return;
    const reports = this.outgoing;
    this.outgoing = [];
    const max = Math.max(1, Math.min(MAX_REPORTS_PER_FRAME, this.ctx.codec.limits.maxHashReports));
    const w = this.withheld;
    let open = false;
    for (const l of this.ctx.neighbours()) {
      const frames = w !== undefined && l.key === w.key ? this.heldBack(w, reports, max) : undefined;
      if (frames !== undefined) open = true;
      const count = frames === undefined ? Math.ceil(reports.length / max) : frames.length;
      for (let i = 0; i < count; i++) {
        const chunk = frames === undefined ? reports.slice(i * max, (i + 1) * max) : frames[i]!;
        this.ctx.send(l, { type: 'hash', reports: chunk });
        this.ctx.stats.hashReportsSent += chunk.length;
      }
    }
    if (w !== undefined && (!open || (w.reports.length === 0 && this.probation?.senderKey !== w.key)))
      this.withheld = undefined;
  }

  /**
   * What goes to the sender of a snapshot on probation, in at least as many frames as `reports`
   * take: only reports of ticks it reported first (it commits to its own hash before it sees
   * ours: one that echoes ours backs nothing), the rest held back until it does or the probation
   * ends. A later report of a tick (a correction after a late event) replaces one held back, and
   * every report released goes at once: a correction that waited behind a joiner's backlog would
   * reach the sender after `desyncConfirmMs`, raised as a desync (or outvoted) that is none.
   */
  private heldBack(w: Withheld, reports: readonly HashReport[], max: number): HashReport[][] {
    const latest = new Map<number, HashReport>();
    for (const r of w.reports) latest.set(r.tick, r);
    for (const r of reports) {
      latest.delete(r.tick);
      latest.set(r.tick, r);
    }
    const onProbation = this.probation?.senderKey === w.key;
    const now: HashReport[] = [];
    w.reports = [];
    for (const r of latest.values()) (!onProbation || this.reported(w.key, r.tick) ? now : w.reports).push(r);
    if (w.reports.length > MAX_OWN_HASHES) w.reports.splice(0, w.reports.length - MAX_OWN_HASHES);
    const frames: HashReport[][] = [];
    const count = Math.max(Math.ceil(reports.length / max), Math.ceil(now.length / max));
    for (let i = 0; i < count; i++) frames.push(now.slice(i * max, (i + 1) * max));
    return frames;
  }

  /** `true` when the neighbour on link `key` reported its hash of `tick`. */
  private reported(key: string, tick: number): boolean {
    return this.votes.has(tick, key) || this.remote.get(key)?.pending?.has(tick) === true;
  }

  /** A neighbour's hash reports. */
  onHash(link: LinkEntry<E>, f: HashFrame, simulatedTick: number): void {
    const settled = simulatedTick - this.ctx.options.settleTicks;
    for (const r of f.reports) {
      const mine = this.ownHashes.get(r.tick);
      if (mine !== undefined) {
        this.compare(link, r.tick, mine, r.hash);
      } else if (r.tick > settled && r.tick % this.ctx.options.hashEvery === 0) {
        const remote = this.remoteOf(link);
        const p = (remote.pending ??= new Map());
        makeRoom(p);
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
  private compare(link: LinkEntry<E>, tick: number, mine: string, theirs: string): void {
    this.ctx.stats.hashesCompared++;
    const remote = this.remoteOf(link);
    // An agreeing report keeps our own string of the hash (one per tick, not one per neighbour).
    this.votes.set(tick, link.key, mine === theirs ? mine : theirs);
    if (mine === theirs) {
      const p = this.probation;
      if (p !== undefined && link.key !== p.senderKey && tick > p.tick) this.probation = undefined;
      remote.mismatches?.delete(tick);
      remote.outvoted = 0;
      return;
    }
    const m = (remote.mismatches ??= new Map());
    const known = m.get(tick);
    const explained = this.host.historiesDiffer(link);
    if (known === undefined) {
      makeRoom(m);
      m.set(tick, { theirs, since: this.ctx.now(), explained });
    } else {
      known.theirs = theirs;
      known.explained = explained;
    }
  }

  /**
   * Raise mismatches that outlived the confirmation delay. One compared while the two histories
   * were known to differ is held back while they still differ (up to {@link EXPLAINED_FACTOR}
   * times the delay: the room is converging), and dropped once they agree: the side that changed
   * its history either re-reported the tick (compared afresh) or re-based past it.
   */
  private confirmMismatches(now: number): void {
    const confirmMs = this.ctx.options.desyncConfirmMs;
    for (const l of this.ctx.neighbours()) {
      const m = this.remote.get(l.key)?.mismatches;
      if (m === undefined || m.size === 0) continue;
      let differ: boolean | undefined;
      for (const [tick, x] of m) {
        const age = now - x.since;
        if (age < confirmMs) continue;
        if (x.explained) {
          differ ??= this.host.historiesDiffer(l);
          if (differ && age < EXPLAINED_FACTOR * confirmMs) continue;
          if (!differ) {
            m.delete(tick);
            continue;
          }
        }
        m.delete(tick);
        const mine = this.ownHashes.get(tick);
        if (mine === undefined || mine === x.theirs) continue;
        if (this.contradictsProbation(l, tick, mine)) return;
        if (this.outvotes(l, tick, mine, x.theirs)) {
          this.ctx.stats.hashReportsOutvoted++;
          const r = this.remoteOf(l);
          if (++r.outvoted >= MAX_OUTVOTED && this.host.cut !== undefined) {
            this.host.cut(
              l,
              new PeerError(
                'PROTOCOL',
                `hash reports of ${l.peerId} outvoted by the other neighbours at ${r.outvoted} ticks in a row`,
                { linkId: l.key, peerId: l.peerId || undefined },
              ),
            );
            break;
          }
          continue;
        }
        this.ctx.stats.desyncs++;
        this.ctx.events.emit('desync', {
          tick,
          peers: [this.ctx.id, l.peerId],
          hashes: { [this.ctx.id]: mine, [l.peerId]: x.theirs },
          linkId: l.key,
        });
      }
    }
  }

  /**
   * While an adopted snapshot is on probation, a confirmed mismatch of `tick` with `link` (not
   * its sender) is weighed against every other neighbour's report of that tick
   * ({@link stateContradiction}): `true` when the snapshot is contradicted (then refused through
   * the host, and this round of confirmations ends: the timeline is about to be replaced).
   */
  private contradictsProbation(link: LinkEntry<E>, tick: number, mine: string): boolean {
    const p = this.probation;
    if (p === undefined || link.key === p.senderKey || tick <= p.tick || this.host.contradicted === undefined)
      return false;
    const v = this.votes;
    if (!v.hasTick(tick)) return false;
    const others: string[] = [];
    for (const l of this.ctx.neighbours()) {
      const h = l.key === p.senderKey ? undefined : v.get(tick, l.key);
      if (h !== undefined) others.push(h);
    }
    const problem = stateContradiction(tick, mine, v.get(tick, p.senderKey), others);
    if (problem === undefined) return false;
    this.probation = undefined;
    this.host.contradicted(p.senderKey, problem);
    return true;
  }

  /**
   * `true` when `link`'s hash of `tick` (`theirs`, not ours) is outvoted: another open neighbour
   * reported our hash and none reported theirs. The sender of a snapshot on probation does not
   * vote (its word is what is being checked).
   */
  private outvotes(link: LinkEntry<E>, tick: number, mine: string, theirs: string): boolean {
    const v = this.votes;
    if (!v.hasTick(tick)) return false;
    let agree = 0;
    for (const l of this.ctx.neighbours()) {
      if (l === link || l.key === this.probation?.senderKey) continue;
      const h = v.get(tick, l.key);
      if (h === theirs) return false;
      if (h === mine) agree++;
    }
    return agree > 0;
  }

  /**
   * A rollback to `fromTick` re-simulated ticks whose hashes we may already have reported:
   * re-read them and send corrections (and re-compare with what neighbours reported).
   */
  correct(timeline: Timeline<S, E>, fromTick: number): void {
    const own = this.ownHashes;
    if (own.size === 0 || fromTick >= this.nextHashTick) return;
    for (let i = own.lowerBound(fromTick); i < own.size; i++) {
      const t = own.tickAt(i);
      const h = timeline.hashAt(t);
      if (h === undefined || h === own.hashAt(i)) continue;
      own.replaceAt(i, h);
      this.outgoing.push({ tick: t, hash: h });
      for (const l of this.ctx.neighbours()) {
        const x = this.remote.get(l.key)?.mismatches?.get(t);
        if (x !== undefined) this.compare(l, t, h, x.theirs);
      }
    }
  }

  /** The timeline was replaced by one started from a snapshot at `snapshotTick`: start over. */
  restart(snapshotTick: number): void {
    const every = this.ctx.options.hashEvery;
    this.nextHashTick = Math.ceil((snapshotTick + 1) / every) * every;
    this.ownHashes.clear();
    this.votes.clear();
    this.probation = undefined;
    // Reports of the replaced history not sent yet are not ours any more.
    this.outgoing = [];
    this.withheld = undefined;
    // Mismatches with neighbours were about the replaced history: compared afresh from here on.
    for (const r of this.remote.values()) r.mismatches = undefined;
  }
}
