/** What every tier of the suite shares: transports it created, their recorders, and the checks after each test. */
import { afterEach, beforeEach } from 'vitest';
import type { Link, Transport } from '../transport.js';
import { type ConformanceClock, realClock, within } from './clock.js';
import type { ConformanceHarness } from './harness.js';
import { ConformanceRecorder } from './recorder.js';

/** A started transport, its recorder, and the address others dial it at. */
export interface Member {
  readonly t: Transport;
  readonly rec: ConformanceRecorder;
  readonly address: string;
}

/** Shared helpers of one registered suite; valid inside its tests. */
export interface SuiteContext {
  /** The harness the suite was registered with. */
  readonly harness: ConformanceHarness<unknown, unknown>;
  /** One wait's limit, in ms of {@link clock}. */
  readonly timeout: number;
  /** The vitest limit of one test (real ms). */
  readonly testTimeout: number;
  /** The clock every wait uses. */
  readonly clock: ConformanceClock;
  /** A created (not started) transport, stopped after the test. */
  fresh(): Promise<Transport>;
  /** A started transport with a fresh recorder. */
  started(label: string): Promise<Member>;
  /** A recorder whose rule violations fail the test. */
  recorder(label: string): ConformanceRecorder;
  /** Dials `to` from `from`, waits for both ends, returns `[outbound, inbound]`. */
  connect(from: Member, to: Member): Promise<[Link, Link]>;
  /** Lets `ms` pass on the clock. */
  sleep(ms: number): Promise<void>;
  /** `promise`, or a failure naming `what` after `ms` on the clock. */
  within<T>(promise: Promise<T>, ms: number, what: string): Promise<T>;
}

interface ProcessLike {
  on(event: string, listener: (reason: unknown) => void): unknown;
  off(event: string, listener: (reason: unknown) => void): unknown;
}

/**
 * Registers the per-test bookkeeping (call inside the suite's `describe`): after each test every
 * transport created is stopped, the harness cleans up, and recorder violations or unhandled
 * rejections fail the test.
 */
export function suiteContext(harness: ConformanceHarness<unknown, unknown>): SuiteContext {
  const timeout = harness.timeoutMs ?? 10_000;
  const clock = harness.clock ?? realClock;
  let live: Transport[] = [];
  let recorders: ConformanceRecorder[] = [];
  let unhandled: unknown[] = [];
  const proc = (globalThis as { process?: ProcessLike }).process;
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  beforeEach(() => {
    live = [];
    recorders = [];
    unhandled = [];
    proc?.on('unhandledRejection', onUnhandled);
  });

  afterEach(async () => {
    const failures: string[] = [];
    const stops = await Promise.allSettled(
      live.map((t) => within(t.stop(), timeout, 'stop() during cleanup', clock)),
    );
    for (const s of stops) if (s.status === 'rejected') failures.push(`cleanup: ${String(s.reason)}`);
    if (harness.cleanup !== undefined) await within(harness.cleanup(), timeout, 'harness.cleanup()', clock);
    // Late callbacks and rejections get a moment to surface.
    await clock.sleep(20);
    proc?.off('unhandledRejection', onUnhandled);
    for (const r of recorders) failures.push(...r.violations);
    for (const reason of unhandled) failures.push(`unhandled rejection: ${String(reason)}`);
    if (failures.length > 0) throw new Error(`conformance violations:\n${failures.join('\n')}`);
  });

  const ctx: SuiteContext = {
    harness,
    timeout,
    testTimeout: timeout * 6 + 5_000,
    clock,
    async fresh() {
      const t = await harness.create();
      live.push(t);
      return t;
    },
    recorder(label) {
      const rec = new ConformanceRecorder(label, clock);
      recorders.push(rec);
      return rec;
    },
    async started(label) {
      const t = await ctx.fresh();
      const rec = ctx.recorder(label);
      await within(t.start(rec), timeout, `${label}: start()`, clock);
      const address = t.addresses()[0];
      if (address === undefined) throw new Error(`${label}: addresses() is empty after start()`);
      return { t, rec, address };
    },
    async connect(from, to) {
      const inboundBefore = to.rec.linksOf('inbound').length;
      const out = await within(from.t.dial(to.address), timeout, `${from.rec.label}: dial()`, clock);
      await to.rec.until(
        () => to.rec.linksOf('inbound').length > inboundBefore,
        'the inbound link to be reported',
        timeout,
      );
      const inbound = to.rec.linksOf('inbound')[inboundBefore]!;
      return [out, inbound];
    },
    sleep: (ms) => clock.sleep(ms),
    within: (promise, ms, what) => within(promise, ms, what, clock),
  };
  return ctx;
}
