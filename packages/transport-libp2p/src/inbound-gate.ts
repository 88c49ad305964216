/**
 * A cap on inbound connections still in their upgrade (protector, Noise, muxer) per remote host,
 * as a libp2p connection gater: one address holding many half-open connections (silent sockets,
 * a multistream header sent a byte at a time) cannot take every pending slot of the listener.
 */
import type { ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface';
import type { LogFn } from './options.js';

/** Counts of an {@link InboundGate}, for tests and diagnostics. */
export interface InboundGateStats {
  /** Inbound connections currently in their upgrade, over all hosts. */
  readonly pending: number;
  /** Inbound connections refused so far because their host had too many pending. */
  readonly refused: number;
}

/** A connection gater limiting pending inbound connections per remote host. */
export interface InboundGate {
  /** The gater, with the hooks of `base` kept. */
  readonly gater: ConnectionGater;
  /** Current counts. */
  stats(): InboundGateStats;
}

/** The remote host of a connection (IP address), or undefined when it has none (relayed, WebRTC). */
function hostOf(maConn: MultiaddrConnection): string | undefined {
  for (const c of maConn.remoteAddr.getComponents()) {
    if (c.name === 'ip4' || c.name === 'ip6') return c.value;
  }
  return undefined;
}

/**
 * Builds the gate: at most `maxPerHost` inbound connections of one host between acceptance and the
 * end of their upgrade (success, failure or timeout); the next one is refused and closed at once.
 */
export function inboundGate(maxPerHost: number, log: LogFn, base: ConnectionGater = {}): InboundGate {
  const pending = new Map<string, number>();
  const held = new WeakMap<MultiaddrConnection, string>();
  let refused = 0;
  let total = 0;
  const release = (maConn: MultiaddrConnection): void => {
    const host = held.get(maConn);
    if (host === undefined) return;
    held.delete(maConn);
    total--;
    const left = (pending.get(host) ?? 1) - 1;
    if (left <= 0) pending.delete(host);
    else pending.set(host, left);
  };
  const gater: ConnectionGater = {
    ...base,
    async denyInboundConnection(maConn) {
      if ((await base.denyInboundConnection?.(maConn)) === true) return true;
      const host = hostOf(maConn);
      if (host === undefined) return false;
      const count = pending.get(host) ?? 0;
      if (count >= maxPerHost) {
        refused++;
        // One line per burst, not per connection: a flood must not become a log flood.
        if (refused === 1 || refused % 100 === 0) {
          log('warn', 'inbound connections refused: too many pending from one host', { host, refused });
        }
        return true;
      }
      pending.set(host, count + 1);
      total++;
      held.set(maConn, host);
      maConn.addEventListener('close', () => release(maConn), { once: true });
      return false;
    },
    async denyInboundUpgradedConnection(peerId: PeerId, maConn: MultiaddrConnection) {
      release(maConn);
      return (await base.denyInboundUpgradedConnection?.(peerId, maConn)) === true;
    },
  };
  return { gater, stats: () => ({ pending: total, refused }) };
}
