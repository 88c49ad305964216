import type { CloseInfo, Link, Transport, TransportError, TransportHandler } from '@symmetric/transport';
import { afterEach, beforeEach, expect } from 'vitest';

/** A handler that records everything, for assertions. */
export class Recorder implements TransportHandler {
  readonly links: Link[] = [];
  readonly frames = new Map<Link, Uint8Array[]>();
  readonly closes = new Map<Link, CloseInfo[]>();
  readonly errors: { error: TransportError; link: Link | undefined }[] = [];
  onFrameHook: ((link: Link, frame: Uint8Array) => void) | undefined;

  onLink(link: Link): void {
    this.links.push(link);
    this.frames.set(link, []);
    this.closes.set(link, []);
  }

  onFrame(link: Link, frame: Uint8Array): void {
    this.frames.get(link)?.push(frame);
    this.onFrameHook?.(link, frame);
  }

  onClose(link: Link, info: CloseInfo): void {
    this.closes.get(link)?.push(info);
  }

  onError(error: TransportError, link?: Link): void {
    this.errors.push({ error, link });
  }

  framesOf(link: Link): Uint8Array[] {
    return this.frames.get(link) ?? [];
  }

  closeOf(link: Link): CloseInfo | undefined {
    return this.closes.get(link)?.[0];
  }

  inbound(): Link[] {
    return this.links.filter((l) => l.direction === 'inbound');
  }

  errorCodes(): string[] {
    return this.errors.map((e) => e.error.code);
  }
}

/** Polls `predicate` every 10 ms until it holds; fails after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejection of `promise`, or a failure when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    return error as TransportError;
  }
  throw new Error('expected a rejection');
}

/**
 * Every test in the calling file fails if any promise rejection goes unhandled while it runs,
 * and every transport passed to `track` is stopped after the test.
 */
export function guard(): { track<T extends Transport>(t: T): T } {
  let unhandled: unknown[] = [];
  let live: Transport[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  beforeEach(() => {
    unhandled = [];
    live = [];
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    for (const t of live.reverse()) await t.stop();
    await sleep(20);
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled.map(String)).toEqual([]);
  });
  return {
    track<T extends Transport>(t: T): T {
      live.push(t);
      return t;
    },
  };
}

/** `n` bytes with a recognisable pattern. */
export function bytes(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed) & 0xff;
  return out;
}
