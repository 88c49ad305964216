/**
 * Input checks of a {@link Clock}'s public methods, as pure functions: each returns the problem
 * (error code and message) or nothing; the clock counts and throws it.
 */
import type { ClockErrorCode } from './errors.js';
import type { SyncMessage } from './types.js';

/**
 * Largest tick a SYNC may carry: 2^48 (about 8,900 years at 1,000 ticks per second), so a clock
 * plus any stamping delay stays an exact integer. @internal
 */
export const MAX_SYNC_TICK = 2 ** 48;

/** What is wrong with an input: the error code and a message. @internal */
export type Problem = readonly [ClockErrorCode, string];

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** A link id must be a non-empty string. @internal */
export function linkProblem(link: string): Problem | undefined {
  if (typeof link !== 'string' || link.length === 0) return ['BAD_LINK', 'link must be a non-empty string'];
  return undefined;
}

/** A tick must be a finite number (an integer when `integer`) in [0, 2^53). @internal */
export function tickProblem(tick: number, integer: boolean): Problem | undefined {
  if (
    typeof tick !== 'number' ||
    !Number.isFinite(tick) ||
    tick < 0 ||
    tick > Number.MAX_SAFE_INTEGER ||
    (integer && !Number.isInteger(tick))
  ) {
    return [
      'BAD_TICK',
      `tick must be a finite ${integer ? 'integer' : 'number'} in [0, 2^53), got ${String(tick)}`,
    ];
  }
  return undefined;
}

/**
 * Check a received SYNC against the link's first SYNC sent (`firstSentAt`) and local time `now`:
 * the problem, the round trip it measures (ms) when it carries an echo, else `undefined` (nothing is
 * allocated for a valid SYNC). @internal
 */
export function checkSync(
  msg: SyncMessage,
  firstSentAt: number | undefined,
  now: number,
): Problem | number | undefined {
  if (typeof msg !== 'object' || msg === null) return ['BAD_MESSAGE', 'SYNC must be an object'];
  if (!isFiniteNumber(msg.time)) return ['BAD_MESSAGE', 'SYNC time must be a finite number'];
  if (!isFiniteNumber(msg.tick) || msg.tick < 0 || msg.tick > MAX_SYNC_TICK) {
    return ['BAD_MESSAGE', 'SYNC tick must be a finite number in [0, 2^48]'];
  }
  const echo = msg.echo;
  if (echo === undefined) return undefined;
  if (typeof echo !== 'object' || echo === null) return ['BAD_MESSAGE', 'SYNC echo must be an object'];
  if (!isFiniteNumber(echo.time)) return ['BAD_MESSAGE', 'SYNC echo.time must be a finite number'];
  if (!isFiniteNumber(echo.holdMs) || echo.holdMs < 0) {
    return ['BAD_MESSAGE', 'SYNC echo.holdMs must be a finite number ≥ 0'];
  }
  if (firstSentAt === undefined || echo.time < firstSentAt || echo.time > now) {
    return ['BAD_ECHO', `SYNC echo.time ${echo.time} is not the time of a SYNC sent on this link`];
  }
  const rtt = now - echo.time - echo.holdMs;
  // Hold times are measured on the neighbour's oscillator: allow its drift, nothing more.
  if (rtt < -(1 + echo.holdMs * 2e-3)) {
    return ['BAD_ECHO', `SYNC echo implies a negative round trip (${rtt} ms)`];
  }
  return rtt;
}

/** How far (ms) before the latest time seen a `nowMs` may be and still be accepted (as that time). @internal */
export const STALE_TIME_TOLERANCE_MS = 1000;

/**
 * A `nowMs` argument given after `lastNow`: the time to use, or the problem. A time up to
 * {@link STALE_TIME_TOLERANCE_MS} before `lastNow` is taken as `lastNow` (a frame or a queued frame
 * stamped a little earlier is not an error); further back is a broken clock. @internal
 */
export function checkTime(now: number, lastNow: number): number | Problem {
  if (!isFiniteNumber(now)) return ['BAD_TIME', `time must be a finite number, got ${String(now)}`];
  if (now >= lastNow) return now;
  if (now < lastNow - STALE_TIME_TOLERANCE_MS)
    return ['TIME_WENT_BACKWARDS', `time ${now} is before ${lastNow}`];
  return lastNow;
}
