/**
 * Quotas: the limits a peer puts on what one neighbour (or the whole room) may make it hold or
 * do, with safe defaults, in one place. Every violation is a typed `PeerError` (`QUOTA`, or the
 * more specific code named below), counted in `stats().quotaViolations`, and closes at most the
 * offending link; the peer keeps running and loses no event.
 */
import { PeerError } from './errors.js';

/** Limits on what neighbours may make this peer hold or do (see {@link QUOTA_DEFAULTS}). */
export interface Quotas {
  /** Largest snapshot accepted from a neighbour, in bytes (the transfer is refused beyond: `SNAPSHOT`). */
  readonly maxSnapshotBytes: number;
  /** Most chunks a snapshot transfer may declare (refused at its first chunk beyond: `SNAPSHOT`). */
  readonly maxSnapshotChunks: number;
  /**
   * Most sources a snapshot's frontier may list beyond the sources this peer and its other
   * neighbours know (a made-up frontier is refused: `SNAPSHOT`).
   */
  readonly maxSnapshotNewSources: number;
  /** Most snapshot requests served per neighbour per minute (beyond: refused with an empty chunk). */
  readonly snapshotServesPerMinute: number;
  /** Most events a neighbour may deliver per second, averaged over 10 s (beyond: `QUOTA`, link closed). */
  readonly eventsPerSecondPerLink: number;
  /** Most frame bytes a neighbour may deliver per second, averaged over 10 s (beyond: `QUOTA`, link closed). */
  readonly bytesPerSecondPerLink: number;
  /** Most new sources one neighbour may introduce (beyond: `QUOTA`, link closed). */
  readonly newSourcesPerLink: number;
  /** Most sources known in the room at once (events of further new sources are dropped: `QUOTA`). */
  readonly maxSources: number;
  /** Most presence updates a neighbour may deliver per second, averaged over 10 s (beyond: `QUOTA`). */
  readonly presencePerSecondPerLink: number;
  /** Most seqs one gap request asks for; larger gaps are asked in slices of this. */
  readonly maxRequestSpan: number;
  /** Most links (handshaking or running) at once; further links are closed at once (`QUOTA`). */
  readonly maxLinks: number;
  /** Most links still in their handshake at once; further ones are closed at once (`QUOTA`). */
  readonly maxPendingLinks: number;
  /**
   * A running link on which nothing arrived for this long (ms) is closed (`QUOTA`): honest
   * neighbours send a SYNC every `syncIntervalMs`.
   */
  readonly idleTimeoutMs: number;
}

/**
 * Seqs per source one neighbour's claim (a frontier, a snapshot's frontier) may run beyond what
 * this peer and its other neighbours hold and still be taken: events in flight, or a few events
 * of a history split from this side's. A claim beyond is not acted on alone. @internal
 */
export const CLAIM_SLACK_SEQS = 64;

/** Default quotas: generous for real rooms, far below what exhausts a peer. */
export const QUOTA_DEFAULTS: Readonly<Quotas> = {
  maxSnapshotBytes: 64 * 1024 * 1024,
  maxSnapshotChunks: 1024,
  maxSnapshotNewSources: 1024,
  snapshotServesPerMinute: 6,
  eventsPerSecondPerLink: 2000,
  bytesPerSecondPerLink: 8 * 1024 * 1024,
  newSourcesPerLink: 4096,
  maxSources: 65_536,
  presencePerSecondPerLink: 200,
  maxRequestSpan: 4096,
  maxLinks: 256,
  maxPendingLinks: 64,
  idleTimeoutMs: 30_000,
};

/** Validate `quotas` (partial) and fill in the defaults; throws `INVALID_OPTION`. @internal */
export function resolveQuotas(quotas: Partial<Quotas> | undefined): Quotas {
  if (quotas !== undefined && (quotas === null || typeof quotas !== 'object'))
    throw new PeerError('INVALID_OPTION', 'quotas must be an object');
  const out: Record<string, number> = { ...QUOTA_DEFAULTS };
  for (const [name, value] of Object.entries(quotas ?? {})) {
    if (value === undefined) continue;
    if (!(name in QUOTA_DEFAULTS)) throw new PeerError('INVALID_OPTION', `unknown quota '${name}'`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      throw new PeerError(
        'INVALID_OPTION',
        `quotas.${name} must be a positive integer, got ${String(value)}`,
      );
    out[name] = value;
  }
  return out as unknown as Quotas;
}

/**
 * A rate over a sliding window, as a leaky bucket: `take(n, now)` is `false` once more than
 * `perSecond × windowMs / 1000` units arrived within about `windowMs`. @internal
 */
export class RateLimit {
  private level = 0;
  private at = Number.NaN;

  constructor(
    private readonly perSecond: number,
    private readonly windowMs = 10_000,
  ) {}

  /** Count `n` units at local time `now`; `false` when the rate is exceeded. */
  take(n: number, now: number): boolean {
    if (!Number.isNaN(this.at))
      this.level = Math.max(0, this.level - ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
    this.level += n;
    return this.level <= (this.perSecond * this.windowMs) / 1000;
  }
}
