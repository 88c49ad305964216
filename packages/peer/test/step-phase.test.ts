import { Clock, STEP_PHASE } from '@symmetric/clock-sync';
import { describe, expect, it } from 'vitest';
import { untilStepPhase } from '../src/step-phase.js';

const FRAME = 20;
const at = (tick: number) => ({ clockTick: () => tick });

describe('untilStepPhase', () => {
  it('waits one frame when the clock reads the step phase, less when late, more when early', () => {
    expect(untilStepPhase(at(10 + STEP_PHASE), 0, FRAME)).toBeCloseTo(FRAME);
    // Stepped a quarter tick late: the next step comes three quarters of a frame later.
    expect(untilStepPhase(at(10 + STEP_PHASE + 0.25), 0, FRAME)).toBeCloseTo(0.75 * FRAME);
    // A tenth early: the phase comes in a tenth of a frame, too soon; one frame after that.
    expect(untilStepPhase(at(10 + STEP_PHASE - 0.1), 0, FRAME)).toBeCloseTo(1.1 * FRAME);
    // On a tick boundary: half a frame.
    expect(untilStepPhase(at(11), 0, FRAME)).toBeCloseTo(0.5 * FRAME);
  });

  it('a clock that adopted the network’s time steps at the network’s phase from its next step on', () => {
    // Started at 7 ms, then told the network is at tick 100.7: its steps move to the network's
    // phase (mid-tick) at once and stay there.
    const c = new Clock({ fps: 50 });
    let t = 7;
    c.advance(t);
    c.adopt(100.7, t);
    expect(untilStepPhase(c, t, FRAME)).toBeCloseTo(0.8 * FRAME);
    for (let k = 0; k < 50; k++) {
      t += untilStepPhase(c, t, FRAME);
      c.advance(t);
      const tick = c.clockTick(t);
      expect(tick - Math.floor(tick)).toBeCloseTo(STEP_PHASE, 6);
    }
  });

  it('a clock that rejects the time waits one frame', () => {
    const failing = {
      clockTick: (): number => {
        throw new Error('TIME_WENT_BACKWARDS');
      },
    };
    expect(untilStepPhase(failing, 0, FRAME)).toBe(FRAME);
  });
});
