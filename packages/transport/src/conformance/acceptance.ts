/**
 * The acceptance tier: real peers (`createPeer` from `@symmetric/peer`, passed in by the test)
 * form a line over the transport under test, emit, and must end with the same events and the
 * same state at a common tick.
 */
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context.js';
import type { AcceptanceHarness, AcceptancePeer, AcceptancePeerOptions } from './harness.js';

/** Ticks per second of the peers. */
const FPS = 50;
/** Δ of the peers, in ms. */
const DELAY_MS = 150;
/** Time between two emits of the round, in ms. */
const EMIT_GAP_MS = 60;

let rooms = 0;

/** Registers the acceptance tier (inside the suite's `describe`). */
export function registerAcceptanceTier(
  ctx: SuiteContext,
  acceptance: AcceptanceHarness<unknown, unknown>,
): void {
  const count = acceptance.peers ?? 4;
  const perPeer = acceptance.eventsPerPeer ?? 3;
  const timeoutMs = acceptance.timeoutMs ?? 30_000;
  const virtual = ctx.harness.clock !== undefined;
  const clock = ctx.clock;
  const frameMs = 1000 / FPS;

  describe('acceptance', () => {
    it(
      `${count} peers in a line converge: ${perPeer} emits each, then the same event count and state hash everywhere`,
      async () => {
        const peers: AcceptancePeer<unknown>[] = [];
        /** Lets `ms` pass; in virtual time the suite steps every peer each frame. */
        const run = async (ms: number): Promise<void> => {
          if (!virtual) return ctx.sleep(ms);
          const end = clock.now() + ms;
          while (clock.now() < end) {
            await clock.sleep(Math.min(frameMs, end - clock.now()));
            for (const peer of peers) peer.step(clock.now());
          }
        };
        const waitFor = async (predicate: () => boolean, what: string): Promise<void> => {
          const deadline = clock.now() + timeoutMs;
          while (!predicate()) {
            if (clock.now() >= deadline)
              throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
            await run(5 * frameMs);
          }
        };

        try {
          const room = `conformance-acceptance-${++rooms}`;
          let previous: string | undefined;
          for (let i = 0; i < count; i++) {
            const transport = await ctx.fresh();
            const options: AcceptancePeerOptions<unknown> = {
              app: acceptance.app,
              transports: [transport],
              room,
              fps: FPS,
              delay: DELAY_MS,
              dial: previous === undefined ? [] : [previous],
              history: 'full',
              ...(virtual ? { now: () => clock.now() } : {}),
            };
            const peer = acceptance.createPeer(options);
            peers.push(peer);
            await ctx.within(virtual ? peer.attach() : peer.start(), ctx.timeout, `peer ${i}: start`);
            previous = transport.addresses()[0];
            if (previous === undefined)
              throw new Error(`peer ${i}: its transport has no address after start`);
          }

          // Every peer is past the room's founding grace (1 s) and has agreed on the time.
          await waitFor(() => peers.every((p) => p.tick >= 2 * FPS), 'every peer to reach tick 100');

          /** A tick after every emitted event's tick, on every peer's clock. */
          let afterEvents = 0;
          const delayTicks = Math.ceil((DELAY_MS * FPS) / 1000);
          for (let k = 0; k < perPeer; k++) {
            for (const [p, peer] of peers.entries()) {
              const event = peer.emit(acceptance.events[(p + k) % acceptance.events.length]);
              // A margin of FPS / 5 ticks covers clock skew between peers.
              afterEvents = Math.max(afterEvents, Math.max(event.tick, peer.tick + delayTicks) + FPS / 5);
              await run(EMIT_GAP_MS);
            }
          }

          const total = count * perPeer;
          await waitFor(
            () => peers.every((p) => p.stats().events === total),
            `every peer to hold all ${total} events`,
          );

          let hashes: (string | undefined)[] = [];
          let at = 0;
          await waitFor(() => {
            const slowest = Math.min(...peers.map((p) => p.tick));
            at = Math.floor((slowest - 1) / FPS) * FPS;
            if (at <= afterEvents) return false;
            hashes = peers.map((p) => p.stateHashAt(at));
            return hashes.every((h) => h !== undefined);
          }, 'a recorded state hash on every peer at a tick after every event');

          expect(peers.map((p) => p.stats().events)).toEqual(peers.map(() => total));
          expect(new Set(hashes).size, `state hashes at tick ${at}: ${hashes.join(', ')}`).toBe(1);
        } finally {
          await Promise.allSettled(peers.map((p) => ctx.within(p.stop(), ctx.timeout, 'peer stop()')));
        }
      },
      Math.max(ctx.testTimeout, timeoutMs * 3),
    );
  });
}
