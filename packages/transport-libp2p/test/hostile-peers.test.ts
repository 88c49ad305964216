import { realClock, runHostileScenarios } from '../../peer/test/hostile/scenarios.js';
import { createLibp2pTransport } from '../src/index.js';

// The hostile-peer scenarios of an authenticated room (one module, run over every transport)
// over libp2p (TCP, Noise, yamux) on 127.0.0.1: each node's libp2p key is its Symmetric
// identity, so an impostor is also caught by the transport's authenticated peer id.

runHostileScenarios('libp2p (TCP, 127.0.0.1)', {
  world: async () => ({
    clock: realClock,
    node: async () => {
      const transport = await createLibp2pTransport({
        listen: ['/ip4/127.0.0.1/tcp/0'],
        dialTimeoutMs: 5_000,
        handshakeTimeoutMs: 3_000,
      });
      return { transport, identity: transport.identity };
    },
    addressOf: (_name, transport) => transport.addresses()[0]!,
  }),
});
