/** What a scenario run reports as it goes, for finding out why a run did not converge. */
import type { Peer } from '@symmetric/peer';
import type { Edge } from './topology.js';

/** One entry of a run's trace. `atMs` is run time; `peer` a scenario peer index. */
export type TraceEvent =
  | { readonly type: 'start' | 'down' | 'up'; readonly atMs: number; readonly peer: number }
  | { readonly type: 'cut' | 'heal'; readonly atMs: number; readonly edges: readonly Edge[] }
  | {
      readonly type: 'status';
      readonly atMs: number;
      readonly peer: number;
      readonly status: string;
      readonly tick: number;
      readonly events: number;
    }
  | {
      readonly type: 'rollback';
      readonly atMs: number;
      readonly peer: number;
      readonly fromTick: number;
      readonly toTick: number;
    }
  | {
      readonly type: 'desync';
      readonly atMs: number;
      readonly peer: number;
      readonly tick: number;
      readonly peers: readonly string[];
    }
  | {
      readonly type: 'error';
      readonly atMs: number;
      readonly peer: number;
      readonly code: string;
      readonly message: string;
    }
  | {
      /** A neighbour completed the handshake (`join`) or its link closed (`leave`). */
      readonly type: 'join' | 'leave';
      readonly atMs: number;
      readonly peer: number;
      readonly neighbour: string;
    }
  | {
      /** An own event was stamped (for emits queued while syncing, when it is stamped). */
      readonly type: 'emit';
      readonly atMs: number;
      readonly peer: number;
      readonly tick: number;
      readonly seq: number;
    }
  | {
      /** The peer's timeline was replaced by one from `neighbour`'s snapshot at `tick`. */
      readonly type: 'adopt';
      readonly atMs: number;
      readonly peer: number;
      readonly tick: number;
      readonly neighbour: string;
    }
  | {
      /** At the end of the run, one per online peer. */
      readonly type: 'final';
      readonly atMs: number;
      readonly peer: number;
      readonly tick: number;
      /** State hash at the common final tick (`null` when the peer has none for it). */
      readonly hash: string | null;
      readonly events: number;
    };

/** Report to `trace` what runtime `peer` (scenario peer `i`) goes through. */
export function traceRuntime<S, E>(
  trace: (event: TraceEvent) => void,
  peer: Peer<S, E>,
  i: number,
  now: () => number,
): void {
  peer.on('status', (status) =>
    trace({ type: 'status', atMs: now(), peer: i, status, tick: peer.tick, events: peer.stats().events }),
  );
  peer.on('rollback', (r) =>
    trace({ type: 'rollback', atMs: now(), peer: i, fromTick: r.fromTick, toTick: r.toTick }),
  );
  peer.on('peer:join', (j) => trace({ type: 'join', atMs: now(), peer: i, neighbour: j.peerId }));
  peer.on('peer:leave', (l) => trace({ type: 'leave', atMs: now(), peer: i, neighbour: l.peerId }));
  peer.on('emit', (e) => trace({ type: 'emit', atMs: now(), peer: i, tick: e.tick, seq: e.seq }));
  peer.on('desync', (d) => trace({ type: 'desync', atMs: now(), peer: i, tick: d.tick, peers: d.peers }));
  peer.on('snapshot:adopted', (a) =>
    trace({ type: 'adopt', atMs: now(), peer: i, tick: a.tick, neighbour: a.peerId }),
  );
  peer.on('error', (e) => trace({ type: 'error', atMs: now(), peer: i, code: e.code, message: e.message }));
}
