/**
 * Recovery windows (docs/simulator.md, "Metrics"): from a peer coming (back) online, or its reachable set
 * growing at a heal, until its tick reaches the peers it can reach. Only the time the network is
 * within reach counts; the rest is reported as waiting.
 */
import {
  type AfterRecoveryStats,
  type PaperRecoveryStats,
  type RecoveryStats,
  recoveryStatsOf,
  round6,
} from './metrics.js';
import { ValueCounts } from './value-counts.js';

/** How long after a recovery the ticks a peer still travels back are counted, ms. */
export const AFTER_RECOVERY_MS = 5000;

/**
 * A recovering peer within this many ticks of the largest tick it is compared with is back:
 * one tick of frame phase plus one of normal skew (up-to-date clocks differ by a tick or two,
 * more at the far end of a line of peers each following the previous one).
 */
const RECOVERY_SLACK_TICKS = 2;

/** The components of one update (see `RecoveryTracker.#reach`). */
interface Reach {
  /** The tick online, recovering peer `i` has recovered at (see `RecoveryTracker.#target`). */
  target(i: number): number | undefined;
  /** Peer `i` (online) just recovered at `tick`: it is up to date from now on. */
  recovered(i: number, tick: number): void;
}

/** What the tracker reads of the running network. */
export interface ReachView {
  /** `true` while peer `i` is online. */
  online(i: number): boolean;
  /** Tick of peer `i`'s runtime, `undefined` when it has none. */
  tick(i: number): number | undefined;
  /** `true` while the link between `a` and `b` is cut. */
  isCut(a: number, b: number): boolean;
  /** Ticks peer `i`'s current runtime has travelled back so far (0 when it has none). */
  travelledBack?(i: number): number;
}

/** Open recovery windows of every peer, and the recoveries measured so far. */
export class RecoveryTracker {
  readonly #adj: readonly (readonly number[])[];
  readonly #view: ReachView;
  readonly #fromMs: number;
  /** Per peer: when its open window started (run ms), if it is recovering. */
  readonly #since: (number | undefined)[];
  /** Per peer: since when, in the open window, it can reach an up-to-date peer, if it can. */
  readonly #reachableSince: (number | undefined)[];
  /** Per peer: time in the open window spent within reach before `reachableSince`. */
  readonly #reachedMs: number[];
  /** Recovery times and the waits before them, ms (counts per value: a long run adds few values). */
  readonly #recoveries = new ValueCounts();
  readonly #waits = new ValueCounts();
  /** Per peer: since when it is back online and has not reached the network's largest tick. */
  readonly #paperSince: (number | undefined)[];
  readonly #paperRecoveries = new ValueCounts();
  /** Per peer: the window after its last recovery (ticks travelled back at its start, its end). */
  readonly #after: ({ readonly base: number; readonly untilMs: number } | undefined)[];
  readonly #afterTicks = new ValueCounts();
  /**
   * How many peers have an open window, an open window of the paper's definition, an
   * after-recovery window: an update with none of a kind open reads no peer for it.
   */
  #openWindows = 0;
  #openPaper = 0;
  #openAfter = 0;

  /** Windows opened before `fromMs` (the warm-up end) are tracked but not measured. */
  constructor(adj: readonly (readonly number[])[], view: ReachView, fromMs: number) {
    this.#adj = adj;
    this.#view = view;
    this.#fromMs = fromMs;
    const n = adj.length;
    this.#since = new Array<number | undefined>(n).fill(undefined);
    this.#reachableSince = new Array<number | undefined>(n).fill(undefined);
    this.#reachedMs = new Array<number>(n).fill(0);
    this.#paperSince = new Array<number | undefined>(n).fill(undefined);
    this.#after = new Array(n).fill(undefined);
  }

  /**
   * Peer `i` came (back) online (`online`, the default), or can reach more of the network
   * (`heal`), at `atMs`. Only coming online opens a window of the paper's definition.
   */
  open(i: number, atMs: number, kind: 'online' | 'heal' = 'online'): void {
    this.#setSince(i, atMs);
    this.#reachableSince[i] = undefined;
    this.#reachedMs[i] = 0;
    if (kind === 'online') this.#setPaperSince(i, atMs);
    this.#closeAfter(i);
  }

  /** Peer `i` went offline: its open windows are dropped (and its after-recovery window ends). */
  drop(i: number): void {
    this.#setSince(i, undefined);
    this.#setPaperSince(i, undefined);
    this.#closeAfter(i);
  }

  /** Open (a time) or close (`undefined`) peer `i`'s window, keeping the count of open ones. */
  #setSince(i: number, since: number | undefined): void {
    this.#openWindows += (since === undefined ? 0 : 1) - (this.#since[i] === undefined ? 0 : 1);
    this.#since[i] = since;
  }

  /** Open or close peer `i`'s window of the paper's definition, keeping the count. */
  #setPaperSince(i: number, since: number | undefined): void {
    this.#openPaper += (since === undefined ? 0 : 1) - (this.#paperSince[i] === undefined ? 0 : 1);
    this.#paperSince[i] = since;
  }

  /** End peer `i`'s after-recovery window now, recording what it travelled back in it. */
  #closeAfter(i: number): void {
    const after = this.#after[i];
    if (after === undefined) return;
    this.#after[i] = undefined;
    this.#openAfter--;
    this.#afterTicks.add(Math.max(0, (this.#view.travelledBack?.(i) ?? after.base) - after.base));
  }

  /**
   * The paper's definition: from coming back online, waiting included, until the peer's tick
   * reaches the largest tick of every other online peer at that instant.
   */
  #updatePaper(atMs: number): void {
    if (this.#openPaper === 0) return;
    const n = this.#adj.length;
    const view = this.#view;
    let largest = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      const tick = view.online(j) ? view.tick(j) : undefined;
      if (tick !== undefined && tick > largest) largest = tick;
    }
    for (let i = 0; i < n; i++) {
      const since = this.#paperSince[i];
      const tick = view.tick(i);
      if (since === undefined || tick === undefined || tick < largest) continue;
      if (since >= this.#fromMs) this.#paperRecoveries.add(atMs - since);
      this.#setPaperSince(i, undefined);
    }
  }

  /** `true` while peer `i` has an open window. */
  isRecovering(i: number): boolean {
    return this.#since[i] !== undefined;
  }

  /** Close every window whose peer has caught up by `atMs`. */
  update(atMs: number): void {
    const n = this.#adj.length;
    this.#updatePaper(atMs);
    for (let i = 0; i < n && this.#openAfter > 0; i++) {
      const after = this.#after[i];
      if (after !== undefined && atMs >= after.untilMs) this.#closeAfter(i);
    }
    let reach: Reach | undefined;
    for (let i = 0; i < n && this.#openWindows > 0; i++) {
      const since = this.#since[i];
      const tick = this.#view.tick(i);
      if (since === undefined || tick === undefined) continue;
      // Time without an up-to-date peer within reach (every neighbour offline, or only fresh
      // restarts around, also when that happens again mid-way) is reported apart as waiting.
      reach ??= this.#reach();
      const target = this.#view.online(i) ? reach.target(i) : this.#target(i);
      if (target === undefined) {
        const reachable = this.#reachableSince[i];
        if (reachable !== undefined) this.#reachedMs[i]! += atMs - reachable;
        this.#reachableSince[i] = undefined;
        continue;
      }
      const reachable = this.#reachableSince[i] ?? atMs;
      this.#reachableSince[i] = reachable;
      if (tick >= target) {
        if (since >= this.#fromMs) {
          const recovery = this.#reachedMs[i]! + (atMs - reachable);
          this.#recoveries.add(recovery);
          this.#waits.add(atMs - since - recovery);
          if (this.#view.travelledBack !== undefined) {
            if (this.#after[i] === undefined) this.#openAfter++;
            this.#after[i] = { base: this.#view.travelledBack(i), untilMs: atMs + AFTER_RECOVERY_MS };
          }
        }
        this.#setSince(i, undefined);
        this.#reachableSince[i] = undefined;
        if (this.#view.online(i)) reach.recovered(i, tick);
      }
    }
  }

  /**
   * What every online peer reaches now: the connected components of the online peers with a
   * runtime over uncut links, with their largest tick and the largest and smallest tick of their
   * up-to-date members (those not recovering). One walk per update instead of one per recovering
   * peer; {@link Reach.recovered} keeps it exact while the update closes windows.
   */
  #reach(): Reach {
    const n = this.#adj.length;
    const view = this.#view;
    const comp = new Int32Array(n).fill(-1);
    const maxAll: number[] = [];
    const maxUp: number[] = [];
    const minUp: number[] = [];
    const size: number[] = [];
    let upToDateOnline = 0;
    let online = 0;
    const stack: number[] = [];
    for (let s0 = 0; s0 < n; s0++) {
      if (!view.online(s0)) continue;
      online++;
      if (this.#since[s0] === undefined) upToDateOnline++;
      const t0 = view.tick(s0);
      if (comp[s0] !== -1 || t0 === undefined) continue;
      const c = size.length;
      let members = 0;
      let all = Number.NEGATIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      let lo = Number.POSITIVE_INFINITY;
      comp[s0] = c;
      stack.push(s0);
      while (stack.length > 0) {
        const v = stack.pop()!;
        const tick = view.tick(v)!;
        members++;
        if (tick > all) all = tick;
        if (this.#since[v] === undefined) {
          if (tick > hi) hi = tick;
          if (tick < lo) lo = tick;
        }
        for (const w of this.#adj[v]!) {
          if (comp[w] !== -1 || view.isCut(v, w) || !view.online(w) || view.tick(w) === undefined) continue;
          comp[w] = c;
          stack.push(w);
        }
      }
      size.push(members);
      maxAll.push(all);
      maxUp.push(hi);
      minUp.push(lo);
    }
    return {
      target: (i) => {
        const c = comp[i]!;
        if (maxUp[c]! > Number.NEGATIVE_INFINITY)
          return Math.min(maxUp[c]! - RECOVERY_SLACK_TICKS, minUp[c]!);
        // `i` itself is online and recovering: the other peers are the rest of the counts.
        if (upToDateOnline > 0) return undefined;
        if (size[c] === 1 && online > 1) return undefined;
        return maxAll[c]! - RECOVERY_SLACK_TICKS;
      },
      recovered: (i, tick) => {
        const c = comp[i]!;
        upToDateOnline++;
        if (tick > maxUp[c]!) maxUp[c] = tick;
        if (tick < minUp[c]!) minUp[c] = tick;
      },
    };
  }

  /** Size of each online peer's connected component over uncut links (0 when offline). */
  componentSizes(): Int32Array {
    const n = this.#adj.length;
    const view = this.#view;
    const size = new Int32Array(n);
    const seen = new Uint8Array(n);
    for (let s0 = 0; s0 < n; s0++) {
      if (seen[s0] === 1 || !view.online(s0)) continue;
      const members = [s0];
      seen[s0] = 1;
      for (let k = 0; k < members.length; k++) {
        const v = members[k]!;
        for (const w of this.#adj[v]!) {
          if (seen[w] === 1 || !view.online(w) || view.isCut(v, w)) continue;
          seen[w] = 1;
          members.push(w);
        }
      }
      for (const v of members) size[v] = members.length;
    }
    return size;
  }

  /**
   * Recoveries by the paper's definition (coming back online, waiting included, until the
   * largest tick of the network), with the windows still open at the end as unrecovered.
   */
  paperStats(): PaperRecoveryStats {
    const r = this.#paperRecoveries.summary();
    return {
      count: r.count,
      mean: r.count === 0 ? 0 : round6(r.sum / r.count / 1000),
      p50: round6(r.at(0.5) / 1000),
      p95: round6(r.at(0.95) / 1000),
      unrecovered: this.#paperSince.filter((s) => s !== undefined && s >= this.#fromMs).length,
    };
  }

  /**
   * Ticks travelled back by each recovered peer in the {@link AFTER_RECOVERY_MS} after it counts
   * as recovered (today's definition; a window cut short by going offline or re-opening counts
   * what it saw). Windows still running are closed now.
   */
  afterStats(): AfterRecoveryStats {
    for (let i = 0; i < this.#after.length; i++) this.#closeAfter(i);
    const t = this.#afterTicks.summary();
    return {
      windowS: AFTER_RECOVERY_MS / 1000,
      count: t.count,
      withRollback: this.#afterTicks.summary((x) => x > 0).count,
      meanTicks: t.count === 0 ? 0 : round6(t.sum / t.count),
      p95Ticks: t.at(0.95),
      maxTicks: t.max,
    };
  }

  /** The measured recoveries, with the windows still open at the end counted as unrecovered. */
  stats(): RecoveryStats {
    const unrecovered = this.#since.filter((s) => s !== undefined && s >= this.#fromMs).length;
    return recoveryStatsOf(this.#recoveries, unrecovered, this.#waits);
  }

  /**
   * The tick peer `i` has recovered at: the largest tick among the online peers it can reach
   * that are not recovering themselves (they hold the room's time; a peer that came back with
   * nothing, or is still catching up, does not), less {@link RECOVERY_SLACK_TICKS}, or the
   * smallest of those ticks if that is lower (being within their spread is being back).
   * `undefined` while `i` reaches no such peer although one is online somewhere: it has not
   * really come back yet (its neighbours are offline, or only fresh restarts are around). When no
   * online peer anywhere is up to date (everyone restarted), the largest tick it reaches counts,
   * itself included.
   */
  #target(i: number): number | undefined {
    const n = this.#adj.length;
    const view = this.#view;
    const seen = new Uint8Array(n);
    const stack = [i];
    seen[i] = 1;
    let maxAll = view.tick(i) ?? 0;
    let maxUpToDate = Number.NEGATIVE_INFINITY;
    let minUpToDate = Number.POSITIVE_INFINITY;
    let reached = 0;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const w of this.#adj[v]!) {
        if (seen[w] === 1 || view.isCut(v, w)) continue;
        const tick = view.tick(w);
        if (!view.online(w) || tick === undefined) continue;
        seen[w] = 1;
        reached++;
        if (tick > maxAll) maxAll = tick;
        if (this.#since[w] === undefined) {
          if (tick > maxUpToDate) maxUpToDate = tick;
          if (tick < minUpToDate) minUpToDate = tick;
        }
        stack.push(w);
      }
    }
    if (maxUpToDate > Number.NEGATIVE_INFINITY)
      return Math.min(maxUpToDate - RECOVERY_SLACK_TICKS, minUpToDate);
    const others = (test: (j: number) => boolean): boolean => {
      for (let j = 0; j < n; j++) if (j !== i && test(j)) return true;
      return false;
    };
    if (others((j) => view.online(j) && this.#since[j] === undefined)) return undefined;
    if (reached === 0 && others((j) => view.online(j))) return undefined;
    return maxAll - RECOVERY_SLACK_TICKS;
  }
}
