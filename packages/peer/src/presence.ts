/**
 * The ephemeral channel's table: the newest data of every known peer, deduplicated by the
 * source's per-update counter, expiring when not refreshed. Never enters the timeline.
 * @internal
 */
export interface PresenceEntry {
  seq: number;
  data: unknown;
  /** Relay hops left when received (forwarded with one less). */
  hops: number;
  /** Time (ms) after which the entry expires. */
  expiresAt: number;
}

/** @internal */
export class PresenceTable {
  /** Live entries (data !== null). */
  readonly entries = new Map<string, PresenceEntry>();
  /** Highest seq seen per source, kept after `null`/expiry so old updates stay dropped. */
  private readonly seen = new Map<string, number>();

  /**
   * Apply an update; returns `true` when it is newer than anything seen from `source` (the
   * caller then reports it and relays it).
   */
  apply(source: string, seq: number, data: unknown, hops: number, expiresAt: number): boolean {
    const last = this.seen.get(source);
    if (last !== undefined && seq <= last) return false;
    this.seen.set(source, seq);
    if (data === null) this.entries.delete(source);
    else this.entries.set(source, { seq, data, hops, expiresAt });
    return true;
  }

  /** Remove expired entries; returns their sources and the user data they held. */
  expire(now: number): { source: string; user: unknown }[] {
    const gone: { source: string; user: unknown }[] = [];
    for (const [source, e] of this.entries) {
      if (e.expiresAt <= now) {
        this.entries.delete(source);
        gone.push({ source, user: Array.isArray(e.data) ? ((e.data[0] as unknown) ?? null) : null });
      }
    }
    return gone;
  }

  /** Current data per source. */
  snapshot(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const [source, e] of this.entries) out.set(source, e.data);
    return out;
  }
}
