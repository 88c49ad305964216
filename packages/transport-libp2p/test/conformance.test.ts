import { runTransportConformance } from '@symmetric/transport/conformance';
import { createLibp2pTransport } from '../src/index.js';

// The shared suite, over real libp2p connections (TCP, Noise, yamux) on 127.0.0.1.
runTransportConformance('libp2p', {
  create: () =>
    createLibp2pTransport({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      dialTimeoutMs: 5_000,
    }),
  maxFrameBytes: 1_048_576,
  timeoutMs: 10_000,
});
