import type { CloseInfo, Link, TransportError, TransportHandler } from '@symmetric/transport';
import type { LoopbackNetwork } from '@symmetric/transport-loopback';

/** One callback, as recorded by {@link record}. */
export type Trace =
  | { kind: 'link'; at: number; who: string; link: string; dir: string }
  | { kind: 'frame'; at: number; who: string; link: string; bytes: string }
  | { kind: 'close'; at: number; who: string; link: string; local: boolean; reason: string; error?: string }
  | { kind: 'error'; at: number; who: string; code: string; link?: string };

/** A handler that appends every callback (with the network time) to `trace` and keeps per-link frames. */
export function record(
  network: LoopbackNetwork,
  who: string,
  trace: Trace[] = [],
): TransportHandler & {
  trace: Trace[];
  links: Link[];
  frames: Map<Link, Uint8Array[]>;
  closes: Map<Link, CloseInfo>;
  errors: TransportError[];
  onFrameHook?: ((link: Link, frame: Uint8Array) => void) | undefined;
} {
  const h = {
    trace,
    links: [] as Link[],
    frames: new Map<Link, Uint8Array[]>(),
    closes: new Map<Link, CloseInfo>(),
    errors: [] as TransportError[],
    onFrameHook: undefined as ((link: Link, frame: Uint8Array) => void) | undefined,
    onLink(link: Link) {
      h.links.push(link);
      h.frames.set(link, []);
      trace.push({ kind: 'link', at: network.now(), who, link: link.id, dir: link.direction });
    },
    onFrame(link: Link, frame: Uint8Array) {
      h.frames.get(link)!.push(frame);
      trace.push({
        kind: 'frame',
        at: network.now(),
        who,
        link: link.id,
        bytes: Array.from(frame).join(','),
      });
      h.onFrameHook?.(link, frame);
    },
    onClose(link: Link, info: CloseInfo) {
      h.closes.set(link, info);
      trace.push({
        kind: 'close',
        at: network.now(),
        who,
        link: link.id,
        local: info.local,
        reason: info.reason,
        ...(info.error !== undefined ? { error: info.error.code } : {}),
      });
    },
    onError(error: TransportError, link?: Link) {
      h.errors.push(error);
      trace.push({
        kind: 'error',
        at: network.now(),
        who,
        code: error.code,
        ...(link !== undefined ? { link: link.id } : {}),
      });
    },
  };
  return h;
}

/** Mean and (population) standard deviation. */
export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  return { mean, sd: Math.sqrt(variance) };
}

/** A frame carrying a 32-bit counter. */
export function counterFrame(i: number): Uint8Array {
  const f = new Uint8Array(4);
  new DataView(f.buffer).setUint32(0, i);
  return f;
}

/** The counter of a {@link counterFrame}. */
export function counterOf(f: Uint8Array): number {
  return new DataView(f.buffer, f.byteOffset, f.byteLength).getUint32(0);
}
