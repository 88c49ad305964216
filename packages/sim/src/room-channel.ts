/**
 * A scenario peer's transport with its room channel of a {@link SimulatedGossip} (the
 * simulator's `broadcast` network option).
 */
import type { SimulatedGossip } from './broadcast.js';
import type { PeerTransport } from './network.js';

type Transport = PeerTransport;
/**
 * `transport` with peer `i`'s room channel of `gossip`: the peer joins the room when the
 * transport starts (with these topology neighbours) and leaves it when the transport stops.
 */
export function withRoomChannel(
  transport: Transport,
  gossip: SimulatedGossip,
  i: number,
  neighbours: readonly number[],
  now: () => number,
): Transport {
  const channel = gossip.channel(i);
  return {
    name: transport.name,
    broadcast: channel,
    start: async (handler) => {
      await transport.start(handler);
      gossip.join(i, neighbours, now());
    },
    dial: (address) => transport.dial(address),
    addresses: () => transport.addresses(),
    links: () => transport.links(),
    stop: async () => {
      gossip.leave(i);
      await transport.stop();
    },
  };
}
