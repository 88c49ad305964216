/** The per-runtime counters the driver adds up into the metrics. */
import type { PeerStats } from '@symmetric/peer';

/** The counters of one runtime the metrics add up. */
export interface PeerTotals {
  ticksSimulated: number;
  ticksTravelledBack: number;
  ticksResimulated: number;
  rollbacks: number;
  framesSent: number;
  bytesSent: number;
  desyncs: number;
  tooOld: number;
}

/** All counters at zero. */
export const ZERO: PeerTotals = {
  ticksSimulated: 0,
  ticksTravelledBack: 0,
  ticksResimulated: 0,
  rollbacks: 0,
  framesSent: 0,
  bytesSent: 0,
  desyncs: 0,
  tooOld: 0,
};

/** The counters the metrics add up, read off a runtime's stats. */
export function totalsOf(s: PeerStats): PeerTotals {
  return {
    ticksSimulated: s.ticksSimulated,
    ticksTravelledBack: s.ticksTravelledBack,
    ticksResimulated: s.ticksResimulated,
    rollbacks: s.rollbacks,
    framesSent: s.framesSent,
    bytesSent: s.bytesSent,
    desyncs: s.desyncs,
    tooOld: s.tooOld,
  };
}
