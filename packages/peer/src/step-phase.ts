/**
 * When a real-time runtime steps: at the phase of a tick every peer of the room agrees on
 * (`STEP_PHASE` of `@symmetric/clock-sync`, mid-tick), not at its own start time plus frames.
 */
import { type Clock, STEP_PHASE } from '@symmetric/clock-sync';

/**
 * Milliseconds from `nowMs` until `clock` next reads {@link STEP_PHASE} of a tick, at least half
 * a frame away (one frame when it reads that phase now). Clocks agree on the network's time to
 * a fraction of a tick; stepping mid-tick, peers a little apart read the same whole tick when
 * they step, where stepping at their own phase could put them a tick apart. A clock that cannot
 * say (it rejects the time) waits one frame.
 */
export function untilStepPhase(clock: Pick<Clock, 'clockTick'>, nowMs: number, frameMs: number): number {
  let at: number;
  try {
    at = clock.clockTick(nowMs);
  } catch {
    return frameMs;
  }
  const phase = at - Math.floor(at);
  const ahead = (((STEP_PHASE - phase) % 1) + 1) % 1;
  return (ahead < 0.5 ? ahead + 1 : ahead) * frameMs;
}
