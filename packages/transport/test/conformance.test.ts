import { runTransportConformance } from '@symmetric/transport/conformance';
import { MemoryRoom, RoomTcpTransport } from './room-transport.js';
import { TcpTransport } from './tcp-transport.js';

// The README's worked example (a raw TCP transport) must pass the suite it advertises.
runTransportConformance('tcp (README example)', {
  create: async () => new TcpTransport({ maxFrameBytes: 1 << 20 }),
  maxFrameBytes: 1 << 20,
});

// The same transport with a room broadcast channel runs the broadcast tier too.
const room = new MemoryRoom();
runTransportConformance('tcp with an in-memory room broadcast', {
  create: async () => new RoomTcpTransport(room, { maxFrameBytes: 1 << 20 }),
  maxFrameBytes: 1 << 20,
  broadcast: true,
});
