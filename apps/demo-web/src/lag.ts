import type { PeerOptions } from '@symmetric/peer';

/** The transport interface, as the peer takes it. */
type Transport = PeerOptions<unknown, unknown>['transports'][number];
type Link = ReturnType<Transport['links']>[number];
type Handler = Parameters<Transport['start']>[0];

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
  const wrapped = new WeakMap<Link, Link>();

  const wrap = (link: Link): Link => {
    const known = wrapped.get(link);
    if (known !== undefined) return known;
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
    const outer: Link = {
      get id() {
        return link.id;
      },
      get direction() {
        return link.direction;
      },
      get remoteAddress() {
        return link.remoteAddress;
      },
      get remotePeerId() {
        return link.remotePeerId;
      },
      get open() {
        return link.open;
      },
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
    wrapped.set(link, outer);
    return outer;
  };

  const transport: Transport = {
    name: inner.name,
    start(h: Handler): Promise<void> {
      return inner.start({
        onLink: (link) => h.onLink(wrap(link)),
        onFrame: (link, frame) => h.onFrame(wrap(link), frame),
        onClose: (link, info) => h.onClose(wrap(link), info),
        onError: (error, link) => h.onError(error, link === undefined ? undefined : wrap(link)),
      });
    },
    dial: async (address) => wrap(await inner.dial(address)),
    addresses: () => inner.addresses(),
    links: () => inner.links().map(wrap),
    stop: () => inner.stop(),
  };
  return {
    transport,
    lagMs: () => lag,
    setLagMs(ms: number) {
      lag = Math.max(0, ms);
    },
  };
}
