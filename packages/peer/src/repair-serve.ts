/**
 * Serving repairs: the events a neighbour's frontier lacks, and the seq ranges it requests.
 * @internal
 */
import type { RequestFrame } from '@symmetric/codec';
import type { PeerContext } from './context.js';
import type { LinkEntry, LinkTable } from './links.js';
import type { RepairHost } from './repair.js';
import type { SourceSeqs } from './source-seqs.js';

/**
 * Send `link` every event we hold above what it holds (`holds`, advanced as they go).
 * @internal
 */
export function sendMissing<S, E>(
  ctx: PeerContext<S, E>,
  links: LinkTable<E>,
  host: RepairHost<E>,
  link: LinkEntry<E>,
  holds: SourceSeqs,
): void {
  const known = ctx.eventIds;
  for (let s = known.first(); s >= 0; s = known.after(s)) {
    // What it holds at the peer's slot of the source (the links' tables share the known ids' slots).
    const theirs = holds.seqAt(s);
    const max = known.maxAt(s);
    if (max <= theirs) continue;
    const source = known.idAt(s);
    const events = host.eventsOf(source, theirs + 1, max);
    if (events.length === 0) continue;
    for (const ev of events) {
      const h = holds.get(ev.source) ?? 0;
      if (ev.seq === h + 1) holds.set(ev.source, ev.seq);
    }
    links.sendEvents(link, events);
    ctx.stats.repairsSent += events.length;
    if (link.kind === 'closed') return;
  }
}

/**
 * Send `link` what we hold of the seq ranges it requested, at most `quotas.maxRequestSpan` seqs
 * of each. Returns `true` when some it asked for are in our history (claimed in our frontier)
 * and could not be sent: folded into the base.
 * @internal
 */
export function serveRequest<S, E>(
  ctx: PeerContext<S, E>,
  links: LinkTable<E>,
  host: RepairHost<E>,
  link: LinkEntry<E>,
  f: RequestFrame,
): boolean {
  const span = ctx.options.quotas.maxRequestSpan;
  const own = ctx.source;
  let unserved = false;
  for (const r of f.ranges) {
    if (r.toSeq < r.fromSeq) continue;
    const to = Math.min(r.toSeq, r.fromSeq + span - 1);
    const events = host.eventsOf(r.source, r.fromSeq, to);
    // Claimed (in our frontier: our history holds it) and not sent: folded into the base.
    const claimed = r.source === own ? Math.min(host.releasedSeq(), to) : to;
    if (!unserved && claimed >= r.fromSeq) {
      const sent = new Set<number>();
      for (const e of events) sent.add(e.seq);
      for (let seq = r.fromSeq; seq <= claimed && !unserved; seq++)
        if (!sent.has(seq) && host.holds(r.source, seq)) unserved = true;
    }
    if (events.length === 0) continue;
    links.sendEvents(link, events);
    ctx.stats.repairsSent += events.length;
    if (link.kind === 'closed') return false;
  }
  return unserved;
}
