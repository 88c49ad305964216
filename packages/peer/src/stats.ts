import type { Timeline } from '@symmetric/core';
import type { PeerErrorCode } from './errors.js';
import type { PeerStats } from './types.js';

type TimelineStats = ReturnType<Timeline<unknown, unknown>['stats']>;

/** The runtime's own cumulative counters (the rest of {@link PeerStats} is read when asked). @internal */
export type PeerCounters = {
  -readonly [K in keyof Omit<
    PeerStats,
    | keyof TimelineStats
    | 'tick'
    | 'status'
    | 'delayTicks'
    | 'neighbours'
    | 'links'
    | 'errors'
    | 'errorsTotal'
    | 'events'
    | 'broadcast'
    | 'eventsAwaitingStore'
  >]: number;
};

/** Counters all zero. @internal */
export function newCounters(): PeerCounters {
  return {
    framesSent: 0,
    framesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    eventsEmitted: 0,
    eventsSent: 0,
    eventFramesSent: 0,
    eventBytesSent: 0,
    eventsReceived: 0,
    eventsForwarded: 0,
    duplicatesDropped: 0,
    relaysWithdrawn: 0,
    repairsSent: 0,
    requestsSent: 0,
    syncsSent: 0,
    hashReportsSent: 0,
    hashesCompared: 0,
    desyncs: 0,
    hashReportsOutvoted: 0,
    snapshotsServed: 0,
    snapshotsAdopted: 0,
    snapshotsRefused: 0,
    claimsIgnored: 0,
    printsRefused: 0,
    gapsGivenUp: 0,
    quotaViolations: 0,
    resyncs: 0,
    presenceReceived: 0,
    presenceDropped: 0,
    presenceRefused: 0,
    signaturesVerified: 0,
    signaturesRejected: 0,
    equivocations: 0,
    excludedDropped: 0,
    eventsEmittedOffline: 0,
    eventsRestamped: 0,
    eventsDropped: 0,
    eventsStored: 0,
  };
}

/** Timeline counters that add up across a snapshot adoption (the timeline is replaced). */
const CUMULATIVE = [
  'ticksSimulated',
  'ticksResimulated',
  'lateEvents',
  'ticksTravelledBack',
  'rollbacks',
  'duplicates',
  'tooOld',
  'snapshotsTaken',
  'invalidEvents',
  'appErrors',
] as const;

type Cumulative = Record<(typeof CUMULATIVE)[number], number>;

/**
 * Timeline counters of timelines replaced by a snapshot adoption, added to the current
 * timeline's, plus the error tally.
 * @internal
 */
export class StatsLedger {
  /** Counters of replaced timelines. */
  private readonly retired: Cumulative = {
    ticksSimulated: 0,
    ticksResimulated: 0,
    lateEvents: 0,
    ticksTravelledBack: 0,
    rollbacks: 0,
    duplicates: 0,
    tooOld: 0,
    snapshotsTaken: 0,
    invalidEvents: 0,
    appErrors: 0,
  };
  private readonly errorCounts: Partial<Record<PeerErrorCode, number>> = {};
  private errorsTotal = 0;

  /** A timeline is being replaced: keep its counters. */
  retire(stats: TimelineStats): void {
    for (const k of CUMULATIVE) this.retired[k] += stats[k];
  }

  /**
   * `ticks` simulated by the new timeline re-ran ticks the replaced one had simulated: count them
   * as re-simulated, not as new.
   */
  recountAsResimulated(ticks: number): void {
    this.retired.ticksSimulated -= ticks;
    this.retired.ticksResimulated += ticks;
  }

  /** An event refused before it reached the timeline (older than the settled bound): count it as `tooOld`. */
  countTooOld(): void {
    this.retired.tooOld++;
  }

  /** Count one error of `code`. */
  countError(code: PeerErrorCode): void {
    this.errorCounts[code] = (this.errorCounts[code] ?? 0) + 1;
    this.errorsTotal++;
  }

  /** The current timeline's counters plus the retired ones. */
  timelineStats(current: TimelineStats): TimelineStats {
    const out = { ...current };
    for (const k of CUMULATIVE) out[k] = current[k] + this.retired[k];
    return out;
  }

  /** Errors by code (a copy) and their total. */
  errors(): Pick<PeerStats, 'errors' | 'errorsTotal'> {
    return { errors: { ...this.errorCounts }, errorsTotal: this.errorsTotal };
  }
}
