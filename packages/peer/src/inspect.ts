/**
 * A peer's join phase as tests and diagnostics read it (not part of the public API).
 * @internal
 */
import { PeerError } from './errors.js';
import type { JoinPhase, PhaseChange } from './join.js';
import { PeerRuntime } from './peer.js';
import type { Peer } from './types.js';

/**
 * A peer's join phase and its changes so far (tests and diagnostics; not part of the public API).
 * @throws {@link PeerError} `INVALID_OPTION` when `peer` was not made by {@link createPeer}.
 * @internal
 */
export function inspectJoin(peer: Peer<unknown, unknown>): {
  readonly phase: JoinPhase<unknown>['kind'];
  readonly changes: readonly PhaseChange[];
  readonly transferring: boolean;
} {
  if (!(peer instanceof PeerRuntime)) throw new PeerError('INVALID_OPTION', 'not a peer made by createPeer');
  const join = (peer as PeerRuntime<unknown, unknown>).joinState;
  return { phase: join.phase.kind, changes: [...join.changes], transferring: join.transferring };
}
