/**
 * The link tier: handshake, FIFO order, large frames, many links, close from either side,
 * close during send, reconnect, typed errors, frame limit, stop. Every transport runs it.
 */
import { expect, it } from 'vitest';
import type { Link, TransportError } from '../transport.js';
import { isTransportError } from '../transport.js';
import type { SuiteContext } from './context.js';
import { checkFrame, expectTransportError, indexOf, makeFrame, mixedSize } from './frames.js';
import type { ConformanceRecorder } from './recorder.js';

/** Registers the link tier (inside the suite's `describe`). */
export function registerLinkTier(ctx: SuiteContext): void {
  const large = Math.min(1 << 20, ctx.harness.maxFrameBytes ?? 1 << 20);

  it(
    'opens a link on both sides: onLink fires on each, directions outbound/inbound, frames sent from inside onLink arrive',
    async () => {
      const a = await ctx.started('A');
      const b = await ctx.started('B');
      const hello = (rec: ConformanceRecorder, tag: number) => (link: Link) => {
        if (!link.send(makeFrame(tag, 0, 16)))
          rec.violations.push(`${rec.label}: send() inside onLink returned false`);
      };
      a.rec.onLinkHook = hello(a.rec, 0xa);
      b.rec.onLinkHook = hello(b.rec, 0xb);

      const out = await ctx.within(a.t.dial(b.address), ctx.timeout, 'dial()');
      expect(a.rec.links).toContain(out); // dial resolves after onLink fired for it
      expect(out.direction).toBe('outbound');
      expect(out.open).toBe(true);
      expect(typeof out.id).toBe('string');
      expect(out.id.length).toBeGreaterThan(0);
      expect(typeof out.remoteAddress).toBe('string');
      expect(a.t.links()).toContain(out);

      await b.rec.until(() => b.rec.links.length === 1, 'the inbound link', ctx.timeout);
      const inbound = b.rec.links[0]!;
      expect(inbound.direction).toBe('inbound');
      expect(inbound.open).toBe(true);
      expect(b.t.links()).toContain(inbound);
      expect(a.rec.links).toHaveLength(1);

      await a.rec.until(() => a.rec.framesOf(out).length >= 1, "B's greeting", ctx.timeout);
      await b.rec.until(() => b.rec.framesOf(inbound).length >= 1, "A's greeting", ctx.timeout);
      expect(checkFrame(a.rec.framesOf(out)[0]!, 0xb, 0, 16)).toBeUndefined();
      expect(checkFrame(b.rec.framesOf(inbound)[0]!, 0xa, 0, 16)).toBeUndefined();
      expect(a.rec.errors).toEqual([]);
      expect(b.rec.errors).toEqual([]);
    },
    ctx.testTimeout,
  );

  it(
    "leaves a link's attachment to the handler: undefined at first, never changed, on the link onFrame hands over",
    async () => {
      const a = await ctx.started('A');
      const b = await ctx.started('B');
      const [out, inbound] = await ctx.connect(a, b);
      expect(out.attachment).toBeUndefined();
      expect(inbound.attachment).toBeUndefined();
      const mine = { side: 'B' };
      inbound.attachment = mine;
      out.attachment = 7;
      const seen: unknown[] = [];
      b.rec.onFrameHook = (link) => seen.push(link.attachment);
      for (let i = 0; i < 3; i++) expect(out.send(makeFrame(3, i, 24))).toBe(true);
      await b.rec.until(() => seen.length >= 3, '3 frames A→B', ctx.timeout);
      expect(seen).toEqual([mine, mine, mine]);
      expect(b.t.links().find((l) => l === inbound)?.attachment).toBe(mine);
      expect(out.attachment).toBe(7);
    },
    ctx.testTimeout,
  );

  it(
    'delivers many frames in FIFO order, both directions at once, intact',
    async () => {
      const a = await ctx.started('A');
      const b = await ctx.started('B');
      const [out, inbound] = await ctx.connect(a, b);
      const n = 1000;
      for (let i = 0; i < n; i++) {
        expect(out.send(makeFrame(1, i, mixedSize(i)))).toBe(true);
        expect(inbound.send(makeFrame(2, i, mixedSize(n - i)))).toBe(true);
      }
      await b.rec.until(() => b.rec.framesOf(inbound).length >= n, `${n} frames A→B`, ctx.timeout);
      await a.rec.until(() => a.rec.framesOf(out).length >= n, `${n} frames B→A`, ctx.timeout);
      const ab = b.rec.framesOf(inbound);
      const ba = a.rec.framesOf(out);
      expect(ab).toHaveLength(n);
      expect(ba).toHaveLength(n);
      for (let i = 0; i < n; i++) {
        expect(checkFrame(ab[i]!, 1, i, mixedSize(i))).toBeUndefined();
        expect(checkFrame(ba[i]!, 2, i, mixedSize(n - i))).toBeUndefined();
      }
    },
    ctx.testTimeout,
  );

  it(
    `carries large frames (${large} bytes) intact both ways`,
    async () => {
      const a = await ctx.started('A');
      const b = await ctx.started('B');
      const [out, inbound] = await ctx.connect(a, b);
      const count = 4;
      for (let i = 0; i < count; i++) {
        expect(out.send(makeFrame(3, i, large - (i % 2)))).toBe(true);
        expect(inbound.send(makeFrame(4, i, large - (i % 2)))).toBe(true);
      }
      // A small frame after the large ones must not overtake them.
      expect(out.send(makeFrame(3, count, 8))).toBe(true);
      await b.rec.until(
        () => b.rec.framesOf(inbound).length >= count + 1,
        'large frames A→B',
        ctx.timeout * 2,
      );
      await a.rec.until(() => a.rec.framesOf(out).length >= count, 'large frames B→A', ctx.timeout * 2);
      for (let i = 0; i < count; i++) {
        expect(checkFrame(b.rec.framesOf(inbound)[i]!, 3, i, large - (i % 2))).toBeUndefined();
        expect(checkFrame(a.rec.framesOf(out)[i]!, 4, i, large - (i % 2))).toBeUndefined();
      }
      expect(checkFrame(b.rec.framesOf(inbound)[count]!, 3, count, 8)).toBeUndefined();
      expect(a.rec.errors).toEqual([]);
      expect(b.rec.errors).toEqual([]);
    },
    ctx.testTimeout,
  );

  it(
    'serves many links at once: one listener, 12 concurrent dialers, frames never mixed up',
    async () => {
      const hub = await ctx.started('listener');
      hub.rec.onFrameHook = (link, frame) => {
        link.send(frame); // echo on the same link
      };
      const dialers = 12;
      const perLink = 30;
      const peers = await Promise.all(Array.from({ length: dialers }, (_, i) => ctx.started(`dialer${i}`)));
      const links = await ctx.within(
        Promise.all(peers.map((p) => p.t.dial(hub.address))),
        ctx.timeout,
        'the dials',
      );
      links.forEach((link, d) => {
        for (let i = 0; i < perLink; i++) expect(link.send(makeFrame(d, i, 64 + d))).toBe(true);
      });
      await hub.rec.until(() => hub.rec.links.length >= dialers, `${dialers} inbound links`, ctx.timeout);
      for (const [d, p] of peers.entries()) {
        const link = links[d]!;
        await p.rec.until(() => p.rec.framesOf(link).length >= perLink, `echoes on dialer ${d}`, ctx.timeout);
        const got = p.rec.framesOf(link);
        expect(got).toHaveLength(perLink);
        got.forEach((f, i) => {
          expect(checkFrame(f, d, i, 64 + d)).toBeUndefined();
        });
      }
      expect(hub.rec.links).toHaveLength(dialers);
      expect(hub.t.links()).toHaveLength(dialers);
      expect(new Set(hub.rec.links.map((l) => l.id)).size).toBe(dialers);
      const tags = new Set<number>();
      for (const link of hub.rec.links) {
        expect(link.direction).toBe('inbound');
        const got = hub.rec.framesOf(link);
        expect(got).toHaveLength(perLink);
        const tag = got[0]![4]!;
        tags.add(tag);
        got.forEach((f, i) => {
          expect(checkFrame(f, tag, i, 64 + tag)).toBeUndefined();
        });
      }
      expect(tags.size).toBe(dialers);
    },
    ctx.testTimeout,
  );

  for (const closer of ['dialling', 'accepting'] as const) {
    it(
      `closes from the ${closer} side: onClose exactly once on each side, local flag right, send returns false`,
      async () => {
        const a = await ctx.started('A');
        const b = await ctx.started('B');
        const [out, inbound] = await ctx.connect(a, b);
        expect(out.send(makeFrame(5, 0, 10))).toBe(true);
        await b.rec.until(() => b.rec.framesOf(inbound).length === 1, 'a first frame', ctx.timeout);

        const [mine, theirs, myRec, theirRec, myT, theirT] =
          closer === 'dialling'
            ? ([out, inbound, a.rec, b.rec, a.t, b.t] as const)
            : ([inbound, out, b.rec, a.rec, b.t, a.t] as const);
        mine.close('bye');
        expect(mine.open).toBe(false);
        expect(mine.send(makeFrame(5, 1, 10))).toBe(false);
        mine.close('again'); // idempotent
        await myRec.until(() => myRec.closeCount(mine) >= 1, 'local onClose', ctx.timeout);
        await theirRec.until(() => theirRec.closeCount(theirs) >= 1, 'remote onClose', ctx.timeout);
        expect(myRec.closes.get(mine)![0]!.local).toBe(true);
        expect(myRec.closes.get(mine)![0]!.reason).toBe('bye');
        expect(theirRec.closes.get(theirs)![0]!.local).toBe(false);
        expect(theirs.open).toBe(false);
        expect(theirs.send(makeFrame(5, 2, 10))).toBe(false);
        theirs.close('late'); // closing an already closed link is a no-op
        await ctx.sleep(100);
        expect(myRec.closeCount(mine)).toBe(1);
        expect(theirRec.closeCount(theirs)).toBe(1);
        expect(myT.links()).not.toContain(mine);
        expect(theirT.links()).not.toContain(theirs);
      },
      ctx.testTimeout,
    );
  }

  it(
    'closing in the middle of a burst neither throws nor rejects; the receiver gets an in-order prefix',
    async () => {
      const a = await ctx.started('A');
      const b = await ctx.started('B');
      const [out, inbound] = await ctx.connect(a, b);
      const burst = 200;
      let accepted = 0;
      for (let i = 0; i < burst; i++) if (out.send(makeFrame(6, i, 16 * 1024))) accepted++;
      expect(accepted).toBe(burst);
      out.close('mid-burst');
      expect(out.send(makeFrame(6, burst, 16))).toBe(false);
      await a.rec.until(() => a.rec.closeCount(out) === 1, 'local onClose', ctx.timeout);
      await b.rec.until(() => b.rec.closeCount(inbound) === 1, 'remote onClose', ctx.timeout);
      await ctx.sleep(100);
      const got = b.rec.framesOf(inbound);
      expect(got.length).toBeLessThanOrEqual(burst);
      got.forEach((f, i) => {
        expect(checkFrame(f, 6, i, 16 * 1024)).toBeUndefined();
      });
      expect(a.rec.closeCount(out)).toBe(1);
      expect(b.rec.closeCount(inbound)).toBe(1);
    },
    ctx.testTimeout,
  );

  it(
    'the remote side closing while we keep sending: send never throws and turns false, onClose once each',
    async () => {
      const a = await ctx.started('A');
      const b = await ctx.started('B');
      const [out, inbound] = await ctx.connect(a, b);
      b.rec.onFrameHook = (link, frame) => {
        if (indexOf(frame) === 10) link.close('enough'); // close from inside a callback
      };
      let i = 0;
      let threw: unknown;
      const deadline = ctx.clock.now() + ctx.timeout;
      for (;;) {
        let ok: boolean;
        try {
          ok = out.send(makeFrame(7, i, 256));
        } catch (error) {
          threw = error;
          break;
        }
        if (!ok) break;
        i++;
        if (ctx.clock.now() > deadline)
          throw new Error('send still returns true long after the remote closed');
        await ctx.sleep(i % 10 === 0 ? 5 : 0);
      }
      expect(threw).toBeUndefined();
      expect(i).toBeGreaterThan(10);
      await a.rec.until(() => a.rec.closeCount(out) === 1, 'onClose on the sender', ctx.timeout);
      expect(out.open).toBe(false);
      expect(a.rec.closes.get(out)![0]!.local).toBe(false);
      expect(b.rec.closeCount(inbound)).toBe(1);
      expect(b.rec.closes.get(inbound)![0]!.local).toBe(true);
      const got = b.rec.framesOf(inbound);
      expect(got).toHaveLength(11); // nothing is delivered after onClose, everything before is
      got.forEach((f, k) => {
        expect(checkFrame(f, 7, k, 256)).toBeUndefined();
      });
    },
    ctx.testTimeout,
  );

  it(
    'reconnects: dialling again after a close (from either side) gives a new working link',
    async () => {
      const a = await ctx.started('A');
      const b = await ctx.started('B');
      const ids = new Set<string>();
      for (let round = 0; round < 3; round++) {
        const [out, inbound] = await ctx.connect(a, b);
        ids.add(out.id);
        expect(out.send(makeFrame(8, round, 32))).toBe(true);
        expect(inbound.send(makeFrame(9, round, 32))).toBe(true);
        await b.rec.until(
          () => b.rec.framesOf(inbound).length === 1,
          `frame A→B, round ${round}`,
          ctx.timeout,
        );
        await a.rec.until(() => a.rec.framesOf(out).length === 1, `frame B→A, round ${round}`, ctx.timeout);
        expect(checkFrame(b.rec.framesOf(inbound)[0]!, 8, round, 32)).toBeUndefined();
        expect(checkFrame(a.rec.framesOf(out)[0]!, 9, round, 32)).toBeUndefined();
        (round % 2 === 0 ? out : inbound).close(`round ${round}`);
        await a.rec.until(() => a.rec.closeCount(out) === 1, `A onClose, round ${round}`, ctx.timeout);
        await b.rec.until(() => b.rec.closeCount(inbound) === 1, `B onClose, round ${round}`, ctx.timeout);
      }
      expect(ids.size).toBe(3); // link ids are not reused
      expect(a.t.links()).toHaveLength(0);
      expect(b.t.links()).toHaveLength(0);
    },
    ctx.testTimeout,
  );

  it(
    'surfaces dial failures as rejected TransportErrors, never as throws, and keeps working',
    async () => {
      const a = await ctx.started('A');
      const b = await ctx.started('B');
      const notStarted = await ctx.fresh();
      await expectTransportError(notStarted.dial(b.address), 'dial before start', ['NOT_STARTED']);

      for (const bad of ['', '\u0000 not an address \u0000']) {
        let promise: Promise<Link> | undefined;
        expect(() => {
          promise = a.t.dial(bad);
        }).not.toThrow();
        await expectTransportError(
          ctx.within(promise!, ctx.timeout, 'dial()'),
          `dial(${JSON.stringify(bad)})`,
        );
      }

      const gone = await ctx.started('gone');
      await ctx.within(gone.t.stop(), ctx.timeout, 'stop()');
      await expectTransportError(
        ctx.within(a.t.dial(gone.address), ctx.timeout, 'dial to a stopped transport'),
        'dial to a stopped transport',
      );

      expect(a.t.links()).toHaveLength(0);
      const [out, inbound] = await ctx.connect(a, b);
      expect(out.send(makeFrame(10, 0, 8))).toBe(true);
      await b.rec.until(
        () => b.rec.framesOf(inbound).length === 1,
        'a frame after the failures',
        ctx.timeout,
      );
    },
    ctx.testTimeout,
  );

  const limit = ctx.harness.maxFrameBytes;
  if (limit !== undefined) {
    it(
      `rejects a frame of maxFrameBytes + 1 (${limit + 1} bytes) with FRAME_TOO_LARGE without killing other links`,
      async () => {
        const a = await ctx.started('A');
        const b = await ctx.started('B');
        const c = await ctx.started('C');
        const [ab, ba] = await ctx.connect(a, b);
        const [ac, ca] = await ctx.connect(a, c);
        let threw: unknown;
        try {
          ab.send(makeFrame(11, 0, limit + 1));
        } catch (error) {
          threw = error;
        }
        if (threw !== undefined) {
          expect(isTransportError(threw)).toBe(true);
          expect((threw as TransportError).code).toBe('FRAME_TOO_LARGE');
          // Nothing was sent and the link is still usable.
          expect(ab.open).toBe(true);
          expect(ab.send(makeFrame(11, 1, 8))).toBe(true);
          await b.rec.until(
            () => b.rec.framesOf(ba).length >= 1,
            'a frame after the rejected one',
            ctx.timeout,
          );
          expect(b.rec.framesOf(ba)).toHaveLength(1);
          expect(checkFrame(b.rec.framesOf(ba)[0]!, 11, 1, 8)).toBeUndefined();
        } else {
          const reported = () =>
            [...a.rec.errors, ...b.rec.errors].some((e) => e.error.code === 'FRAME_TOO_LARGE');
          await a.rec.until(reported, 'FRAME_TOO_LARGE thrown by send or reported to onError', ctx.timeout);
          expect(b.rec.framesOf(ba).some((f) => f.length > limit)).toBe(false);
        }
        // Other links are unaffected.
        expect(ac.open).toBe(true);
        expect(ac.send(makeFrame(12, 0, 8))).toBe(true);
        expect(ca.send(makeFrame(13, 0, 8))).toBe(true);
        await c.rec.until(() => c.rec.framesOf(ca).length === 1, 'a frame A→C', ctx.timeout);
        await a.rec.until(() => a.rec.framesOf(ac).length === 1, 'a frame C→A', ctx.timeout);
        expect(a.rec.closeCount(ac)).toBe(0);
      },
      ctx.testTimeout,
    );
  }

  it(
    'stop() closes every link (onClose once each, local on this side), stops listening, and is idempotent',
    async () => {
      const neverStarted = await ctx.fresh();
      await ctx.within(neverStarted.stop(), ctx.timeout, 'stop() before start()'); // stopping a transport that never started is fine

      const a = await ctx.started('A');
      const b = await ctx.started('B');
      const c = await ctx.started('C');
      const d = await ctx.started('D');
      const pairs = [
        await ctx.connect(a, b),
        (await ctx.connect(c, a)).reverse(),
        (await ctx.connect(d, a)).reverse(),
      ] as [Link, Link][];
      const remotes = [b.rec, c.rec, d.rec];
      expect(a.t.links()).toHaveLength(3);

      await ctx.within(Promise.all([a.t.stop(), a.t.stop()]), ctx.timeout, 'stop()');
      for (const [mine] of pairs) {
        expect(mine.open).toBe(false);
        expect(a.rec.closeCount(mine)).toBe(1);
        expect(a.rec.closes.get(mine)![0]!.local).toBe(true);
        expect(mine.send(makeFrame(14, 0, 8))).toBe(false);
      }
      expect(a.t.links()).toHaveLength(0);
      expect(a.t.addresses()).toEqual([]);
      for (const [k, [, theirs]] of pairs.entries()) {
        const rec = remotes[k]!;
        await rec.until(() => rec.closeCount(theirs) === 1, `remote onClose on ${rec.label}`, ctx.timeout);
        expect(rec.closes.get(theirs)![0]!.local).toBe(false);
        expect(theirs.send(makeFrame(14, 1, 8))).toBe(false);
      }

      await ctx.within(a.t.stop(), ctx.timeout, 'a second stop()');
      await ctx.sleep(50);
      for (const [mine] of pairs) expect(a.rec.closeCount(mine)).toBe(1);
      await expectTransportError(a.t.dial(b.address), 'dial after stop');
      await expectTransportError(
        ctx.within(b.t.dial(a.address), ctx.timeout, 'dial to a stopped transport'),
        'dial to a stopped transport',
      );
    },
    ctx.testTimeout,
  );
}
