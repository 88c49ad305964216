import type { CloseInfo, Link, Transport, TransportHandler } from '@symmetric/transport';

/** Options of {@link withLatency}. */
export interface LatencyOptions {
  /** Mean one-way delay added to every frame received, in ms. */
  readonly ms: number;
  /** Each frame's delay is uniform in `ms ± jitterMs` (default `ms / 5`), never reordering a link's frames. */
  readonly jitterMs?: number;
  /** Random source for the jitter (default `Math.random`). */
  readonly random?: () => number;
}

type Entry =
  | { readonly kind: 'frame'; readonly frame: Uint8Array }
  | { readonly kind: 'close'; readonly info: CloseInfo };
type Item = Entry & { readonly at: number };

/**
 * Wraps a transport so every frame it receives is handed to the peer `ms` (± jitter) later, in
 * order per link, and a link's close is reported after its last delayed frame: a simple WAN
 * model for demos on one machine, where real links take well under a millisecond. Both ends of
 * a link wrapped with the same `ms` make the one-way latency about `ms`.
 */
export function withLatency(inner: Transport, options: LatencyOptions): Transport {
  const jitter = options.jitterMs ?? options.ms / 5;
  const random = options.random ?? Math.random;
  const queues = new Map<
    Link,
    { items: Item[]; last: number; timer: ReturnType<typeof setTimeout> | undefined }
  >();
  let handler: TransportHandler | undefined;

  const pump = (link: Link) => {
    const q = queues.get(link);
    if (q === undefined) return;
    q.timer = undefined;
    const now = performance.now();
    while (q.items.length > 0 && q.items[0]!.at <= now) {
      const item = q.items.shift()!;
      if (item.kind === 'frame') handler?.onFrame(link, item.frame);
      else {
        queues.delete(link);
        handler?.onClose(link, item.info);
        return;
      }
    }
    if (q.items.length > 0) q.timer = setTimeout(() => pump(link), Math.max(0, q.items[0]!.at - now));
  };

  const enqueue = (link: Link, item: Entry, delay: number) => {
    let q = queues.get(link);
    if (q === undefined) {
      q = { items: [], last: 0, timer: undefined };
      queues.set(link, q);
    }
    const at = Math.max(q.last, performance.now() + delay);
    q.last = at;
    q.items.push({ ...item, at });
    if (q.timer === undefined) q.timer = setTimeout(() => pump(link), Math.max(0, at - performance.now()));
  };

  return {
    name: inner.name,
    start(h: TransportHandler): Promise<void> {
      handler = h;
      return inner.start({
        onLink: (link) => h.onLink(link),
        onFrame: (link, frame) =>
          enqueue(link, { kind: 'frame', frame }, options.ms + (random() * 2 - 1) * jitter),
        onClose: (link, info) => enqueue(link, { kind: 'close', info }, 0),
        onError: (error, link) => h.onError(error, link),
      });
    },
    dial: (address) => inner.dial(address),
    addresses: () => inner.addresses(),
    links: () => inner.links(),
    async stop(): Promise<void> {
      await inner.stop();
      // Deliver what is still queued (closes included) so the peer sees every link close.
      for (const [link, q] of [...queues]) {
        if (q.timer !== undefined) clearTimeout(q.timer);
        for (const item of q.items.splice(0)) {
          if (item.kind === 'frame') continue;
          handler?.onClose(link, item.info);
        }
        queues.delete(link);
      }
    },
  };
}
