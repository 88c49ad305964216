import { RectangleKeys, rectangleApp } from '@symmetric/core';
import { createPeer } from '@symmetric/peer';
import { runTransportConformance } from '@symmetric/transport/conformance';
import { createLibp2pTransport, type Libp2pTransport } from '../src/index.js';

// The shared suite, over real libp2p connections (TCP, Noise, yamux) on 127.0.0.1, and real
// peers converging over it (the acceptance tier). libp2p authenticates the remote peer id, so
// each peer runs with its transport's id.
runTransportConformance('libp2p', {
  create: () =>
    createLibp2pTransport({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      dialTimeoutMs: 5_000,
    }),
  maxFrameBytes: 1_048_576,
  timeoutMs: 10_000,
  acceptance: {
    createPeer: (options) =>
      createPeer({ ...options, identity: (options.transports[0] as Libp2pTransport).identity }),
    app: rectangleApp,
    events: [RectangleKeys.left, RectangleKeys.up, RectangleKeys.right, RectangleKeys.down],
  },
});

// With a gossip room, the transport offers a room broadcast channel: the broadcast tier runs too.
runTransportConformance('libp2p with a gossip room', {
  create: () =>
    createLibp2pTransport({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      dialTimeoutMs: 5_000,
      gossip: { room: 'conformance', heartbeatMs: 200 },
    }),
  maxFrameBytes: 1_048_576,
  timeoutMs: 10_000,
  broadcast: true,
});
