/**
 * The transport conformance suite: one call registers a vitest `describe` block that checks
 * the behaviour every Symmetric {@link Transport} must share, in tiers:
 *
 * - **links** (always): link handshake, FIFO order, large frames, many links, close from
 *   either side, close during send, reconnect, typed errors, frame limit, stop;
 * - **room broadcast** (`broadcast: true`): `Transport.broadcast`'s publish/onMessage rules;
 * - **acceptance** (`acceptance: { createPeer, app, events }`): real peers converge over it.
 *
 * ```ts
 * import { runTransportConformance } from '@symmetric/transport/conformance';
 * runTransportConformance('my-transport', { create: async () => new MyTransport({ listen: true }) });
 * ```
 *
 * The suite only uses the {@link Transport} interface and learns where to dial from
 * `transport.addresses()` after `start`. Its waits run on real timers, or on the harness's
 * {@link ConformanceClock} for a transport in virtual time.
 *
 * @packageDocumentation
 * @module @symmetric/transport/conformance
 */
import { describe, expect, it } from 'vitest';
import { registerAcceptanceTier } from './conformance/acceptance.js';
import { registerBroadcastTier } from './conformance/broadcast.js';
import { suiteContext } from './conformance/context.js';
import type { ConformanceHarness } from './conformance/harness.js';
import { registerLinkTier } from './conformance/links.js';
import type { Transport } from './transport.js';

export { type ConformanceClock, realClock } from './conformance/clock.js';
export type {
  AcceptanceHarness,
  AcceptancePeer,
  AcceptancePeerOptions,
  ConformanceHarness,
} from './conformance/harness.js';
export { ConformanceRecorder, type ErrorRecord } from './conformance/recorder.js';

/**
 * Registers the conformance suite for one transport as a vitest `describe` block named
 * `transport conformance: <name>`. Call it at the top level of a test file.
 *
 * @param name Shown in the test names.
 * @param harness Creates the transports under test and picks the optional tiers (see {@link ConformanceHarness}).
 */
export function runTransportConformance<A, E>(name: string, harness: ConformanceHarness<A, E>): void {
  const shared = harness as ConformanceHarness<unknown, unknown>;
  describe(`transport conformance: ${name}`, () => {
    const ctx = suiteContext(shared);
    registerLinkTier(ctx);
    if (harness.broadcast === true) {
      registerBroadcastTier(ctx);
    } else {
      it('offers no room broadcast (declare `broadcast: true` in the harness when it does)', async () => {
        const t: Transport = await ctx.fresh();
        expect(t.broadcast).toBeUndefined();
      });
    }
    if (shared.acceptance !== undefined) registerAcceptanceTier(ctx, shared.acceptance);
  });
}
