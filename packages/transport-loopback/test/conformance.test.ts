import { RectangleKeys, rectangleApp } from '@symmetric/core';
import { createPeer } from '@symmetric/peer';
import { type ConformanceClock, runTransportConformance } from '@symmetric/transport/conformance';
import { LoopbackNetwork } from '@symmetric/transport-loopback';

let n = 0;

/** Real peers converging over the transport (the acceptance tier). */
const acceptance = {
  createPeer,
  app: rectangleApp,
  events: [RectangleKeys.left, RectangleKeys.up, RectangleKeys.right, RectangleKeys.down, RectangleKeys.stop],
};

const instant = new LoopbackNetwork({ maxFrameBytes: 1 << 20 });
runTransportConformance('loopback (real time, no latency)', {
  create: async () => instant.transport(`instant-${n++}`),
  maxFrameBytes: 1 << 20,
  acceptance,
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

const nextTurn = (): Promise<void> =>
  new Promise((resolve) =>
    (globalThis as unknown as { setTimeout(fn: () => void, ms: number): unknown }).setTimeout(resolve, 0),
  );

const virtual = new LoopbackNetwork({
  time: 'virtual',
  maxFrameBytes: 1 << 20,
  seed: 11,
  latency: { dist: 'normal', meanMs: 20, sdMs: 5 },
  connectLatency: true,
});
/** The suite's waits advance the virtual network: nothing runs on real timers. */
const virtualClock: ConformanceClock = {
  now: () => virtual.now(),
  async sleep(ms) {
    virtual.runUntil(virtual.now() + ms);
    await nextTurn();
  },
};
runTransportConformance('loopback (virtual time, normal 20 ± 5 ms latency, connect latency)', {
  create: async () => virtual.transport(`virtual-${n++}`),
  maxFrameBytes: 1 << 20,
  clock: virtualClock,
  acceptance,
});
