/**
 * Stepping peers within one frame of virtual time: each when its own clock says (the moment it
 * reads mid-tick, as a real-time peer steps), in time order, the network delivering what is due
 * before each step.
 */

/** What {@link stepWithinFrame} needs of the run. */
export interface FrameStepping {
  /** Peers in the run. */
  readonly peers: number;
  /** Run time of each peer's next step (updated as peers step). */
  readonly stepAt: number[];
  /** Whether peer `i` runs now (online, with a runtime). */
  readonly running: (i: number) => boolean;
  /** Current run time, ms. */
  readonly now: () => number;
  /** Let run time reach `atMs` (a virtual network delivers the frames due by then). */
  readonly advanceTo: (atMs: number) => Promise<void> | undefined;
  /** Step peer `i` at run time `atMs`; returns the run time of its next step. */
  readonly step: (i: number, atMs: number) => number;
}

/**
 * Step every running peer whose step falls in `[startMs, endMs)`, earliest first (ties: lower
 * index), as often as its steps fall there. A step time already past counts as `startMs` (a
 * peer back online steps at once).
 */
export async function stepWithinFrame(run: FrameStepping, startMs: number, endMs: number): Promise<void> {
  for (;;) {
    let i = -1;
    let at = endMs;
    for (let j = 0; j < run.peers; j++) {
      if (!run.running(j)) continue;
      const due = Math.max(run.stepAt[j]!, startMs);
      if (due < at) {
        at = due;
        i = j;
      }
    }
    if (i < 0) return;
    if (at > run.now()) {
      const reached = run.advanceTo(at);
      if (reached !== undefined) await reached;
    }
    run.stepAt[i] = run.step(i, at);
  }
}
