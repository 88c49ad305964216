/**
 * Vitest setup: every fast-check property runs from one seed, so a test run is reproducible and
 * a failure reproduces on any machine. `FC_SEED=<n>` explores other cases (`FC_SEED=random`: a
 * fresh seed per file, printed by fast-check on failure).
 */
import fc from 'fast-check';

/** The seed of the properties when `FC_SEED` is unset. */
export const DEFAULT_FC_SEED = 20_261_204;

const chosen = process.env.FC_SEED;
if (chosen !== 'random') {
  const seed = chosen === undefined || chosen === '' ? DEFAULT_FC_SEED : Number.parseInt(chosen, 10);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", got ${chosen}`);
  fc.configureGlobal({ seed });
}
