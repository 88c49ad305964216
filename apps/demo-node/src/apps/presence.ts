/**
 * What every demo peer (page or Node) puts on the ephemeral presence channel: a name, what it
 * is, its cursor on the board, its tick, and the state hash of a recent whole second, so the
 * others can list it, draw its cursor, estimate how far behind it is and check that it holds
 * the same state.
 */
export interface DemoPresence {
  /** Display name. */
  readonly name: string;
  /** `page` (a browser), `node` (a Node peer) or `hub` (a Node peer serving pages). */
  readonly kind: 'page' | 'node' | 'hub';
  /** Cursor on the board (0..1 on each axis), or `null`. */
  readonly cursor: { readonly x: number; readonly y: number } | null;
  /** The sender's tick when it sent this. */
  readonly tick: number;
  /** State hash at a recent recorded tick, for the cross-peer check. */
  readonly check: { readonly tick: number; readonly hash: string } | null;
  /**
   * A page on WebRTC: its `/p2p-circuit/webrtc` address on the hub's relay, which the other
   * pages dial for a direct link. Absent otherwise.
   */
  readonly webrtc?: string;
}

const KINDS = ['page', 'node', 'hub'];

function isUnit(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v <= 1;
}

/** Reads a presence value another peer sent; `undefined` when it is not a {@link DemoPresence}. */
export function parsePresence(data: unknown): DemoPresence | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  if (typeof d['name'] !== 'string' || d['name'].length > 64) return undefined;
  if (typeof d['kind'] !== 'string' || !KINDS.includes(d['kind'])) return undefined;
  if (typeof d['tick'] !== 'number' || !Number.isInteger(d['tick'])) return undefined;
  let cursor: DemoPresence['cursor'] = null;
  const c = d['cursor'];
  if (typeof c === 'object' && c !== null) {
    const { x, y } = c as Record<string, unknown>;
    if (isUnit(x) && isUnit(y)) cursor = { x, y };
  }
  let check: DemoPresence['check'] = null;
  const k = d['check'];
  if (typeof k === 'object' && k !== null) {
    const { tick, hash } = k as Record<string, unknown>;
    if (typeof tick === 'number' && Number.isInteger(tick) && typeof hash === 'string')
      check = { tick, hash };
  }
  const w = d['webrtc'];
  const webrtc =
    typeof w === 'string' && w.length <= 512 && w.includes('/p2p-circuit/webrtc') ? w : undefined;
  return {
    name: d['name'],
    kind: d['kind'] as DemoPresence['kind'],
    cursor,
    tick: d['tick'],
    check,
    ...(webrtc !== undefined ? { webrtc } : {}),
  };
}

/**
 * The tick whose hash a peer publishes for the cross-peer check: the newest multiple of `every`
 * at least `margin` ticks old (late events have settled by then), or -1.
 */
export function checkTick(tick: number, every: number, margin: number): number {
  const t = Math.floor((tick - margin) / every) * every;
  return t > 0 ? t : -1;
}
