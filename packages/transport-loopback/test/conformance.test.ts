import { runTransportConformance } from '@symmetric/transport/conformance';
import { LoopbackNetwork } from '@symmetric/transport-loopback';

let n = 0;

const instant = new LoopbackNetwork({ maxFrameBytes: 1 << 20 });
runTransportConformance('loopback (real time, no latency)', {
  create: async () => instant.transport(`instant-${n++}`),
  maxFrameBytes: 1 << 20,
});

const slow = new LoopbackNetwork({
  maxFrameBytes: 1 << 20,
  seed: 7,
  latency: { dist: 'uniform', minMs: 0.5, maxMs: 4 },
  connectLatency: true,
});
runTransportConformance('loopback (real time, uniform 0.5–4 ms latency, connect latency)', {
  create: async () => slow.transport(`slow-${n++}`),
  maxFrameBytes: 1 << 20,
});
