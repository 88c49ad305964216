import type { CloseInfo, Link, Transport, TransportHandler } from '@symmetric/transport';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runLocalDemo, withLatency } from '../src/index.js';
import { Capture } from './helpers.js';

/** A transport whose handler the test drives by hand. */
function fakeTransport(): { transport: Transport; handler: () => TransportHandler; stopped: () => boolean } {
  let h: TransportHandler | undefined;
  let stopped = false;
  return {
    transport: {
      name: 'fake',
      start: async (handler) => {
        h = handler;
      },
      dial: () => Promise.reject(new Error('no')),
      addresses: () => [],
      links: () => [],
      stop: async () => {
        stopped = true;
      },
    },
    handler: () => h!,
    stopped: () => stopped,
  };
}

const link = (id: string): Link => ({
  id,
  direction: 'inbound',
  remoteAddress: id,
  remotePeerId: undefined,
  open: true,
  send: () => true,
  close: () => {},
});

describe('withLatency', () => {
  it('delays every frame by ms ± jitter, keeps each link in order, and reports a close after its frames', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 20,
          size: 'max',
        }),
        async (plan) => {
          const fake = fakeTransport();
          const got: { link: string; n: number; at: number }[] = [];
          const closed: { link: string; afterFrames: number }[] = [];
          const t = withLatency(fake.transport, { ms: 20, jitterMs: 10 });
          const t0 = performance.now();
          await t.start({
            onLink: () => {},
            onFrame: (l, f) => got.push({ link: l.id, n: f[0]!, at: performance.now() - t0 }),
            onClose: (l) =>
              closed.push({ link: l.id, afterFrames: got.filter((g) => g.link === l.id).length }),
            onError: () => {},
          });
          const links = [link('a'), link('b')];
          const sent: Record<string, number> = { a: 0, b: 0 };
          for (const [which, pause] of plan) {
            const l = links[which]!;
            fake.handler().onFrame(l, new Uint8Array([sent[l.id]!++]));
            if (pause > 0) await new Promise((r) => setTimeout(r, pause));
          }
          const info: CloseInfo = { local: false, reason: 'bye' };
          fake.handler().onClose(links[0]!, info);
          await new Promise((r) => setTimeout(r, 60));
          for (const id of ['a', 'b']) {
            const mine = got.filter((g) => g.link === id).map((g) => g.n);
            expect(mine).toEqual([...Array(sent[id]).keys()]);
          }
          // Nothing arrives before ms - jitter (10 ms) after the first send.
          expect(Math.min(...got.map((g) => g.at))).toBeGreaterThanOrEqual(9);
          expect(closed).toEqual([{ link: 'a', afterFrames: sent['a']! }]);
          await t.stop();
          expect(fake.stopped()).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  }, 30_000);

  it('with added latency and a small Δ, the local demo rolls back and still converges', async () => {
    const out = new Capture();
    const result = await runLocalDemo({
      peers: 3,
      topology: 'line',
      duration: 2,
      rate: 600,
      latency: 30,
      delay: 40,
      seed: 5,
      out,
    });
    expect(out.text).toContain('+30 ms per link');
    expect(result.converged).toBe(true);
    // p0's and p2's events reach each other after 2 hops (about 60 ms) with Δ = 40 ms: late.
    expect(result.peers.reduce((sum, p) => sum + p.rollbacks, 0)).toBeGreaterThan(0);
  }, 45_000);
});
