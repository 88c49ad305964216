import { RectangleKeys, rectangleApp } from '@symmetric/core';
import { createPeer } from '@symmetric/peer';
import type { Link, Transport, TransportHandler } from '@symmetric/transport';
import { runTransportConformance } from '@symmetric/transport/conformance';
import { WebSocketTransport as BrowserWebSocketTransport } from '../src/browser.js';
import { WebSocketTransport } from '../src/index.js';

// The shared transport contract, over real sockets on 127.0.0.1 with ephemeral ports, and real
// peers converging over it (the acceptance tier).
runTransportConformance('ws (Node)', {
  create: async () => new WebSocketTransport({ listen: { port: 0 } }),
  maxFrameBytes: 1 << 20,
  timeoutMs: 10_000,
  acceptance: {
    createPeer,
    app: rectangleApp,
    events: [RectangleKeys.left, RectangleKeys.up, RectangleKeys.right, RectangleKeys.down],
  },
});

// The same suite with a smaller frame limit and the heartbeat on, so the limit and pings are
// exercised under the suite's traffic too.
runTransportConformance('ws (Node, 64 KiB frames, 100 ms heartbeat)', {
  create: async () =>
    new WebSocketTransport({ listen: { port: 0 }, maxFrameBytes: 64 * 1024, heartbeatMs: 100 }),
  maxFrameBytes: 64 * 1024,
  timeoutMs: 10_000,
});

/**
 * The browser entry cannot listen, and the suite needs transports that do. This test-only
 * composite listens with the Node transport and dials with the browser one (over Node's WHATWG
 * `WebSocket`), so every outbound link in the suite runs the browser code path.
 */
class BrowserDialsNodeListens implements Transport {
  readonly name = 'ws';
  private readonly listener = new WebSocketTransport({ listen: { port: 0 } });
  private readonly dialer = new BrowserWebSocketTransport();

  async start(handler: TransportHandler): Promise<void> {
    await this.listener.start(handler);
    try {
      await this.dialer.start(handler);
    } catch (error) {
      await this.listener.stop();
      throw error;
    }
  }

  dial(address: string): Promise<Link> {
    return this.dialer.dial(address);
  }

  addresses(): string[] {
    return this.listener.addresses();
  }

  links(): Link[] {
    return [...this.listener.links(), ...this.dialer.links()];
  }

  async stop(): Promise<void> {
    await Promise.all([this.dialer.stop(), this.listener.stop()]);
  }
}

runTransportConformance('ws (browser entry dialling, Node listening)', {
  create: async () => new BrowserDialsNodeListens(),
  maxFrameBytes: 1 << 20,
  timeoutMs: 10_000,
});
