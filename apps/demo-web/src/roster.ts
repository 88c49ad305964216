import { type DemoPresence, parsePresence } from '@symmetric/demo-node/apps';
import type { NeighbourInfo } from '@symmetric/peer';

/** One other peer in the room, as the panel lists it. */
export interface RosterEntry {
  readonly peerId: string;
  readonly name: string;
  readonly kind: DemoPresence['kind'] | 'unknown';
  /** `direct` when this page has a link to it (the hub), `via hub` otherwise. */
  readonly link: 'direct' | 'via hub';
  /** Round trip of the direct link, when measured. */
  readonly pingMs: number | undefined;
  /** How many ticks it is behind this page (negative: ahead), from its last presence. */
  readonly ticksBehind: number | undefined;
  /** Its published hash compared with this page's at the same tick. */
  readonly check: { readonly tick: number; readonly same: boolean } | undefined;
}

/** The cross-peer check: how many peers hold this page's state at the ticks they published. */
export interface CrossCheck {
  /** Peers whose published hash equals this page's at that tick. */
  readonly same: number;
  /** Peers whose hash could be compared. */
  readonly compared: number;
  /** Peers whose hash differs. */
  readonly differ: number;
  /** The newest tick compared (-1 when none). */
  readonly tick: number;
}

/** What the roster needs of the peer. */
export interface RosterSource {
  readonly tick: number;
  presence(): ReadonlyMap<string, unknown>;
  neighbours(): NeighbourInfo[];
  stateHashAt(tick: number): string | undefined;
}

/**
 * Follows the other peers' presence and works out, per peer, its name, link, ping, how far
 * behind it is (its published tick plus the ticks elapsed since it arrived, against this page's
 * tick) and whether it holds the same state (its published hash against this page's hash at the
 * same tick).
 */
export class Roster {
  private readonly arrivals = new Map<string, { tick: number; at: number }>();

  /** @param fps ticks per second of the room */
  constructor(private readonly fps: number) {}

  /** Records when a peer's presence arrived (call from the peer's `presence` event). */
  arrived(peerId: string, data: unknown, now: number): void {
    const p = parsePresence(data);
    if (p === undefined) this.arrivals.delete(peerId);
    else this.arrivals.set(peerId, { tick: p.tick, at: now });
  }

  /** The other peers, neighbours first, then by name. */
  entries(peer: RosterSource, now: number): RosterEntry[] {
    const out: RosterEntry[] = [];
    const direct = new Map(peer.neighbours().map((n) => [n.peerId, n]));
    const ids = new Set([...direct.keys(), ...peer.presence().keys()]);
    for (const id of ids) {
      const p = parsePresence(peer.presence().get(id));
      const n = direct.get(id);
      const arrival = this.arrivals.get(id);
      const theirs =
        arrival === undefined ? undefined : arrival.tick + ((now - arrival.at) * this.fps) / 1000;
      const mine = p?.check === null || p === undefined ? undefined : peer.stateHashAt(p.check.tick);
      out.push({
        peerId: id,
        name: p?.name ?? id.slice(0, 6),
        kind: p?.kind ?? 'unknown',
        link: n === undefined ? 'via hub' : 'direct',
        pingMs: n?.rttMs,
        ticksBehind: theirs === undefined ? undefined : Math.round(peer.tick - theirs),
        check:
          p?.check === null || p === undefined || mine === undefined
            ? undefined
            : { tick: p.check.tick, same: mine === p.check.hash },
      });
    }
    return out.sort(
      (a, b) => (a.link === b.link ? 0 : a.link === 'direct' ? -1 : 1) || a.name.localeCompare(b.name),
    );
  }

  /** Sums the per-peer checks of `entries`. */
  static check(entries: readonly RosterEntry[]): CrossCheck {
    let same = 0;
    let differ = 0;
    let tick = -1;
    for (const e of entries) {
      if (e.check === undefined) continue;
      if (e.check.same) same++;
      else differ++;
      tick = Math.max(tick, e.check.tick);
    }
    return { same, differ, compared: same + differ, tick };
  }
}
