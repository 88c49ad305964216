/**
 * Frequency learning of a steered clock: the correction that, after a while, lets the clock hold
 * its reference's rate on its own (holdover when the reference goes away).
 * @internal
 */
import type { ResolvedClockOptions } from './options.js';

/** A reference clock's learned frequency correction fades with this many frequency time constants. */
const ROOT_FREQUENCY_LEAK = 0.5;

/** What one control step tells the frequency learning. @internal */
export interface FrequencyStep {
  /** Time since the last control step, ms (bounded by the caller). */
  readonly dt: number;
  /** Steering error toward the reference (ticks); `undefined` for a reference clock (nobody ahead). */
  readonly error: number | undefined;
  /** Learn only while locked: |error| within this many ticks (anti-windup). */
  readonly lockedWithin: number;
  /** Largest correction, as a rate. */
  readonly maxFreq: number;
  /** The clock's options (fps, phase and frequency time constants). */
  readonly options: Pick<ResolvedClockOptions, 'fps' | 'phaseTimeConstantMs' | 'frequencyTimeConstantMs'>;
}

/**
 * The frequency correction after one control step. Following a reference, the correction
 * follows the average steering rate over about the frequency time constant, only while locked
 * (never while pulling in after a jump or a change of reference). A reference clock lets its
 * correction fade, so the network's rate is anchored to a real oscillator (within its drift of
 * real time) rather than to history.
 * @internal
 */
export function learnedFrequency(freq: number, step: FrequencyStep): number {
  const o = step.options;
  const tf = o.frequencyTimeConstantMs;
  if (step.error === undefined) {
    const leak = ROOT_FREQUENCY_LEAK * tf;
    return freq * (leak / (leak + step.dt));
  }
  if (Math.abs(step.error) > step.lockedWithin) return freq;
  const steer = (step.error * 1000) / o.fps / o.phaseTimeConstantMs;
  const f = freq + (steer * step.dt) / tf;
  return Math.max(-step.maxFreq, Math.min(step.maxFreq, f));
}
