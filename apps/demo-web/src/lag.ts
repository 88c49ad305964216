import { type Transport, withLinkOverrides } from '@symmetric/transport';

/** What {@link withSendLag} returns: the wrapped transport and the knob. */
export interface LaggedTransport {
  readonly transport: Transport;
  /** Current lag in ms. */
  lagMs(): number;
  /** Sets the lag for frames sent from now on (earlier ones keep their time; order is kept). */
  setLagMs(ms: number): void;
}

/**
 * Wraps a transport so every frame sent on any of its links leaves `lagMs` later, in order per
 * link: an artificial network delay, set live from the page's slider, that makes this page's
 * events reach the others late so they roll back. Frames received are untouched; a lag of 0
 * sends at once.
 */
export function withSendLag(inner: Transport, initialMs = 0): LaggedTransport {
  let lag = initialMs;
  const transport = withLinkOverrides(inner, (link) => {
    const queue: { frame: Uint8Array; at: number }[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const pump = () => {
      timer = undefined;
      const now = performance.now();
      while (queue.length > 0 && queue[0]!.at <= now) {
        const item = queue.shift()!;
        if (link.open) link.send(item.frame);
      }
      if (queue.length > 0) timer = setTimeout(pump, Math.max(0, queue[0]!.at - now));
    };
    return {
      send(frame: Uint8Array): boolean {
        if (lag <= 0 && queue.length === 0) return link.send(frame);
        if (!link.open) return false;
        const at = Math.max(last, performance.now() + lag);
        last = at;
        queue.push({ frame, at });
        if (timer === undefined) timer = setTimeout(pump, Math.max(0, at - performance.now()));
        return true;
      },
      close(reason?: string): void {
        if (timer !== undefined) clearTimeout(timer);
        queue.length = 0;
        link.close(reason);
      },
    };
  });
  return {
    transport,
    lagMs: () => lag,
    setLagMs(ms: number) {
      lag = Math.max(0, ms);
    },
  };
}
