/**
 * A transport over another whose links behave differently when sending or closing (added
 * latency, duplicated frames, ...): each link of the inner transport is wrapped once, and the
 * wrapper forwards everything but what the override replaces.
 */
import type { Link, Transport } from './transport.js';

/** What a wrapped link does instead of its inner link (see {@link withLinkOverrides}). */
export interface LinkOverrides {
  /** Replaces `send` (default: the inner link's). */
  send?(frame: Uint8Array): boolean;
  /** Replaces `close` (default: the inner link's). */
  close?(reason?: string): void;
}

/**
 * `inner`, with each of its links seen through one wrapper whose `send` and `close` are those
 * `override(link)` returns (called once per link); `id`, `direction` and `remoteAddress` are
 * the inner link's (fixed for its life), `remotePeerId`, `open` and everything the transport
 * does forward to `inner`; its `attachment` is its own (the handler's, for the wrapper it sees). The handler sees the wrappers only.
 *
 * @example
 * let sent = 0;
 * const counting = withLinkOverrides(inner, (link) => ({
 *   send: (frame) => (sent++, link.send(frame)),
 * }));
 */
export function withLinkOverrides(inner: Transport, override: (link: Link) => LinkOverrides): Transport {
  const wrapped = new WeakMap<Link, Link>();
  const wrap = (link: Link): Link => {
    const known = wrapped.get(link);
    if (known !== undefined) return known;
    const o = override(link);
    const outer: Link = {
      // Fixed for a link's life: copied once (read for every frame), the rest forwarded.
      id: link.id,
      direction: link.direction,
      remoteAddress: link.remoteAddress,
      get remotePeerId() {
        return link.remotePeerId;
      },
      get open() {
        return link.open;
      },
      attachment: undefined,
      send: o.send ?? ((frame) => link.send(frame)),
      close: o.close ?? ((reason) => link.close(reason)),
    };
    wrapped.set(link, outer);
    return outer;
  };
  return {
    name: inner.name,
    ...(inner.endsTurns === undefined ? {} : { endsTurns: inner.endsTurns }),
    get broadcast() {
      return inner.broadcast;
    },
    start: (h) =>
      inner.start({
        onLink: (link) => h.onLink(wrap(link)),
        onFrame: (link, frame) => h.onFrame(wrap(link), frame),
        onClose: (link, info) => h.onClose(wrap(link), info),
        onError: (error, link) => h.onError(error, link === undefined ? undefined : wrap(link)),
        ...(h.onTurnEnd === undefined ? {} : { onTurnEnd: () => h.onTurnEnd!() }),
      }),
    dial: async (address) => wrap(await inner.dial(address)),
    addresses: () => inner.addresses(),
    links: () => inner.links().map(wrap),
    stop: () => inner.stop(),
  };
}
