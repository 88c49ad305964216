/**
 * WebRTC between pages: every page on WebRTC publishes its `/p2p-circuit/webrtc` address (on the
 * hub's relay) in its presence; a page dials each other page whose id is higher than its own
 * (one dial per pair) and that is not a neighbour yet. The relay carries only the signalling;
 * the link is a direct WebRTC connection. A failed dial (it can time out on a loaded machine) is
 * recorded and tried again with a growing wait.
 */
import { parsePresence } from '@symmetric/demo-node/apps';

/** What the mesh needs of the peer. */
export interface MeshPeer {
  readonly id: string;
  presence(): ReadonlyMap<string, unknown>;
  neighbours(): readonly { readonly peerId: string }[];
  dial(address: string): void;
}

/** One failed dial of another page. */
export interface MeshFailure {
  /** The page dialled. */
  readonly peerId: string;
  /** The first line of the reason. */
  readonly reason: string;
  /** When it failed (`performance.now()` clock). */
  readonly at: number;
}

/** Counters of the mesh. */
export interface MeshStats {
  /** Dials started. */
  readonly dials: number;
  /** Dials that failed, oldest first (each reported, then tried again). */
  readonly failures: readonly MeshFailure[];
}

interface Attempt {
  address: string;
  /** Not before this time (ms) again. */
  nextAt: number;
  /** Consecutive failures. */
  failed: number;
  /** A dial is under way (until a join, a failure or the timeout). */
  pendingUntil: number;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 8_000;
/** A dial with no answer after this long counts as lost (the transport's own timeout is 10 s). */
const DIAL_TIMEOUT_MS = 15_000;

/** Dials the other WebRTC pages of the room; see the module comment. */
export class WebRtcMesh {
  private readonly attempts = new Map<string, Attempt>();
  private dials = 0;
  private readonly failures: MeshFailure[] = [];

  constructor(
    private readonly peer: MeshPeer,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  /** Call from the peer's `error` event: a `DIAL_FAILED` naming a page's address is that dial failing. */
  dialFailed(message: string, now: number): void {
    for (const [peerId, a] of this.attempts) {
      if (a.pendingUntil === 0 || !message.includes(a.address)) continue;
      a.pendingUntil = 0;
      a.failed++;
      a.nextAt = now + Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (a.failed - 1));
      const reason = (message.split('\n')[0] ?? message).slice(0, 200);
      this.failures.push({ peerId, reason, at: now });
      this.warn(`WebRTC dial to ${peerId.slice(-6)} failed (attempt ${a.failed}), retrying: ${reason}`);
    }
  }

  /** Call from the peer's `peer:join` event. */
  joined(peerId: string): void {
    const a = this.attempts.get(peerId);
    if (a !== undefined) {
      a.pendingUntil = 0;
      a.failed = 0;
    }
  }

  /** Dials every page due for a dial; call every few hundred ms. */
  run(now: number): void {
    const linked = new Set(this.peer.neighbours().map((n) => n.peerId));
    for (const [peerId, data] of this.peer.presence()) {
      const p = parsePresence(data);
      if (p?.webrtc === undefined || p.kind !== 'page') continue;
      if (peerId <= this.peer.id || linked.has(peerId)) continue;
      let a = this.attempts.get(peerId);
      if (a === undefined) {
        a = { address: p.webrtc, nextAt: 0, failed: 0, pendingUntil: 0 };
        this.attempts.set(peerId, a);
      }
      if (a.address !== p.webrtc) {
        a.address = p.webrtc;
        a.nextAt = 0;
      }
      if (a.pendingUntil > now || a.nextAt > now) continue;
      if (a.pendingUntil !== 0) this.dialFailed(`${a.address}: no answer in ${DIAL_TIMEOUT_MS} ms`, now);
      if (a.nextAt > now) continue;
      a.pendingUntil = now + DIAL_TIMEOUT_MS;
      this.dials++;
      this.peer.dial(a.address);
    }
  }

  /** Dials started and failed so far. */
  stats(): MeshStats {
    return { dials: this.dials, failures: [...this.failures] };
  }
}
