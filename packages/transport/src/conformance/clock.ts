/**
 * Time for the conformance suite: every wait, pause and deadline of the suite goes through a
 * {@link ConformanceClock}, so a transport in virtual time runs the same tests as one on real
 * timers.
 */

/** The clock the suite waits on. */
export interface ConformanceClock {
  /** Current time in ms (any origin; only differences are used). */
  now(): number;
  /**
   * Resolves once `ms` have passed on this clock and what became due meanwhile has run. A
   * virtual clock advances its network by `ms` here (delivering what is due) and then yields
   * to the host once, so that promise callbacks of the transport run.
   */
  sleep(ms: number): Promise<void>;
}

/** Host timer functions; this package is built without DOM or Node types. */
const host = globalThis as unknown as {
  setTimeout(fn: () => void, ms: number): unknown;
  performance: { now(): number };
};

/** The host's clock: `performance.now()` and `setTimeout`. The suite's default. */
export const realClock: ConformanceClock = {
  now: () => host.performance.now(),
  sleep: (ms) => new Promise((resolve) => host.setTimeout(resolve, ms)),
};

/** How often a wait re-checks state that changes without a callback, in clock ms. */
export const POLL_MS = 10;

/**
 * `promise`, or a rejection naming `what` when it does not settle within `ms` on `clock`.
 * While it waits, the clock moves on (a virtual clock is driven forward).
 */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  clock: ConformanceClock,
): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  const deadline = clock.now() + ms;
  const timeout = (async (): Promise<never> => {
    for (;;) {
      if (settled) return new Promise<never>(() => {}); // the race is decided by `watched`
      const left = deadline - clock.now();
      if (left <= 0) throw new Error(`${what} did not settle within ${ms} ms`);
      await clock.sleep(Math.min(POLL_MS, left));
    }
  })();
  return Promise.race([watched, timeout]);
}

/**
 * Resolves once `predicate()` holds (checked now, whenever `wake` is called, and every
 * {@link POLL_MS}); rejects naming `what` after `timeoutMs` on `clock`.
 *
 * @param subscribe registers a wake-up callback (called after each transport callback) and
 *   returns its unsubscribe function
 */
export function waitUntil(
  predicate: () => boolean,
  what: string,
  timeoutMs: number,
  clock: ConformanceClock,
  subscribe?: (wake: () => void) => () => void,
): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      unsubscribe?.();
      if (error === undefined) resolve();
      else reject(error);
    };
    const unsubscribe = subscribe?.(() => {
      if (predicate()) finish();
    });
    const deadline = clock.now() + timeoutMs;
    void (async () => {
      while (!done) {
        const left = deadline - clock.now();
        await clock.sleep(Math.max(1, Math.min(POLL_MS, left)));
        if (done) return;
        if (predicate()) finish();
        else if (clock.now() >= deadline)
          finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }
    })().catch((error: unknown) => finish(error instanceof Error ? error : new Error(String(error))));
  });
}
