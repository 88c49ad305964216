import type { CloseInfo, Link, TransportError, TransportHandler } from '../transport.js';
import { isTransportError } from '../transport.js';
import { type ConformanceClock, realClock, waitUntil } from './clock.js';

/** One `onError` callback seen by a {@link ConformanceRecorder}. */
export interface ErrorRecord {
  /** The error reported. */
  readonly error: TransportError;
  /** The link it was reported on, if any. */
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
  /** The clock {@link until} waits on. */
  readonly clock: ConformanceClock;

  /**
   * @param label Name used in failure messages (e.g. `A`, `listener`).
   * @param clock The clock {@link until} waits on (default: real time).
   */
  constructor(label: string, clock: ConformanceClock = realClock) {
    this.label = label;
    this.clock = clock;
  }

  /** Records the link; flags a second `onLink` for it or a link reported closed. */
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

  /** Records the frame; flags a frame on an unknown or closed link, or one that is not bytes. */
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

  /** Records the close; flags a second close, an open link or a malformed {@link CloseInfo}. */
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

  /** Records the error; flags anything but a {@link TransportError}. */
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
   * Resolves once `predicate()` holds (checked now, after every callback, and every few ms of
   * the recorder's clock for state that changes without a callback); rejects after `timeoutMs`.
   */
  until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return waitUntil(predicate, what, timeoutMs, this.clock, (wake) => {
      this.waiters.add(wake);
      return () => this.waiters.delete(wake);
    }).catch((error: unknown) => {
      throw new Error(`${this.label}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
