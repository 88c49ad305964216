/**
 * SYNC: this peer's clock time to each neighbour and theirs into the clock
 * (`@symmetric/clock-sync`). The clock owns the schedule (`syncDue`: a burst of 8 at 250 ms on a
 * new link, then every `syncIntervalMs`); the first two SYNCs received on a link are answered at
 * once so the round trip is known after one RTT. Also the clock's readings the other components
 * use (network tick, clock tick).
 * @internal
 */
import { ClockError } from '@symmetric/clock-sync';
import type { SyncFrame } from '@symmetric/codec';
import type { PeerContext } from './context.js';
import { PeerError } from './errors.js';
import { peerIdOf } from './identity.js';
import type { LinkEntry, LinkTable } from './links.js';

/** SYNCs received on a link that are answered at once. */
const ANSWERED_AT_ONCE = 2;

/** The per-link checks of a housekeeping round besides SYNC (see {@link SyncExchange.checkLinks}). @internal */
export interface LinkChecks<E> {
  /** A link still in its handshake: close it when it took too long. */
  handshake(link: LinkEntry<E>, now: number): void;
  /** A running link: `false` (and the link closed) when nothing was heard for `quotas.idleTimeoutMs`. */
  idle(link: LinkEntry<E>, now: number): boolean;
}

/** The SYNC exchange and the clock's readings. @internal */
export class SyncExchange<S, E> {
  /** SYNCs received per link. */
  private readonly received = new Map<string, number>();
  /** Links whose frontier vouched (they speak for the room's time; see {@link voice}). */
  private readonly voiced = new Set<string>();
  /** The links list the last {@link checkLinks} walked (a new list, a link opened or closed: walk all). */
  private checked: readonly LinkEntry<E>[] | undefined;
  /**
   * Per link of {@link checked} (by index): before this local time nothing is due on it (no
   * SYNC, no idle timeout; `-Infinity` in its handshake).
   */
  private dueAt = new Float64Array(8);
  /** The earliest of {@link dueAt}: before it, a round has no link to look at. */
  private linksDueAt = Number.NEGATIVE_INFINITY;
  /** The link whose checks are under way (its SYNC due time is read again after them). */
  private checking: LinkEntry<E> | undefined;
  /** A SYNC went out on another link outside its checks: its due time moved, look at all. */
  private stale = false;

  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly links: LinkTable<E>,
    /** The simulated tick (the fallback when the clock cannot say). */
    private readonly simulatedTick: () => number,
  ) {}

  /** Send a SYNC on `link` now. */
  send(link: LinkEntry<E>, now: number): void {
    // A new neighbour speaks for the room's time once its frontier vouches (see `voice`); until
    // its first frontier, a clock not established waits a little for it.
    if (!this.received.has(link.key)) {
      this.received.set(link.key, 0);
      if (!this.voiced.has(link.key)) this.ctx.clock.setVoice(link.key, undefined);
    }
    const m = this.ctx.clock.syncFor(link.key, now);
    const frame: SyncFrame =
      m.echo === undefined
        ? { type: 'sync', time: m.time, tick: m.tick }
        : { type: 'sync', time: m.time, tick: m.tick, echo: m.echo };
    link.syncDueAt = this.ctx.clock.syncDueAt(link.key);
    if (link !== this.checking) this.stale = true;
    this.ctx.send(link, frame);
    this.ctx.stats.syncsSent++;
  }

  /** Send a SYNC on `link` if the clock says one is due (asked only once the last send's due time came). */
  sendIfDue(link: LinkEntry<E>, now: number): void {
    if (now >= link.syncDueAt && this.ctx.clock.syncDue(link.key, now)) this.send(link, now);
  }

  /**
   * Housekeeping's link checks: each link in its handshake is checked for its timeout, each
   * running link for being idle and, when it is not, sent a SYNC if one is due. A link with
   * nothing due is not looked at (the checks would do nothing): its next due time is its SYNC due
   * time or half the idle timeout after the last frame heard, whichever is first (frames only
   * move the latter on). A new list of links, or a SYNC sent on a link outside its checks, makes
   * the next round look at every link.
   */
  checkLinks(now: number, checks: LinkChecks<E>): void {
    const links = this.links.list(); // the links now (closing one replaces the table's list)
    const all = links !== this.checked || this.stale;
    if (!all && now < this.linksDueAt) return;
    if (all && this.dueAt.length < links.length) this.dueAt = new Float64Array(links.length * 2);
    // Until the walk completes, the due times are not to be trusted (a check that throws leaves
    // them half updated: the next round looks at every link).
    this.checked = undefined;
    this.stale = false;
    const dueAt = this.dueAt;
    const idleMs = this.ctx.options.quotas.idleTimeoutMs;
    let next = Number.POSITIVE_INFINITY;
    for (let i = 0; i < links.length; i++) {
      if (!all && now < dueAt[i]!) {
        next = Math.min(next, dueAt[i]!);
        continue;
      }
      const l = links[i]!;
      this.checking = l;
      if (l.kind === 'handshaking') checks.handshake(l, now);
      else if (l.kind === 'running' && checks.idle(l, now)) this.sendIfDue(l, now);
      this.checking = undefined;
      const due = linkDue(l, idleMs);
      dueAt[i] = due;
      next = Math.min(next, due);
    }
    this.checked = links;
    this.linksDueAt = next;
  }

  /** A SYNC from `link`: into the clock (a bad one closes the link). */
  onSync(link: LinkEntry<E>, f: SyncFrame, now: number): void {
    try {
      this.ctx.clock.onSync(
        link.key,
        f.echo === undefined
          ? { time: f.time, tick: f.tick }
          : { time: f.time, tick: f.tick, echo: { time: f.echo.time, holdMs: f.echo.holdMs } },
        now,
      );
    } catch (error) {
      if (error instanceof ClockError && error.code === 'CLOCK_LIE') {
        const lie = new PeerError('CLOCK_LIE', `SYNC from ${link.peerId}: ${error.message}`, {
          linkId: link.key,
          peerId: link.peerId,
          cause: error,
        });
        this.links.linkError(link, lie, true);
        return;
      }
      if (error instanceof ClockError) {
        this.links.linkError(link, this.links.protocolError(link, `bad SYNC: ${error.message}`, error), true);
        return;
      }
      throw error;
    }
    const n = (this.received.get(link.key) ?? 0) + 1;
    this.received.set(link.key, n);
    if (n <= ANSWERED_AT_ONCE) this.send(link, now);
  }

  /**
   * A validly signed event from `link`: evidence that its author's clock was at least its tick
   * minus the largest stamping delay (5 s, or the fixed Δ when larger). The author is the link's
   * own neighbour (origin: the link) or someone further away (origin: its peer id).
   */
  witness(link: LinkEntry<E>, ev: { readonly source: string; readonly tick: number }, now: number): void {
    const fps = this.ctx.options.fps;
    const delay = this.ctx.options.delay;
    const slack = Math.ceil(Math.max(5 * fps, delay === 'auto' ? 0 : (delay * fps) / 1000));
    const author = peerIdOf(ev.source);
    const origin = author === link.peerId ? link.key : author;
    try {
      this.ctx.clock.witness(origin, ev.tick - slack, now);
    } catch {
      // A time the clock refuses: no evidence.
    }
  }

  /** Whether `link`'s neighbour speaks for the room's time: its last frontier vouched (`listed`). */
  voice(link: LinkEntry<E>, listed: boolean): void {
    if (listed) this.voiced.add(link.key);
    else this.voiced.delete(link.key);
    try {
      this.ctx.clock.setVoice(link.key, listed, this.ctx.now());
    } catch {
      this.ctx.clock.setVoice(link.key, listed); // a time the clock refuses: weighed at the next SYNC
    }
  }

  /** Link `key` closed. */
  linkClosed(key: string): void {
    this.received.delete(key);
    this.voiced.delete(key);
    this.ctx.clock.dropLink(key);
  }

  /** The clock's whole tick at `now` (the simulated tick when the clock cannot say). */
  clockTickAt(now: number): number {
    try {
      const t = Math.floor(this.ctx.clock.clockTick(now));
      return Number.isFinite(t) ? t : this.simulatedTick();
    } catch {
      return this.simulatedTick();
    }
  }

  /** The clock's estimate of the network's tick at `now` (the simulated tick when it cannot say). */
  networkTick(now: number): number {
    try {
      const t = this.ctx.clock.networkTick(now);
      return Number.isFinite(t) ? t : this.simulatedTick();
    } catch {
      return this.simulatedTick();
    }
  }
}

/** Before this local time nothing is due on `link` (see {@link SyncExchange.checkLinks}). */
function linkDue<E>(link: LinkEntry<E>, idleMs: number): number {
  const kind = link.kind;
  if (kind === 'closed') return Number.POSITIVE_INFINITY;
  const use = link.quotaUse;
  if (kind === 'handshaking' || use === undefined) return Number.NEGATIVE_INFINITY;
  // Half the timeout: well inside it whatever the rounding of `now - lastHeard`.
  return Math.min(link.syncDueAt, link.lastHeard + idleMs / 2);
}
