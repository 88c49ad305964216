/**
 * Repair: the frontier exchange (gap requests in gap-requests.ts). Each side announces, per source, the highest
 * contiguous seq it holds (`frontier`), and is sent whatever the other holds beyond it; a seq gap
 * seen later is requested (`request`) from a neighbour likely to hold it, rotating between
 * neighbours and backing off after repeated attempts. Also what each neighbour is known to hold
 * (used by dissemination to skip events a neighbour has), and the events neighbours announced
 * that this peer still lacks (repairs outstanding).
 * @internal
 */
import type {
  FrontierFrame,
  FrontierPrint,
  IdRegistry,
  PrintsFrame,
  RequestFrame,
  WireEvent,
} from '@symmetric/codec';
import type { PeerContext } from './context.js';
import { PeerError } from './errors.js';
import { GapRequests } from './gap-requests.js';
import { dominates, type OwnHistory, outranks, type PrintOrder } from './history-rank.js';
import type { LinkEntry, LinkTable } from './links.js';
import { PrintExchange } from './print-exchange.js';
import { CLAIM_SLACK_SEQS } from './quotas.js';
import { claimOf, newRemoteFrontier, type RemoteFrontier } from './remote-frontier.js';
import { sendMissing, serveRequest } from './repair-serve.js';
import { above, claimRanges, covers, missingFrom, rangeCount, rangeMax, toClaim } from './seq-ranges.js';
import { HoldsTable } from './source-seqs.js';

/** What repair needs of the rest of the peer. @internal */
export interface RepairHost<E> {
  /** `true` once this peer vouches for the room's timeline (lists its frontier). */
  vouches(): boolean;
  /** Highest seq this incarnation stamped. */
  ownSeq(): number;
  /** Held (or pending) events of `source` with seq in [from, to], in seq order. */
  eventsOf(source: string, from: number, to: number): WireEvent<E>[];
  /** `true` when `source#seq` is held or folded into the base (not refused, not given up). */
  holds(source: string, seq: number): boolean;
  /** The seqs of `source` held or folded into the base, as `[from, to]` pairs (at most `maxPairs`). */
  heldRanges(source: string, maxPairs: number): number[];
  /** Events neighbours announced could not be repaired (compacted away everywhere). */
  unrepairable(): void;
  /** Highest own seq that may leave this peer (above it, own events wait for the store). */
  releasedSeq(): number;
  /** The prints of this peer's history at its newest marks, oldest first. */
  prints(): readonly FrontierPrint[];
  /** How many times the history's base changed (`Driver.bases`): {@link prints} change only then. */
  bases(): number;
  /**
   * `true` when a later frontier (see {@link Repair.onFrontier}) is followed by nothing unless
   * asked (flooding). Broadcast announces frontiers while the channel may still deliver, and
   * pulls on its own schedule.
   */
  readonly askOnLaterFrontier: boolean;
}

/** Frontier exchange, repair and gap requests. @internal */
export class Repair<S, E> {
  private readonly frontiers = new Map<string, RemoteFrontier>();
  /** What the links' neighbours hold, every link a column (see source-seqs.ts). */
  private readonly holdsTable = new HoldsTable();
  /** The sources the frontiers name, by slot: the codec's registry (the links' id tables' too). */
  private readonly slots: IdRegistry;
  /** Seq gaps requested from neighbours, and those given up. */
  private readonly gaps: GapRequests<S, E>;
  /**
   * Per source, the highest contiguous seq a neighbour announced that this peer lacks, since
   * when, the link that announced it, and the contiguous seq held then.
   */
  private readonly announced = new Map<
    string,
    { claim: readonly number[]; since: number; by: string; held: number }
  >();
  /**
   * Per link, the sources asked of that neighbour after a later frontier of its announced events
   * this peer lacks (see {@link onFrontier}): its next frontier answers the request.
   */
  private readonly asked = new Map<string, { readonly sources: Set<string>; readonly at: number }>();
  /** Prints sent and received per link. */
  private readonly printX: PrintExchange;
  /** The count of base changes at the last {@link housekeeping} that looked for new prints. */
  private printsAtBases = Number.NaN;
  /** The own seqs the timeline settled and forgot (see {@link forgetOwn}). */
  private forgottenOwn = 0;
  /** Per link, our history's size and the time when we last asked it to refresh its frontier. */
  private readonly refreshed = new Map<string, { readonly count: number; readonly at: number }>();

  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly links: LinkTable<E>,
    private readonly host: RepairHost<E>,
  ) {
    this.slots = ctx.codec.ids;
    this.printX = new PrintExchange(
      () => host.prints(),
      () => host.bases(),
    );
    this.gaps = new GapRequests(
      ctx,
      this.frontiers,
      (l) => this.frontierOf(l),
      () => host.unrepairable(),
    );
  }

  /** What `link`'s neighbour is known to hold. */
  frontierOf(link: LinkEntry<E>): RemoteFrontier {
    let f = link.remote;
    if (f !== undefined) return f;
    f = this.frontiers.get(link.key);
    if (f === undefined) {
      f = newRemoteFrontier(this.slots, this.holdsTable);
      this.frontiers.set(link.key, f);
    }
    link.remote = f;
    link.holds = f.holds;
    return f;
  }

  /** `true` once `link`'s frontier arrived. */
  frontierReceived(link: LinkEntry<E>): boolean {
    return this.frontiers.get(link.key)?.received === true;
  }

  /** Link `key` closed. */
  linkClosed(key: string): void {
    this.frontiers.get(key)?.holds.dispose();
    this.frontiers.delete(key);
    this.asked.delete(key);
    this.refreshed.delete(key);
  }

  /**
   * The timeline forgot this peer's own source up to `seq` (it stays known to the peer): what
   * neighbours claim of it up there is settled, not missing.
   */
  forgetOwn(seq: number): void {
    this.forgottenOwn = Math.max(this.forgottenOwn, seq);
    const own = this.ctx.source;
    for (const f of this.frontiers.values()) {
      if ((f.holds.get(own) ?? 0) <= seq && !f.above.has(own)) f.holds.delete(own);
    }
  }

  /** `source` was forgotten (gone longer than the horizon): drop what is noted about it. */
  forget(source: string): void {
    for (const f of this.frontiers.values()) {
      f.holds.delete(source);
      f.above.delete(source);
    }
    this.gaps.forget(source);
    this.announced.delete(source);
  }

  /** Send our frontier on `link`. */
  sendFrontier(link: LinkEntry<E>): void {
    const entries: { source: string; seq: number; above?: number[] }[] = [];
    // A non-empty frontier vouches "this is the room's timeline": a fresh neighbour joins on it
    // and catches up its clock once it holds what is listed. A (re)started peer lists nothing
    // until it has synced once (part of the room, its first repairs in; its neighbours meanwhile
    // send it everything they hold), and announces its frontier the moment it has (see
    // Join.checkSynced). It then always lists its own source (at seq 0 before its first event),
    // so its frontier is never empty again.
    const known = this.ctx.eventIds;
    if (this.host.vouches()) {
      // What our history holds (held or folded: not refused as too old, not given up), so two
      // histories that differ by an event past a hole never filled still announce differently.
      const own = this.ctx.source;
      const pairs = 2 * Math.max(0, this.ctx.codec.limits.maxFrontierRanges);
      for (let s = known.first(); s >= 0; s = known.after(s)) {
        const source = known.idAt(s);
        const { seq, above } = toClaim(this.mine(source));
        if (seq === 0 && above.length === 0) continue;
        const past = above.length > pairs ? above.slice(0, pairs) : above;
        entries.push(past.length > 0 ? { source, seq, above: past } : { source, seq });
      }
      if (!entries.some((e) => e.source === own)) entries.push({ source: own, seq: 0 });
    }
    const max = Math.max(1, this.ctx.codec.limits.maxFrontierEntries);
    // Prints go with every frame of a vouching frontier: they speak for the whole history.
    const prints = entries.length > 0 ? this.printX.toSend(this.frontierOf(link)) : [];
    const frame = (part: typeof entries): FrontierFrame =>
      prints.length > 0 ? { type: 'frontier', entries: part, prints } : { type: 'frontier', entries: part };
    if (entries.length <= max) {
      this.ctx.send(link, frame(entries));
      return;
    }
    for (let i = 0; i < entries.length; i += max) this.ctx.send(link, frame(entries.slice(i, i + max)));
  }

  /**
   * The seqs of `source` this peer's history holds (own ones only as far as released), as
   * `[from, to]` pairs, at most the codec's `maxFrontierRanges` past the first.
   */
  mine(source: string): number[] {
    const ranges = this.host.heldRanges(source, Math.max(1, this.ctx.codec.limits.maxFrontierRanges) + 1);
    if (source !== this.ctx.source) return ranges;
    const cap = this.host.releasedSeq();
    if (rangeMax(ranges) <= cap) return ranges;
    const out: number[] = [];
    for (let i = 0; i < ranges.length && ranges[i]! <= cap; i += 2)
      out.push(ranges[i]!, Math.min(ranges[i + 1]!, cap));
    return out;
  }

  /** The seqs of `source` known (held, pending or refused): repair waits only for the others. */
  private known(source: string): number[] {
    return this.ctx.eventIds.ranges(source);
  }

  /**
   * A neighbour's frontier: note what it holds and what it has that we lack, and send it what it
   * lacks. Returns whether it listed anything (an established peer always does) and whether it
   * holds events of sources other than this incarnation.
   */
  onFrontier(link: LinkEntry<E>, f: FrontierFrame, now: number): { listed: boolean; othersHistory: boolean } {
    const remote = this.frontierOf(link);
    // The first frontier of a link crosses ours (each side repairs the other when it arrives);
    // a later one (the neighbour synced or re-based) is followed by nothing unless we ask.
    const later = remote.received;
    // An answer comes within round trips (FIFO): a frontier long after the request is not one.
    const ask = this.asked.get(link.key);
    if (ask !== undefined) this.asked.delete(link.key);
    const answer =
      ask !== undefined && now - ask.at <= this.ctx.options.requestTimeoutMs ? ask.sources : undefined;
    // A frontier frame replaces what we assumed the neighbour holds. A vector longer than the
    // codec's limit comes in several full frames: only a short (final) frame drops unlisted sources.
    const complete = f.entries.length < this.ctx.codec.limits.maxFrontierEntries;
    if (complete) {
      const listed = new Set<string>();
      for (const e of f.entries) listed.add(e.source);
      for (const source of remote.holds.keys()) if (!listed.has(source)) remote.holds.delete(source);
      for (const source of remote.above.keys()) if (!listed.has(source)) remote.above.delete(source);
    }
    this.printX.received(remote, f.prints);
    remote.received = true;
    let othersHistory = false;
    let lacking: string[] | undefined;
    for (const e of f.entries) {
      remote.holds.set(e.source, e.seq);
      if (e.above !== undefined && e.above.length > 0) remote.above.set(e.source, e.above);
      else remote.above.delete(e.source);
      const claim = claimRanges(e.seq, e.above);
      const claimMax = rangeMax(claim);
      if (e.source === this.ctx.source) {
        // Only this incarnation stamps under its source: a neighbour claiming more of it holds
        // events of another peer running with the same id and incarnation (taken in all the
        // same, see reportConflict).
        if (claimMax > this.host.ownSeq()) this.reportConflict(link, claimMax);
      } else if (claimMax > 0) othersHistory = true;
      const mine = this.known(e.source);
      if (!covers(mine, claim)) {
        const x = this.announced.get(e.source);
        if (x === undefined || !covers(x.claim, claim))
          this.announced.set(e.source, { claim, since: now, by: link.key, held: rangeCount(mine) });
        if (e.source !== this.ctx.source) (lacking ??= []).push(e.source);
      }
    }
    this.repairTo(link);
    // Histories whose prints differ settled different events: they cannot be repaired event by
    // event, and the one outranked re-bases at once.
    if (this.printOrder(link) === 'greater') this.host.unrepairable();
    if (answer !== undefined) this.answered(link, answer);
    else if (later && lacking !== undefined && f.entries.length > 0 && this.host.askOnLaterFrontier)
      this.ask(link, lacking, now);
    return { listed: f.entries.length > 0, othersHistory };
  }

  /**
   * Ask `link`'s neighbour for the events of `sources` its later frontier announced and this
   * peer lacks. It sends what it holds of them, then (when it claims some it cannot send: folded
   * into its base) its frontier again, which answers the request (see {@link answered}).
   */
  private ask(link: LinkEntry<E>, sources: readonly string[], now: number, history = false): void {
    const remote = this.frontierOf(link);
    const span = this.ctx.options.quotas.maxRequestSpan;
    const max = Math.max(1, this.ctx.codec.limits.maxRanges);
    const ranges: { source: string; fromSeq: number; toSeq: number }[] = [];
    for (const source of sources) {
      const have = history ? this.mine(source) : this.known(source);
      const lack = missingFrom(have, claimOf(remote, source), max - ranges.length);
      for (let i = 0; i < lack.length; i += 2)
        ranges.push({ source, fromSeq: lack[i]!, toSeq: Math.min(lack[i + 1]!, lack[i]! + span - 1) });
      if (ranges.length >= max) break;
    }
    if (ranges.length === 0) return;
    this.asked.set(link.key, { sources: new Set(ranges.map((r) => r.source)), at: now });
    this.ctx.send(link, { type: 'request', ranges });
    this.ctx.stats.requestsSent += ranges.length;
  }

  /**
   * `link`'s neighbour answered our request for `sources` with its frontier (FIFO: every event it
   * could send came before): what it still claims and did not send, it cannot send. Given up at
   * once, as an unanswered announcement is after a timeout (see {@link awaitingRepairs}).
   */
  private answered(link: LinkEntry<E>, sources: ReadonlySet<string>): void {
    const remote = this.frontierOf(link);
    let unrepairable = false;
    for (const source of sources) {
      const claim = claimOf(remote, source);
      if (covers(this.known(source), claim)) continue;
      this.announced.delete(source);
      if (this.corroborated(source, link.key, rangeMax(claim))) unrepairable = true;
      else this.ctx.stats.claimsIgnored++;
    }
    if (unrepairable) this.host.unrepairable();
  }

  /**
   * A neighbour holds (or sent) events under this incarnation's source that it never stamped:
   * another peer runs with the same peer id and incarnation (or forged them). Reported once per
   * link as `SEQ_CONFLICT`. The events are taken like any other (the rest of the room holds
   * them: refusing them here would only split the state), and own seqs continue above them, so
   * no identity is ever used twice.
   */
  reportConflict(link: LinkEntry<E>, seq: number): void {
    const remote = this.frontierOf(link);
    if (remote.conflictReported) return;
    remote.conflictReported = true;
    this.ctx.report(
      new PeerError(
        'SEQ_CONFLICT',
        `neighbour ${link.peerId} holds ${this.ctx.source}#${seq}, which this peer never stamped ` +
          '(another peer uses the same id and incarnation)',
        { linkId: link.key, peerId: link.peerId },
      ),
    );
  }

  /** Send `link` every event we hold that its announced frontier lacks. */
  private repairTo(link: LinkEntry<E>): void {
    sendMissing(this.ctx, this.links, this.host, link, this.frontierOf(link).holds);
  }

  /**
   * A neighbour's request for seq ranges: send what we hold of them, at most
   * `quotas.maxRequestSpan` seqs of each range (a larger range is served in part, never taken as
   * abuse: an honest peer may ask for a gap a liar opened). Events of our state we claim and
   * cannot send (folded into the base): our frontier after what we sent tells the neighbour so
   * (it re-bases rather than wait for them).
   */
  onRequest(link: LinkEntry<E>, f: RequestFrame): void {
    if (serveRequest(this.ctx, this.links, this.host, link, f) && this.host.vouches())
      this.sendFrontier(link);
  }

  /**
   * Periodic: gap requests and prints still to compare. `bases`, when given, counts the changes
   * of the history's base (see Driver.bases): while it is the same, the prints are too and there
   * are none new to send.
   */
  housekeeping(now: number, bases?: number): void {
    this.gaps.request(now);
    if (bases !== undefined) {
      if (bases === this.printsAtBases) return;
      this.printsAtBases = bases;
    }
    this.sendNewPrints();
  }

  /**
   * `link`'s neighbour claims events this peer lacks, but its history does not outrank ours on
   * what its frontier said: that frontier may be old (repairs flowed both ways since). Ask it for
   * what we lack; it answers with its frontier when it cannot send them, and the answer is
   * judged again (see {@link answered}). Once per change of our history, at most every
   * request timeout, so two histories that stay apart do not ask each other forever.
   */
  refresh(link: LinkEntry<E>, now: number): void {
    let count = 0;
    for (const source of this.ctx.eventIds.ids()) count += rangeCount(this.mine(source));
    const last = this.refreshed.get(link.key);
    if (last !== undefined && (last.count === count || now - last.at < this.ctx.options.requestTimeoutMs))
      return;
    this.refreshed.set(link.key, { count, at: now });
    const lacking = this.historyLacks(link);
    if (lacking.length > 0) this.ask(link, lacking, now, true);
  }

  /**
   * `true` when `link`'s neighbour announced events this peer lacks, or is not known to hold
   * events this peer holds: their histories differ (repair or re-basing is under way).
   */
  historiesDiffer(link: LinkEntry<E>): boolean {
    return this.holdsMissing(link) || !this.dominates(link);
  }

  /**
   * `true` when `link`'s neighbour announced events this peer lacks, or its history's print
   * differs from ours (it settled events we lack, or lacks some we settled).
   */
  holdsMissing(link: LinkEntry<E>): boolean {
    return this.historyLacks(link).length > 0 || this.printOrder(link) !== 'equal';
  }

  /**
   * `true` when `link`'s neighbour's history printed otherwise than ours at a mark both kept:
   * it settled events ours did not, or the other way round.
   */
  otherHistory(link: LinkEntry<E>): boolean {
    return this.printOrder(link) !== 'equal';
  }

  /** The order of `link`'s neighbour's prints against ours (see history-rank.ts). */
  private printOrder(link: LinkEntry<E>): PrintOrder {
    return this.printX.order(this.frontierOf(link));
  }

  /**
   * A `prints` frame: `link`'s neighbour's history printed at marks past those it sent before.
   * Prints out of order are dropped (counted in `printsRefused`); prints greater than ours call
   * for a re-base at once, as on a frontier.
   */
  onPrints(link: LinkEntry<E>, f: PrintsFrame): void {
    if (!this.printX.appended(this.frontierOf(link), f.prints)) {
      this.ctx.stats.printsRefused++;
      return;
    }
    if (this.printOrder(link) === 'greater') this.host.unrepairable();
  }

  /**
   * Periodic: once this peer's base passed a new mark, send every neighbour that had its
   * frontier the prints it has not had yet, so histories on links open for long are compared on
   * fresh prints; neighbours' prints equal to the new ones become references to ours.
   */
  sendNewPrints(): void {
    if (!this.printX.newMark()) return;
    const vouches = this.host.vouches();
    for (const l of this.ctx.neighbours()) {
      const remote = vouches ? this.frontierOf(l) : l.remote;
      if (remote === undefined) continue;
      this.printX.share(remote);
      if (!vouches) continue;
      const prints = this.printX.newSince(remote);
      if (prints.length > 0) this.ctx.send(l, { type: 'prints', prints });
    }
  }

  /** The sources of which `link`'s neighbour claims events our history lacks. */
  private historyLacks(link: LinkEntry<E>): string[] {
    const remote = this.frontierOf(link);
    const lacking: string[] = [];
    for (const source of remote.holds.keys())
      if (!covers(this.mine(source), this.claimHere(remote, source))) lacking.push(source);
    return lacking;
  }

  /** `true` when every event a neighbour announced is held. */
  allAnnouncedHeld(): boolean {
    for (const [source, x] of this.announced) if (!covers(this.known(source), x.claim)) return false;
    return true;
  }

  /**
   * `true` while a neighbour announced events this peer still lacks. An announcement with no
   * repair arriving for `requestTimeoutMs` (at most `snapshotTimeoutMs`) is given up: compacted
   * away at the neighbours (reported as unrepairable).
   */
  awaitingRepairs(now: number): boolean {
    let awaiting = false;
    for (const [key, ask] of this.asked) {
      const remote = this.frontiers.get(key);
      for (const source of ask.sources)
        if (remote === undefined || covers(this.known(source), claimOf(remote, source)))
          ask.sources.delete(source);
      if (ask.sources.size === 0 || now - ask.at > this.ctx.options.requestTimeoutMs) this.asked.delete(key);
    }
    // Repairs follow a frontier at once (FIFO links): nothing arriving for a request timeout means
    // nobody on that link holds them any more.
    const giveUpMs = Math.min(this.ctx.options.snapshotTimeoutMs, this.ctx.options.requestTimeoutMs);
    for (const [source, x] of this.announced) {
      const mine = this.known(source);
      const have = rangeCount(mine);
      if (covers(mine, x.claim)) {
        this.announced.delete(source);
      } else if (have > x.held) {
        // Repairs are coming in: wait on.
        x.held = have;
        x.since = now;
        awaiting = true;
      } else if (now - x.since > giveUpMs) {
        this.announced.delete(source);
        if (this.corroborated(source, x.by, rangeMax(x.claim))) this.host.unrepairable();
        else this.ctx.stats.claimsIgnored++;
      } else {
        awaiting = true;
      }
    }
    return awaiting;
  }

  /**
   * A frontier is a claim, not a fact: events one neighbour announced (up to `seq`) and never
   * delivered call for a resync only when another neighbour also announced holding events of
   * `source` this peer lacks, when `by` is the only neighbour, or when the claim runs at most
   * {@link CLAIM_SLACK_SEQS} beyond what this peer and the others hold (a history split from this
   * side's), so one liar's made-up frontier cannot make honest peers re-base.
   */
  private corroborated(source: string, by: string, seq: number): boolean {
    const list = this.ctx.neighbours();
    if (list.length <= 1) return true;
    const mine = this.known(source);
    let others = rangeMax(mine);
    for (const l of list) {
      if (l.key === by) continue;
      const remote = this.frontiers.get(l.key);
      if (remote === undefined) continue;
      const claim = claimOf(remote, source);
      if (!covers(mine, claim)) return true;
      others = Math.max(others, rangeMax(claim));
    }
    return seq - others <= CLAIM_SLACK_SEQS;
  }

  /** `true` when `link`'s neighbour announced holding every event this peer holds. */
  private dominates(link: LinkEntry<E>): boolean {
    return dominates(this.frontierOf(link), this.own, this.printOrder(link));
  }

  /**
   * `true` when `link`'s neighbour's history outranks ours, so re-basing on its snapshot is the
   * way to reach what it holds and we cannot get (see history-rank.ts): an order on histories,
   * the same on every peer, so the whole room ends on one of them and a peer never re-bases back.
   */
  outranks(link: LinkEntry<E>): boolean {
    return outranks(this.frontierOf(link), this.own, this.printOrder(link));
  }

  /** This peer's history as ranking reads it. */
  private readonly own: OwnHistory = {
    sources: { [Symbol.iterator]: () => this.ctx.eventIds.ids() },
    mine: (source) => this.mine(source),
  };

  /** What `remote` claims of `source` above the seqs this peer settled and forgot. */
  private claimHere(remote: RemoteFrontier, source: string): number[] {
    const upTo =
      source === this.ctx.source ? this.forgottenOwn : (this.ctx.eventIds.tombstones.get(source)?.seq ?? 0);
    return above(claimOf(remote, source), upTo);
  }
}
