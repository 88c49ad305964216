/** The tick phase runtimes step at (see {@link STEP_PHASE}). */

/**
 * The fraction of a tick a clock reads at the moment its runtime steps: a clock starts at half a
 * tick, so a runtime stepping at its start time plus whole frames steps mid-tick, and the clocks
 * that follow it agree on that phase too. Two clocks a little apart (less than half a tick) then
 * read the same whole tick when they step at the same moment; stepping on a tick boundary, the
 * smallest disagreement would put one a whole tick behind the other.
 */
export const STEP_PHASE = 0.5;
