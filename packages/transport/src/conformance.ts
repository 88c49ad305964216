/**
 * The transport conformance suite: one call registers a vitest `describe` block that checks
 * the behaviour every Symmetric {@link Transport} must share (link handshake, FIFO order,
 * large frames, many links, close from either side, close during send, reconnect, typed
 * errors, stop).
 *
 * ```ts
 * import { runTransportConformance } from '@symmetric/transport/conformance';
 * runTransportConformance('my-transport', { create: async () => new MyTransport({ listen: true }) });
 * ```
 *
 * The suite is transport-agnostic: it only uses the {@link Transport} interface and learns
 * where to dial from `transport.addresses()` after `start`. It runs on real timers, so give
 * slow transports a larger {@link ConformanceHarness.timeoutMs}.
 *
 * @packageDocumentation
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  CloseInfo,
  Link,
  Transport,
  TransportError,
  TransportErrorCode,
  TransportHandler,
} from './transport.js';
import { isTransportError } from './transport.js';

/** Timer functions of the host (Node or a browser); this package is built without DOM/Node types. */
const { setTimeout, clearTimeout, setInterval, clearInterval } = globalThis as unknown as {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
};

/** How the conformance suite gets transports to test. */
export interface ConformanceHarness {
  /**
   * A fresh, NOT started transport that listens: after `start` it is dialable at one of
   * `addresses()` (the suite uses the first), and it can dial the others. Called several
   * times per test (up to 13 instances live at once).
   */
  create(): Promise<Transport>;
  /** Called after each test, once every transport it created was stopped. */
  cleanup?(): Promise<void>;
  /**
   * The transport's configured frame limit: the largest frame `send` accepts. When set, the
   * large-frame test uses `min(1 MiB, maxFrameBytes)` and an extra test sends one byte more;
   * when `undefined` that one oversized-frame test is not registered.
   */
  maxFrameBytes?: number;
  /** How long one wait (for a link, a frame, a close) may take, in ms. Default 10 000. */
  timeoutMs?: number;
}

/** One callback seen by a {@link ConformanceRecorder}. */
interface ErrorRecord {
  readonly error: TransportError;
  readonly link: Link | undefined;
}

/**
 * A {@link TransportHandler} that records every callback and checks the callback order
 * rules as they happen (a frame only on a reported, not yet closed link; `onClose` exactly
 * once, with `open === false`; only {@link TransportError}s to `onError`). Exported for
 * transports that want to write extra tests of their own in the same style.
 */
export class ConformanceRecorder implements TransportHandler {
  /** Links reported to `onLink`, in order. */
  readonly links: Link[] = [];
  /** Frames received per link, in arrival order. */
  readonly frames = new Map<Link, Uint8Array[]>();
  /** `onClose` infos per link (a conforming transport reports exactly one). */
  readonly closes = new Map<Link, CloseInfo[]>();
  /** Everything reported to `onError`. */
  readonly errors: ErrorRecord[] = [];
  /** Broken callback rules, as human-readable strings; must stay empty. */
  readonly violations: string[] = [];
  /** Optional hook run inside `onLink` (e.g. to send a greeting from within the callback). */
  onLinkHook: ((link: Link) => void) | undefined;
  /** Optional hook run inside `onFrame`. */
  onFrameHook: ((link: Link, frame: Uint8Array) => void) | undefined;
  private readonly waiters = new Set<() => void>();

  /** Name used in failure messages (e.g. `A`, `listener`). */
  readonly label: string;

  /** @param label Name used in failure messages (e.g. `A`, `listener`). */
  constructor(label: string) {
    this.label = label;
  }

  onLink(link: Link): void {
    if (this.frames.has(link)) this.violations.push(`${this.label}: onLink twice for link ${link.id}`);
    if (!link.open) this.violations.push(`${this.label}: onLink with link.open === false (${link.id})`);
    if (link.direction !== 'inbound' && link.direction !== 'outbound') {
      this.violations.push(`${this.label}: bad link.direction ${String(link.direction)}`);
    }
    this.links.push(link);
    this.frames.set(link, []);
    this.closes.set(link, []);
    this.onLinkHook?.(link);
    this.notify();
  }

  onFrame(link: Link, frame: Uint8Array): void {
    const list = this.frames.get(link);
    if (list === undefined) {
      this.violations.push(
        `${this.label}: onFrame for a link never reported to onLink (${link.id}; not the same Link object?)`,
      );
    } else if ((this.closes.get(link)?.length ?? 0) > 0) {
      this.violations.push(`${this.label}: onFrame after onClose on link ${link.id}`);
    } else if (!(frame instanceof Uint8Array)) {
      this.violations.push(`${this.label}: onFrame with a non-Uint8Array frame on link ${link.id}`);
    } else {
      list.push(frame);
    }
    this.onFrameHook?.(link, frame);
    this.notify();
  }

  onClose(link: Link, info: CloseInfo): void {
    const list = this.closes.get(link);
    if (list === undefined) {
      this.violations.push(`${this.label}: onClose for a link never reported to onLink (${link.id})`);
    } else {
      if (list.length > 0)
        this.violations.push(`${this.label}: onClose ${list.length + 1} times on ${link.id}`);
      list.push(info);
    }
    if (link.open) this.violations.push(`${this.label}: onClose while link.open === true (${link.id})`);
    if (typeof info.local !== 'boolean' || typeof info.reason !== 'string') {
      this.violations.push(`${this.label}: malformed CloseInfo on ${link.id}`);
    }
    if (info.error !== undefined && !isTransportError(info.error)) {
      this.violations.push(`${this.label}: CloseInfo.error is not a TransportError on ${link.id}`);
    }
    this.notify();
  }

  onError(error: TransportError, link?: Link): void {
    if (!isTransportError(error)) {
      this.violations.push(`${this.label}: onError with a non-TransportError: ${String(error)}`);
    }
    this.errors.push({ error, link });
    this.notify();
  }

  /** Frames received on `link` so far (empty when unknown). */
  framesOf(link: Link): Uint8Array[] {
    return this.frames.get(link) ?? [];
  }

  /** How many times `onClose` fired for `link`. */
  closeCount(link: Link): number {
    return this.closes.get(link)?.length ?? 0;
  }

  /** The links reported to `onLink` with the given direction. */
  linksOf(direction: 'inbound' | 'outbound'): Link[] {
    return this.links.filter((l) => l.direction === direction);
  }

  /**
   * Resolves once `predicate()` holds (checked now and after every callback, and every
   * 50 ms for state that changes without a callback); rejects after `timeoutMs`.
   */
  until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        done();
        resolve();
      };
      const poll = setInterval(check, 50);
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.label}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = (): void => {
        clearInterval(poll);
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** A test frame: `[index u32 BE][tag u8][pattern...]`, at least 5 bytes. */
function makeFrame(tag: number, index: number, size: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(5, size));
  new DataView(bytes.buffer).setUint32(0, index);
  bytes[4] = tag;
  for (let i = 5; i < bytes.length; i++) bytes[i] = (index * 31 + i * 7 + tag) & 0xff;
  return bytes;
}

/** `undefined` when `frame` is intact, else why not. */
function checkFrame(frame: Uint8Array, tag: number, index: number, size: number): string | undefined {
  const want = Math.max(5, size);
  if (frame.length !== want) return `frame ${index}: length ${frame.length}, expected ${want}`;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0) !== index) return `frame ${index}: index field is ${view.getUint32(0)}`;
  if (frame[4] !== tag) return `frame ${index}: tag ${frame[4]}, expected ${tag}`;
  for (let i = 5; i < frame.length; i++) {
    if (frame[i] !== ((index * 31 + i * 7 + tag) & 0xff)) return `frame ${index}: byte ${i} corrupted`;
  }
  return undefined;
}

function indexOf(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
}

/** Size of the i-th frame of a mixed-size stream (1 byte .. ~4 KiB, some 5-byte). */
function mixedSize(i: number): number {
  return i % 7 === 0 ? 1 : (i * 131) % 4096;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection naming `what` when it does not settle within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: unknown;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Expects `promise` to reject with a TransportError (optionally of one of `codes`). */
async function expectTransportError(
  promise: Promise<unknown>,
  what: string,
  codes?: readonly TransportErrorCode[],
): Promise<TransportError> {
  let outcome: { ok: true } | { ok: false; error: unknown };
  try {
    await promise;
    outcome = { ok: true };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) throw new Error(`${what}: resolved, expected a rejection with a TransportError`);
  const error = outcome.error;
  if (!isTransportError(error)) {
    throw new Error(`${what}: rejected with ${String(error)}, expected a TransportError`);
  }
  if (codes !== undefined && !codes.includes(error.code)) {
    throw new Error(`${what}: TransportError code ${error.code}, expected one of ${codes.join(', ')}`);
  }
  return error;
}

interface ProcessLike {
  on(event: string, listener: (reason: unknown) => void): unknown;
  off(event: string, listener: (reason: unknown) => void): unknown;
}

/**
 * Registers the conformance suite for one transport as a vitest `describe` block named
 * `transport conformance: <name>`. Call it at the top level of a test file.
 *
 * @param name Shown in the test names.
 * @param harness Creates the transports under test (see {@link ConformanceHarness}).
 */
export function runTransportConformance(name: string, harness: ConformanceHarness): void {
  const timeout = harness.timeoutMs ?? 10_000;
  const testTimeout = timeout * 6 + 5_000;
  const large = Math.min(1 << 20, harness.maxFrameBytes ?? 1 << 20);

  describe(`transport conformance: ${name}`, () => {
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
        live.map((t) => within(t.stop(), timeout, 'stop() during cleanup')),
      );
      for (const s of stops) if (s.status === 'rejected') failures.push(`cleanup: ${String(s.reason)}`);
      if (harness.cleanup !== undefined) await within(harness.cleanup(), timeout, 'harness.cleanup()');
      // Give late callbacks and rejections a moment to surface.
      await sleep(20);
      proc?.off('unhandledRejection', onUnhandled);
      for (const r of recorders) failures.push(...r.violations);
      for (const reason of unhandled) failures.push(`unhandled rejection: ${String(reason)}`);
      if (failures.length > 0) throw new Error(`conformance violations:\n${failures.join('\n')}`);
    });

    /** A created (not started) transport that is stopped after the test. */
    async function fresh(): Promise<Transport> {
      const t = await harness.create();
      live.push(t);
      return t;
    }

    /** A started transport with its recorder and the address to dial it at. */
    async function started(
      label: string,
    ): Promise<{ t: Transport; rec: ConformanceRecorder; address: string }> {
      const t = await fresh();
      const rec = new ConformanceRecorder(label);
      recorders.push(rec);
      await t.start(rec);
      const address = t.addresses()[0];
      if (address === undefined) throw new Error(`${label}: addresses() is empty after start()`);
      return { t, rec, address };
    }

    /** Dials `to` from `from`, waits for both ends, returns [outbound, inbound]. */
    async function connect(
      from: { t: Transport; rec: ConformanceRecorder },
      to: { rec: ConformanceRecorder; address: string },
    ): Promise<[Link, Link]> {
      const inboundBefore = to.rec.linksOf('inbound').length;
      const out = await from.t.dial(to.address);
      await to.rec.until(
        () => to.rec.linksOf('inbound').length > inboundBefore,
        'the inbound link to be reported',
        timeout,
      );
      const inbound = to.rec.linksOf('inbound')[inboundBefore]!;
      return [out, inbound];
    }

    it(
      'opens a link on both sides: onLink fires on each, directions outbound/inbound, frames sent from inside onLink arrive',
      async () => {
        const a = await started('A');
        const b = await started('B');
        const hello = (rec: ConformanceRecorder, tag: number) => (link: Link) => {
          if (!link.send(makeFrame(tag, 0, 16)))
            rec.violations.push(`${rec.label}: send() inside onLink returned false`);
        };
        a.rec.onLinkHook = hello(a.rec, 0xa);
        b.rec.onLinkHook = hello(b.rec, 0xb);

        const out = await a.t.dial(b.address);
        expect(a.rec.links).toContain(out); // dial resolves after onLink fired for it
        expect(out.direction).toBe('outbound');
        expect(out.open).toBe(true);
        expect(typeof out.id).toBe('string');
        expect(out.id.length).toBeGreaterThan(0);
        expect(typeof out.remoteAddress).toBe('string');
        expect(a.t.links()).toContain(out);

        await b.rec.until(() => b.rec.links.length === 1, 'the inbound link', timeout);
        const inbound = b.rec.links[0]!;
        expect(inbound.direction).toBe('inbound');
        expect(inbound.open).toBe(true);
        expect(b.t.links()).toContain(inbound);
        expect(a.rec.links).toHaveLength(1);

        await a.rec.until(() => a.rec.framesOf(out).length >= 1, "B's greeting", timeout);
        await b.rec.until(() => b.rec.framesOf(inbound).length >= 1, "A's greeting", timeout);
        expect(checkFrame(a.rec.framesOf(out)[0]!, 0xb, 0, 16)).toBeUndefined();
        expect(checkFrame(b.rec.framesOf(inbound)[0]!, 0xa, 0, 16)).toBeUndefined();
        expect(a.rec.errors).toEqual([]);
        expect(b.rec.errors).toEqual([]);
      },
      testTimeout,
    );

    it(
      'delivers many frames in FIFO order, both directions at once, intact',
      async () => {
        const a = await started('A');
        const b = await started('B');
        const [out, inbound] = await connect(a, b);
        const n = 1000;
        for (let i = 0; i < n; i++) {
          expect(out.send(makeFrame(1, i, mixedSize(i)))).toBe(true);
          expect(inbound.send(makeFrame(2, i, mixedSize(n - i)))).toBe(true);
        }
        await b.rec.until(() => b.rec.framesOf(inbound).length >= n, `${n} frames A→B`, timeout);
        await a.rec.until(() => a.rec.framesOf(out).length >= n, `${n} frames B→A`, timeout);
        const ab = b.rec.framesOf(inbound);
        const ba = a.rec.framesOf(out);
        expect(ab).toHaveLength(n);
        expect(ba).toHaveLength(n);
        for (let i = 0; i < n; i++) {
          expect(checkFrame(ab[i]!, 1, i, mixedSize(i))).toBeUndefined();
          expect(checkFrame(ba[i]!, 2, i, mixedSize(n - i))).toBeUndefined();
        }
      },
      testTimeout,
    );

    it(
      `carries large frames (${large} bytes) intact both ways`,
      async () => {
        const a = await started('A');
        const b = await started('B');
        const [out, inbound] = await connect(a, b);
        const count = 4;
        for (let i = 0; i < count; i++) {
          expect(out.send(makeFrame(3, i, large - (i % 2)))).toBe(true);
          expect(inbound.send(makeFrame(4, i, large - (i % 2)))).toBe(true);
        }
        // A small frame after the large ones must not overtake them.
        expect(out.send(makeFrame(3, count, 8))).toBe(true);
        await b.rec.until(() => b.rec.framesOf(inbound).length >= count + 1, 'large frames A→B', timeout * 2);
        await a.rec.until(() => a.rec.framesOf(out).length >= count, 'large frames B→A', timeout * 2);
        for (let i = 0; i < count; i++) {
          expect(checkFrame(b.rec.framesOf(inbound)[i]!, 3, i, large - (i % 2))).toBeUndefined();
          expect(checkFrame(a.rec.framesOf(out)[i]!, 4, i, large - (i % 2))).toBeUndefined();
        }
        expect(checkFrame(b.rec.framesOf(inbound)[count]!, 3, count, 8)).toBeUndefined();
        expect(a.rec.errors).toEqual([]);
        expect(b.rec.errors).toEqual([]);
      },
      testTimeout,
    );

    it(
      'serves many links at once: one listener, 12 concurrent dialers, frames never mixed up',
      async () => {
        const hub = await started('listener');
        hub.rec.onFrameHook = (link, frame) => {
          link.send(frame); // echo on the same link
        };
        const dialers = 12;
        const perLink = 30;
        const peers = await Promise.all(Array.from({ length: dialers }, (_, i) => started(`dialer${i}`)));
        const links = await Promise.all(peers.map((p) => p.t.dial(hub.address)));
        links.forEach((link, d) => {
          for (let i = 0; i < perLink; i++) expect(link.send(makeFrame(d, i, 64 + d))).toBe(true);
        });
        await hub.rec.until(() => hub.rec.links.length >= dialers, `${dialers} inbound links`, timeout);
        for (const [d, p] of peers.entries()) {
          const link = links[d]!;
          await p.rec.until(() => p.rec.framesOf(link).length >= perLink, `echoes on dialer ${d}`, timeout);
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
      testTimeout,
    );

    for (const closer of ['dialling', 'accepting'] as const) {
      it(
        `closes from the ${closer} side: onClose exactly once on each side, local flag right, send returns false`,
        async () => {
          const a = await started('A');
          const b = await started('B');
          const [out, inbound] = await connect(a, b);
          expect(out.send(makeFrame(5, 0, 10))).toBe(true);
          await b.rec.until(() => b.rec.framesOf(inbound).length === 1, 'a first frame', timeout);

          const [mine, theirs, myRec, theirRec, myT, theirT] =
            closer === 'dialling'
              ? ([out, inbound, a.rec, b.rec, a.t, b.t] as const)
              : ([inbound, out, b.rec, a.rec, b.t, a.t] as const);
          mine.close('bye');
          expect(mine.open).toBe(false);
          expect(mine.send(makeFrame(5, 1, 10))).toBe(false);
          mine.close('again'); // idempotent
          await myRec.until(() => myRec.closeCount(mine) >= 1, 'local onClose', timeout);
          await theirRec.until(() => theirRec.closeCount(theirs) >= 1, 'remote onClose', timeout);
          expect(myRec.closes.get(mine)![0]!.local).toBe(true);
          expect(myRec.closes.get(mine)![0]!.reason).toBe('bye');
          expect(theirRec.closes.get(theirs)![0]!.local).toBe(false);
          expect(theirs.open).toBe(false);
          expect(theirs.send(makeFrame(5, 2, 10))).toBe(false);
          theirs.close('late'); // closing an already closed link is a no-op
          await sleep(100);
          expect(myRec.closeCount(mine)).toBe(1);
          expect(theirRec.closeCount(theirs)).toBe(1);
          expect(myT.links()).not.toContain(mine);
          expect(theirT.links()).not.toContain(theirs);
        },
        testTimeout,
      );
    }

    it(
      'closing in the middle of a burst neither throws nor rejects; the receiver gets an in-order prefix',
      async () => {
        const a = await started('A');
        const b = await started('B');
        const [out, inbound] = await connect(a, b);
        const burst = 200;
        let accepted = 0;
        for (let i = 0; i < burst; i++) if (out.send(makeFrame(6, i, 16 * 1024))) accepted++;
        expect(accepted).toBe(burst);
        out.close('mid-burst');
        expect(out.send(makeFrame(6, burst, 16))).toBe(false);
        await a.rec.until(() => a.rec.closeCount(out) === 1, 'local onClose', timeout);
        await b.rec.until(() => b.rec.closeCount(inbound) === 1, 'remote onClose', timeout);
        await sleep(100);
        const got = b.rec.framesOf(inbound);
        expect(got.length).toBeLessThanOrEqual(burst);
        got.forEach((f, i) => {
          expect(checkFrame(f, 6, i, 16 * 1024)).toBeUndefined();
        });
        expect(a.rec.closeCount(out)).toBe(1);
        expect(b.rec.closeCount(inbound)).toBe(1);
      },
      testTimeout,
    );

    it(
      'the remote side closing while we keep sending: send never throws and turns false, onClose once each',
      async () => {
        const a = await started('A');
        const b = await started('B');
        const [out, inbound] = await connect(a, b);
        b.rec.onFrameHook = (link, frame) => {
          if (indexOf(frame) === 10) link.close('enough'); // close from inside a callback
        };
        let i = 0;
        let threw: unknown;
        const deadline = Date.now() + timeout;
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
          if (Date.now() > deadline) throw new Error('send still returns true long after the remote closed');
          await sleep(i % 10 === 0 ? 5 : 0);
        }
        expect(threw).toBeUndefined();
        expect(i).toBeGreaterThan(10);
        await a.rec.until(() => a.rec.closeCount(out) === 1, 'onClose on the sender', timeout);
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
      testTimeout,
    );

    it(
      'reconnects: dialling again after a close (from either side) gives a new working link',
      async () => {
        const a = await started('A');
        const b = await started('B');
        const ids = new Set<string>();
        for (let round = 0; round < 3; round++) {
          const [out, inbound] = await connect(a, b);
          ids.add(out.id);
          expect(out.send(makeFrame(8, round, 32))).toBe(true);
          expect(inbound.send(makeFrame(9, round, 32))).toBe(true);
          await b.rec.until(() => b.rec.framesOf(inbound).length === 1, `frame A→B, round ${round}`, timeout);
          await a.rec.until(() => a.rec.framesOf(out).length === 1, `frame B→A, round ${round}`, timeout);
          expect(checkFrame(b.rec.framesOf(inbound)[0]!, 8, round, 32)).toBeUndefined();
          expect(checkFrame(a.rec.framesOf(out)[0]!, 9, round, 32)).toBeUndefined();
          (round % 2 === 0 ? out : inbound).close(`round ${round}`);
          await a.rec.until(() => a.rec.closeCount(out) === 1, `A onClose, round ${round}`, timeout);
          await b.rec.until(() => b.rec.closeCount(inbound) === 1, `B onClose, round ${round}`, timeout);
        }
        expect(ids.size).toBe(3); // link ids are not reused
        expect(a.t.links()).toHaveLength(0);
        expect(b.t.links()).toHaveLength(0);
      },
      testTimeout,
    );

    it(
      'surfaces dial failures as rejected TransportErrors, never as throws, and keeps working',
      async () => {
        const a = await started('A');
        const b = await started('B');
        const notStarted = await fresh();
        await expectTransportError(notStarted.dial(b.address), 'dial before start', ['NOT_STARTED']);

        for (const bad of ['', '\u0000 not an address \u0000']) {
          let promise: Promise<Link> | undefined;
          expect(() => {
            promise = a.t.dial(bad);
          }).not.toThrow();
          await expectTransportError(promise!, `dial(${JSON.stringify(bad)})`);
        }

        const gone = await started('gone');
        await within(gone.t.stop(), timeout, 'stop()');
        await expectTransportError(a.t.dial(gone.address), 'dial to a stopped transport');

        expect(a.t.links()).toHaveLength(0);
        const [out, inbound] = await connect(a, b);
        expect(out.send(makeFrame(10, 0, 8))).toBe(true);
        await b.rec.until(() => b.rec.framesOf(inbound).length === 1, 'a frame after the failures', timeout);
      },
      testTimeout,
    );

    const limit = harness.maxFrameBytes;
    if (limit !== undefined) {
      it(
        `rejects a frame of maxFrameBytes + 1 (${limit + 1} bytes) with FRAME_TOO_LARGE without killing other links`,
        async () => {
          const a = await started('A');
          const b = await started('B');
          const c = await started('C');
          const [ab, ba] = await connect(a, b);
          const [ac, ca] = await connect(a, c);
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
              timeout,
            );
            expect(b.rec.framesOf(ba)).toHaveLength(1);
            expect(checkFrame(b.rec.framesOf(ba)[0]!, 11, 1, 8)).toBeUndefined();
          } else {
            const reported = () =>
              [...a.rec.errors, ...b.rec.errors].some((e) => e.error.code === 'FRAME_TOO_LARGE');
            await a.rec.until(reported, 'FRAME_TOO_LARGE thrown by send or reported to onError', timeout);
            expect(b.rec.framesOf(ba).some((f) => f.length > limit)).toBe(false);
          }
          // Other links are unaffected.
          expect(ac.open).toBe(true);
          expect(ac.send(makeFrame(12, 0, 8))).toBe(true);
          expect(ca.send(makeFrame(13, 0, 8))).toBe(true);
          await c.rec.until(() => c.rec.framesOf(ca).length === 1, 'a frame A→C', timeout);
          await a.rec.until(() => a.rec.framesOf(ac).length === 1, 'a frame C→A', timeout);
          expect(a.rec.closeCount(ac)).toBe(0);
        },
        testTimeout,
      );
    }

    it(
      'stop() closes every link (onClose once each, local on this side), stops listening, and is idempotent',
      async () => {
        const neverStarted = await fresh();
        await within(neverStarted.stop(), timeout, 'stop() before start()'); // stopping a transport that never started is fine

        const a = await started('A');
        const b = await started('B');
        const c = await started('C');
        const d = await started('D');
        const pairs = [
          await connect(a, b),
          (await connect(c, a)).reverse(),
          (await connect(d, a)).reverse(),
        ] as [Link, Link][];
        const remotes = [b.rec, c.rec, d.rec];
        expect(a.t.links()).toHaveLength(3);

        await within(Promise.all([a.t.stop(), a.t.stop()]), timeout, 'stop()');
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
          await rec.until(() => rec.closeCount(theirs) === 1, `remote onClose on ${rec.label}`, timeout);
          expect(rec.closes.get(theirs)![0]!.local).toBe(false);
          expect(theirs.send(makeFrame(14, 1, 8))).toBe(false);
        }

        await within(a.t.stop(), timeout, 'a second stop()');
        await sleep(50);
        for (const [mine] of pairs) expect(a.rec.closeCount(mine)).toBe(1);
        await expectTransportError(a.t.dial(b.address), 'dial after stop');
        await expectTransportError(b.t.dial(a.address), 'dial to a stopped transport');
      },
      testTimeout,
    );
  });
}
