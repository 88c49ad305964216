import type { AddressInfo } from 'node:net';
import { backoffDelay as sharedBackoffDelay } from '@symmetric/transport';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { backoffDelay, DEFAULTS, WebSocketTransport } from '../src/index.js';
import { guard, Recorder, sleep, until } from './helpers.js';

const { track } = guard();

describe('backoffDelay', () => {
  const policy = fc.record({
    initialMs: fc.integer({ min: 1, max: 5_000 }),
    extra: fc.integer({ min: 0, max: 60_000 }),
    factor: fc.double({ min: 1, max: 4, noNaN: true }),
    jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    stableMs: fc.constant(0),
  });

  it('stays within [base × (1 − jitter), base] with base = min(max, initial × factor^n)', () => {
    fc.assert(
      fc.property(
        policy,
        fc.nat(60),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (p, n, u) => {
          const full = { ...p, maxMs: p.initialMs + p.extra };
          const base = Math.min(full.maxMs, full.initialMs * full.factor ** n);
          const d = backoffDelay(n, full, () => u);
          expect(d).toBeLessThanOrEqual(base + 1e-9);
          expect(d).toBeGreaterThanOrEqual(base * (1 - full.jitter) - 1e-9);
          expect(d).toBeLessThanOrEqual(full.maxMs + 1e-9);
        },
      ),
    );
  });

  it('never shrinks from one attempt to the next for the same random draw', () => {
    fc.assert(
      fc.property(
        policy,
        fc.nat(60),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (p, n, u) => {
          const full = { ...p, maxMs: p.initialMs + p.extra };
          expect(backoffDelay(n + 1, full, () => u)).toBeGreaterThanOrEqual(
            backoffDelay(n, full, () => u) - 1e-9,
          );
        },
      ),
    );
  });

  it('is the backoff rule of @symmetric/transport, shared with every transport', () => {
    expect(backoffDelay).toBe(sharedBackoffDelay);
  });

  it('uses the documented defaults: 250 ms doubling to 10 s, half of it jittered', () => {
    const d = DEFAULTS.reconnect;
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, d, () => 0))).toEqual([250, 500, 1000, 2000, 10_000]);
    expect(backoffDelay(0, d, () => 0.999_999)).toBeCloseTo(125, 3);
  });
});

describe('reconnection of dial addresses', () => {
  it('redials with growing backoff while the server is down and reconnects when it returns on the same port', async () => {
    const server1 = track(new WebSocketTransport({ listen: { port: 0 } }));
    await server1.start(new Recorder());
    const address = server1.addresses()[0]!;
    const port = Number(new URL(address).port);

    const client = track(
      new WebSocketTransport({
        dial: [address],
        reconnect: { initialMs: 40, maxMs: 320, factor: 2, jitter: 0 },
      }),
    );
    const rec = new Recorder();
    const errorTimes: number[] = [];
    const onError = rec.onError.bind(rec);
    rec.onError = (error, link) => {
      errorTimes.push(performance.now());
      onError(error, link);
    };
    await client.start(rec);
    await until(() => rec.links.length === 1, 'first link');
    const first = rec.links[0]!;

    await server1.stop();
    await until(() => rec.closeOf(first) !== undefined, 'the link closing');
    expect(rec.closeOf(first)).toMatchObject({ local: false, reason: 'transport stopped' });
    await until(() => errorTimes.length >= 5, 'five failed redials', 5_000);
    expect(rec.errorCodes().slice(0, 5)).toEqual([
      'DIAL_FAILED',
      'DIAL_FAILED',
      'DIAL_FAILED',
      'DIAL_FAILED',
      'DIAL_FAILED',
    ]);
    // Gaps between failed attempts follow the policy: 80, 160, 320, 320 ms (attempt 0 waited 40 ms).
    const gaps = errorTimes.slice(1, 5).map((t, i) => t - errorTimes[i]!);
    [80, 160, 320, 320].forEach((want, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(want - 5);
    });

    const server2 = track(new WebSocketTransport({ listen: { port } }));
    const rec2 = new Recorder();
    await server2.start(rec2);
    await until(() => rec.links.length === 2 && rec.links[1]!.open, 'reconnected link', 3_000);
    await until(() => rec2.links.length === 1, 'inbound at the restarted server');
    expect(client.links()).toEqual([rec.links[1]]);
  });

  it('a link that stayed open for stableMs resets the backoff; short-lived links make it grow', async () => {
    async function gaps(holdMs: number): Promise<number[]> {
      const server = track(new WebSocketTransport({ listen: { port: 0 } }));
      const opened: number[] = [];
      const srec = new Recorder();
      const onLink = srec.onLink.bind(srec);
      srec.onLink = (link) => {
        onLink(link);
        opened.push(performance.now());
        setTimeout(() => link.close('again'), holdMs);
      };
      await server.start(srec);
      const client = track(
        new WebSocketTransport({
          dial: server.addresses(),
          reconnect: { initialMs: 30, maxMs: 5_000, factor: 4, jitter: 0, stableMs: 100 },
        }),
      );
      await client.start(new Recorder());
      await until(() => opened.length >= 4, 'four links', 5_000);
      await client.stop();
      // Time from one link's close to the next link's open.
      return opened.slice(1, 4).map((t, i) => t - opened[i]! - holdMs);
    }
    const shortLived = await gaps(0);
    expect(shortLived[2]).toBeGreaterThanOrEqual(480 - 5); // 30, 120, 480 ms
    const stable = await gaps(150);
    expect(stable[2]).toBeLessThan(400); // 30 ms each time
  });

  it('keeps redialling after the remote closes the link on purpose, and stop() ends it', async () => {
    const server = track(new WebSocketTransport({ listen: { port: 0 } }));
    const srec = new Recorder();
    await server.start(srec);
    const client = track(
      new WebSocketTransport({
        dial: server.addresses(),
        reconnect: { initialMs: 20, maxMs: 20, jitter: 0 },
      }),
    );
    const rec = new Recorder();
    await client.start(rec);
    await until(() => srec.links.length === 1, 'first link');
    srec.links[0]!.close('go away');
    await until(() => srec.links.length === 2, 'redialled link');
    await client.stop();
    const count = srec.links.length;
    await sleep(100);
    expect(srec.links.length).toBe(count);
    expect(client.links()).toEqual([]);
  });
});

async function rawServer(options: ConstructorParameters<typeof WebSocketServer>[0] = {}): Promise<{
  wss: WebSocketServer;
  address: string;
  close(): Promise<void>;
}> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await new Promise((r) => wss.once('listening', r));
  const { port } = wss.address() as AddressInfo;
  return {
    wss,
    address: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
}

describe('heartbeat', () => {
  it('closes an outbound link whose server stops answering pings (TIMEOUT, code 4000)', async () => {
    const server = await rawServer({ autoPong: false });
    const client = track(new WebSocketTransport({ heartbeatMs: 60 }));
    const rec = new Recorder();
    await client.start(rec);
    const link = await client.dial(server.address);
    await until(() => rec.closeOf(link) !== undefined, 'dead link detected', 2_000);
    expect(rec.closeOf(link)).toMatchObject({ local: false, reason: 'dead link' });
    expect(rec.closeOf(link)!.error?.code).toBe('TIMEOUT');
    expect(rec.errorCodes()).toEqual(['TIMEOUT']);
    expect(link.open).toBe(false);
    await server.close();
  });

  it('closes an inbound link whose client stops answering pings', async () => {
    const server = track(new WebSocketTransport({ listen: { port: 0 }, heartbeatMs: 60 }));
    const rec = new Recorder();
    await server.start(rec);
    const raw = new WebSocket(server.addresses()[0]!, { autoPong: false });
    raw.on('error', () => {});
    await until(() => rec.links.length === 1, 'inbound');
    await until(() => rec.closeOf(rec.links[0]!) !== undefined, 'dead link detected', 2_000);
    expect(rec.closeOf(rec.links[0]!)!.error?.code).toBe('TIMEOUT');
    raw.terminate();
  });

  it('keeps a healthy but silent link open across many heartbeat periods', async () => {
    const server = track(new WebSocketTransport({ listen: { port: 0 }, heartbeatMs: 30 }));
    const rec = new Recorder();
    await server.start(rec);
    const client = track(new WebSocketTransport({ heartbeatMs: 30 }));
    const crec = new Recorder();
    await client.start(crec);
    const link = await client.dial(server.addresses()[0]!);
    await sleep(400);
    expect(link.open).toBe(true);
    expect(rec.links[0]!.open).toBe(true);
    expect([...rec.errors, ...crec.errors]).toEqual([]);
  });

  it('idleTimeoutMs closes a link on which nothing arrives, and spares one that carries frames', async () => {
    const server = await rawServer();
    let chatty: ReturnType<typeof setInterval> | undefined;
    server.wss.on('connection', (ws, req) => {
      if (req.url === '/chatty') chatty = setInterval(() => ws.send(new Uint8Array([1])), 30);
    });
    const client = track(new WebSocketTransport({ heartbeatMs: 0, idleTimeoutMs: 150 }));
    const rec = new Recorder();
    await client.start(rec);
    const silent = await client.dial(server.address);
    const busy = await client.dial(`${server.address}/chatty`);
    await until(() => rec.closeOf(silent) !== undefined, 'idle link closed', 2_000);
    expect(rec.closeOf(silent)!.error?.code).toBe('TIMEOUT');
    expect(busy.open).toBe(true);
    clearInterval(chatty);
    await server.close();
  });

  it('a redialled address recovers from a dead link', async () => {
    const server = await rawServer({ autoPong: false });
    const client = track(
      new WebSocketTransport({
        heartbeatMs: 50,
        dial: [server.address],
        reconnect: { initialMs: 20, jitter: 0 },
      }),
    );
    const rec = new Recorder();
    await client.start(rec);
    await until(() => rec.links.length >= 2, 'a second link after the first died', 3_000);
    expect(rec.closeOf(rec.links[0]!)!.error?.code).toBe('TIMEOUT');
    await client.stop();
    await server.close();
  });
});
