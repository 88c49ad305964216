/**
 * The choice of a clock's next reference: among its links, the neighbour whose clock leads the
 * current reference's clearly (beyond the noise of both, with a floor for what the noise cannot
 * see) and for long enough.
 * @internal
 */
import type { MinorityGuard } from './guard.js';
import type { LinkState } from './link-state.js';

/** What {@link clearLead} weighs each link against. @internal */
export interface LeadTerms {
  /** Added to a link's offset `u`: the clock's own anchor difference, less any jump just made. */
  readonly base: number;
  /** The current reference's offset (0 without one). */
  readonly refOff: number;
  /** The current reference's noise figure (0 without one). */
  readonly refSigma: number;
  /** The current reference's minimum round trip, ms (0 without one). */
  readonly refMinRtt: number;
  /** Margin and patience factor (wider for a clock that is the network's reference). */
  readonly scale: number;
  /** Samples a link needs before it may lead. */
  readonly adoptAfter: number;
  /** The switch margin's ceiling, ticks. */
  readonly switchTicks: number;
  readonly fps: number;
  /** How long a modest lead must last, ms (shorter for a clearer one). */
  readonly switchAfterMs: number;
}

/** The link with the clearest persistent lead (`id` undefined when none): by how much, and the margin it beat. @internal */
export interface Lead {
  id: string | undefined;
  by: number;
  margin: number;
}

/** The one result record (no allocation per call: read it before the next call). */
const lead: Lead = { id: undefined, by: 0, margin: 0 };

/**
 * The link other than `parent` that leads the reference clearly for long enough, the one with
 * the largest lead; marks when each link's lead began (`aheadSince`) and clears it on links not
 * leading. The returned record is reused by the next call.
 * @internal
 */
export function clearLead(
  links: ReadonlyMap<string, LinkState>,
  parent: string | undefined,
  guard: MinorityGuard,
  t: number,
  terms: LeadTerms,
): Lead {
  const { base, refOff, refSigma, refMinRtt, scale, adoptAfter, switchTicks, fps, switchAfterMs } = terms;
  lead.id = undefined;
  lead.by = 0;
  lead.margin = 0;
  for (const l of links.values()) {
    const id = l.id;
    if (id === parent || l.samples < adoptAfter || !guard.mayFollow(id, l.u + base, t)) {
      l.aheadSince = undefined;
      continue;
    }
    const ls = l.sigma;
    const sigma = Math.sqrt(ls * ls + refSigma * refSigma);
    // The floor guards against what the noise estimate cannot see (asymmetric paths, whose
    // error is at most half a round trip per hop): on fast links it can be much smaller.
    const rtt = Math.max(l.minRtt, refMinRtt);
    const floor = Math.min(switchTicks, ((rtt / 5) * fps) / 1000);
    const margin = scale * Math.max(floor, 4 * sigma);
    const by = l.u + base - refOff - margin;
    if (by <= 0) {
      l.aheadSince = undefined;
      continue;
    }
    l.aheadSince ??= t;
    // The clearer the lead, the less persistence it needs (a merge sweeps through quickly).
    const wait = scale * switchAfterMs * Math.min(1, margin / by);
    if (t - l.aheadSince >= wait && by > lead.by) {
      lead.by = by;
      lead.id = id;
      lead.margin = margin;
    }
  }
  return lead;
}
