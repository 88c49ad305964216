/**
 * A transport-wide cap on bytes waiting to be sent (shared by the real transports): which links to
 * close so that every link's queue together stays within the cap.
 */

/** What the cap needs to know of a link: the bytes it holds unsent. */
export interface Buffered {
  /** Bytes queued on the link but not yet written. */
  buffered(): number;
}

/**
 * The links to close, heaviest first, so that `bytes` more on `sender` keeps the total of `links`
 * within `max`; empty when it fits. The check is cheap when `sender` holds no more than its share
 * (`max / links`): then no link is over the total through it, and nothing is summed.
 */
export function linksOverTotal<L extends Buffered>(
  links: readonly L[],
  sender: L,
  bytes: number,
  max: number,
): L[] {
  const held = (link: L): number => link.buffered() + (link === sender ? bytes : 0);
  if (held(sender) * Math.max(1, links.length) <= max) return [];
  const sizes = links.map((link) => ({ link, size: held(link) }));
  let total = sizes.reduce((sum, s) => sum + s.size, 0);
  if (total <= max) return [];
  sizes.sort((a, b) => b.size - a.size);
  const out: L[] = [];
  for (const { link, size } of sizes) {
    if (total <= max) break;
    out.push(link);
    total -= size;
  }
  return out;
}
