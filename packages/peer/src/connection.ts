/**
 * The connection state ({@link ConnectionState}): derived from the status, the number of
 * neighbours and the number of configured addresses being dialled; and its wording for a user.
 */
import type { ConnectionState, PeerStatus } from './types.js';

/**
 * The connection state of a peer with `neighbours` neighbours, `dialling` configured addresses
 * being dialled and status `status`.
 */
export function connectionState(status: PeerStatus, neighbours: number, dialling: number): ConnectionState {
  switch (kindOf(status, neighbours, dialling)) {
    case 'alone':
      return { kind: 'alone' };
    case 'connecting':
      return { kind: 'connecting', dialling };
    case 'live':
      return { kind: 'live', neighbours };
    case 'catching-up':
      return { kind: 'catching-up', neighbours };
  }
}

/** The kind of the state {@link connectionState} builds (read without building it). */
function kindOf(status: PeerStatus, neighbours: number, dialling: number): ConnectionState['kind'] {
  if (neighbours === 0) return dialling > 0 ? 'connecting' : 'alone';
  return status === 'live' ? 'live' : 'catching-up';
}

/** The count of the state {@link connectionState} builds (read without building it). */
function countFor(neighbours: number, dialling: number): number {
  return neighbours === 0 ? (dialling > 0 ? dialling : 0) : neighbours;
}

function countOf(s: ConnectionState): number {
  return s.kind === 'connecting' ? s.dialling : s.kind === 'alone' ? 0 : s.neighbours;
}

/**
 * The state in words: `alone`, `connecting (1 address)`, `catching up (2 peers)`,
 * `live with 3 peers`.
 */
export function describeConnection(state: ConnectionState): string {
  switch (state.kind) {
    case 'alone':
      return 'alone';
    case 'connecting':
      return `connecting (${plural(state.dialling, 'address', 'addresses')})`;
    case 'catching-up':
      return `catching up (${plural(state.neighbours, 'peer', 'peers')})`;
    case 'live':
      return `live with ${plural(state.neighbours, 'peer', 'peers')}`;
  }
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The current connection state; `onChange` hears each change. */
export class ConnectionTracker {
  private current: ConnectionState = { kind: 'alone' };

  constructor(private readonly onChange: (state: ConnectionState) => void) {}

  /** The current state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** Re-derive the state (see {@link connectionState}); `onChange` runs when it changed. */
  update(status: PeerStatus, neighbours: number, dialling: number): void {
    // Housekeeping re-derives it every round: nothing is built while it stays the same.
    const c = this.current;
    if (kindOf(status, neighbours, dialling) === c.kind && countFor(neighbours, dialling) === countOf(c))
      return;
    const next = connectionState(status, neighbours, dialling);
    this.current = next;
    this.onChange(next);
  }
}
