/**
 * The prints of histories a peer and its neighbours exchange (see core's `Timeline.prints` and
 * history-rank.ts): a frontier carries every print the sender keeps, and each time its base
 * passes a new mark a `prints` frame carries the prints the neighbour has not had yet; each
 * link keeps the neighbour's, as many as a timeline keeps, so both sides of a link compare from
 * the same marks.
 * @internal
 */
import { type FrontierPrint, MAX_FRONTIER_PRINTS } from '@symmetric/codec';
import { type PrintOrder, printOrder } from './history-rank.js';
import type { RemoteFrontier } from './remote-frontier.js';

/** Prints sent and received per link. @internal */
export class PrintExchange {
  /** The newest mark {@link newMark} saw. */
  private seenMark = Number.NEGATIVE_INFINITY;

  /**
   * @param prints this peer's history's prints, oldest first
   * @param bases how many times the history's base changed: the prints change only with it
   */
  constructor(
    private readonly prints: () => readonly FrontierPrint[],
    private readonly bases: () => number = () => Number.NaN,
  ) {}

  /** This peer's newest mark (-Infinity before the first). */
  newestMark(): number {
    const prints = this.prints();
    return prints.length === 0 ? Number.NEGATIVE_INFINITY : prints[prints.length - 1]!.tick;
  }

  /** The prints a frontier to `remote`'s neighbour carries (all kept), their newest mark noted. */
  toSend(remote: RemoteFrontier): readonly FrontierPrint[] {
    const all = this.prints();
    const prints = all.length > MAX_FRONTIER_PRINTS ? all.slice(-MAX_FRONTIER_PRINTS) : all;
    remote.sentMark = prints.length > 0 ? prints[prints.length - 1]!.tick : Number.NEGATIVE_INFINITY;
    return prints;
  }

  /**
   * The prints `remote`'s neighbour has not had since the last frontier or prints sent to it
   * (none when no frontier with prints went to it yet: its next frontier carries them).
   */
  newSince(remote: RemoteFrontier): readonly FrontierPrint[] {
    if (remote.sentMark === Number.POSITIVE_INFINITY) return [];
    const all = this.prints();
    let from = all.length;
    while (from > 0 && all[from - 1]!.tick > remote.sentMark) from--;
    if (from === all.length) return [];
    const prints = all.slice(Math.max(from, all.length - MAX_FRONTIER_PRINTS));
    remote.sentMark = prints[prints.length - 1]!.tick;
    return prints;
  }

  /** A frontier of `remote`'s neighbour carried `prints`: they stand for its whole history. */
  received(remote: RemoteFrontier, prints: readonly FrontierPrint[] | undefined): void {
    remote.prints = this.shared(increasing(prints ?? []));
  }

  /**
   * After this peer's base passed a new mark: `remote`'s neighbour's prints that are equal to
   * ours at the same mark become ours (see {@link shared}).
   */
  share(remote: RemoteFrontier): void {
    remote.prints = this.shared(remote.prints);
  }

  /**
   * `prints` with every print equal to ours at the same mark replaced by our own object: links
   * to neighbours on this peer's history (nearly all) then hold one reference per mark instead
   * of a copy. The same array when nothing was replaced.
   */
  private shared(prints: readonly FrontierPrint[]): readonly FrontierPrint[] {
    const mine = this.prints();
    if (mine.length === 0 || prints.length === 0) return prints;
    let out: FrontierPrint[] | undefined;
    let j = 0;
    for (let i = 0; i < prints.length; i++) {
      const p = prints[i]!;
      while (j < mine.length && mine[j]!.tick < p.tick) j++;
      if (j === mine.length) break;
      const m = mine[j]!;
      if (m !== p && m.tick === p.tick && m.count === p.count && m.digest === p.digest) {
        out ??= prints.slice();
        out[i] = m;
      }
    }
    return out ?? prints;
  }

  /**
   * A `prints` frame of `remote`'s neighbour: its prints at marks past those it sent before
   * (one at or before a mark it sent replaces the rest from there), the oldest dropped past
   * {@link MAX_FRONTIER_PRINTS}. `false` (nothing taken) when they are not in increasing marks.
   */
  appended(remote: RemoteFrontier, prints: readonly FrontierPrint[]): boolean {
    const next = increasing(prints);
    if (next.length !== prints.length || next.length === 0) return false;
    const first = next[0]!.tick;
    const kept = remote.prints.filter((p) => p.tick < first);
    const all = kept.concat(next);
    remote.prints = this.shared(all.length > MAX_FRONTIER_PRINTS ? all.slice(-MAX_FRONTIER_PRINTS) : all);
    return true;
  }

  /**
   * The order of the prints of `remote`'s neighbour against ours (read on every events frame:
   * kept until either side's prints change).
   */
  order(remote: RemoteFrontier): PrintOrder {
    // Our base has not changed since the order was read (so neither have our prints), nor have
    // theirs: the same order, told without reaching our prints.
    const bases = this.bases();
    const kept = remote.printOrder;
    if (kept !== undefined && kept.bases === bases && kept.theirs === remote.prints) return kept.order;
    const mine = this.prints();
    const n = mine.length;
    // Our prints change in place (a print appended, the oldest dropped, all replaced by an adopted
    // snapshot's), each print a new object: the same first and last objects in the same array
    // of the same length are the same prints, told without reading the prints themselves.
    const first = n === 0 ? undefined : mine[0];
    const last = n === 0 ? undefined : mine[n - 1];
    const c = remote.printOrder;
    if (
      c !== undefined &&
      c.theirs === remote.prints &&
      (c.mine === mine || n === 0) && // (no prints yet may come as a fresh empty array)
      c.length === n &&
      c.first === first &&
      c.last === last
    ) {
      if (c.bases !== bases) remote.printOrder = { ...c, bases }; // (the same prints under a new base)
      return c.order;
    }
    const order = printOrder(mine, remote.prints);
    remote.printOrder = { theirs: remote.prints, mine, length: n, first, last, order, bases };
    return order;
  }

  /** `true` once per new mark this peer's base passed. */
  newMark(): boolean {
    const mark = this.newestMark();
    if (mark === this.seenMark) return false;
    this.seenMark = mark;
    return true;
  }
}

/** The longest prefix of `prints` in strictly increasing marks. */
function increasing(prints: readonly FrontierPrint[]): readonly FrontierPrint[] {
  let n = 0;
  while (n < prints.length && (n === 0 || prints[n]!.tick > prints[n - 1]!.tick)) n++;
  return n === prints.length ? prints : prints.slice(0, n);
}
