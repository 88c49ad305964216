/**
 * The prints of histories a peer and its neighbours exchange in frontiers (see core's
 * `Timeline.prints` and history-rank.ts): what is sent to each neighbour (the newest few, their
 * newest mark noted), what each sent, the mark each link opened at, the order of two histories'
 * prints, and which links to send prints again once the base passed a new mark.
 * @internal
 */
import { type FrontierPrint, MAX_FRONTIER_PRINTS } from '@symmetric/codec';
import { type PrintOrder, printOrder } from './history-rank.js';
import type { RemoteFrontier } from './remote-frontier.js';

/** Prints sent and received per link. @internal */
export class PrintExchange {
  /** The newest mark {@link newMark} saw. */
  private seenMark = Number.NEGATIVE_INFINITY;

  /** `prints`: this peer's history's prints, oldest first. */
  constructor(private readonly prints: () => readonly FrontierPrint[]) {}

  /** This peer's newest mark (-Infinity before the first). */
  newestMark(): number {
    const prints = this.prints();
    return prints.length === 0 ? Number.NEGATIVE_INFINITY : prints[prints.length - 1]!.tick;
  }

  /** The prints to send the neighbour of `remote` (the newest few), their newest mark noted. */
  toSend(remote: RemoteFrontier): readonly FrontierPrint[] {
    const all = this.prints();
    const prints = all.length > MAX_FRONTIER_PRINTS ? all.slice(-MAX_FRONTIER_PRINTS) : all;
    if (prints.length > 0) remote.sentMark = prints[prints.length - 1]!.tick;
    return prints;
  }

  /** A frontier of the neighbour of `remote` carried `prints` (its first when `first`). */
  received(remote: RemoteFrontier, prints: readonly FrontierPrint[] | undefined, first: boolean): void {
    if (first) remote.openMark = this.newestMark();
    remote.prints = prints ?? [];
  }

  /** The order of the prints of `remote`'s neighbour against ours. */
  order(remote: RemoteFrontier): PrintOrder {
    return printOrder(this.prints(), remote.prints, remote.sentMark, remote.openMark);
  }

  /** `true` once per new mark this peer's base passed. */
  newMark(): boolean {
    const mark = this.newestMark();
    if (mark === this.seenMark) return false;
    this.seenMark = mark;
    return true;
  }
}
