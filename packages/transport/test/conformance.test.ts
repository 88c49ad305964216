import { runTransportConformance } from '@symmetric/transport/conformance';
import { TcpTransport } from './tcp-transport.js';

// The README's worked example (a raw TCP transport) must pass the suite it advertises.
runTransportConformance('tcp (README example)', {
  create: async () => new TcpTransport({ maxFrameBytes: 1 << 20 }),
  maxFrameBytes: 1 << 20,
});
