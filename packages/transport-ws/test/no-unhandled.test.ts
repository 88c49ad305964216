import { isTransportError } from '@symmetric/transport';
import { generate } from 'selfsigned';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebSocketTransport as BrowserWebSocketTransport } from '../src/browser.js';
import { WebSocketTransport } from '../src/index.js';
import { Recorder, sleep, until } from './helpers.js';

describe('no failure escapes into the void', () => {
  const unhandled: unknown[] = [];
  const uncaught: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    unhandled.push(reason);
  };
  const onException = (error: unknown): void => {
    uncaught.push(error);
  };
  beforeEach(() => {
    unhandled.length = 0;
    uncaught.length = 0;
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  });
  afterEach(() => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  });

  it('background dials to refused, bad-token, untrusted-TLS and dead servers only reach onError', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const tls = new WebSocketTransport({ listen: { port: 0, tls: { key: pems.private, cert: pems.cert } } });
    const guarded = new WebSocketTransport({ listen: { port: 0 }, token: 'secret' });
    const gone = new WebSocketTransport({ listen: { port: 0 } });
    for (const t of [tls, guarded, gone]) await t.start(new Recorder());
    const goneAddress = gone.addresses()[0]!;
    await gone.stop();

    const targets = [tls.addresses()[0]!, guarded.addresses()[0]!, goneAddress];
    const reconnect = { initialMs: 10, maxMs: 40 };
    const node = new WebSocketTransport({ dial: targets, reconnect, maxFrameBytes: 100 });
    const browser = new BrowserWebSocketTransport({ dial: targets, reconnect });
    const nodeRec = new Recorder();
    const browserRec = new Recorder();
    await node.start(nodeRec);
    await browser.start(browserRec);
    await until(() => nodeRec.errors.length >= 9 && browserRec.errors.length >= 9, 'several failed rounds');
    for (const rec of [nodeRec, browserRec]) {
      expect(rec.errors.every((e) => isTransportError(e.error))).toBe(true);
    }
    expect(new Set(nodeRec.errorCodes())).toEqual(new Set(['DIAL_FAILED', 'HANDSHAKE_FAILED']));
    expect(new Set(browserRec.errorCodes())).toEqual(new Set(['DIAL_FAILED']));

    // One-shot dials reject (and are caught here); sends on closed links return false.
    const raw = new WebSocketTransport({ listen: { port: 0 }, maxFrameBytes: 100 });
    const rawRec = new Recorder();
    await raw.start(rawRec);
    const client = new WebSocket(raw.addresses()[0]!);
    client.on('error', () => {});
    await new Promise((r) => client.once('open', r));
    client.send(new Uint8Array(1000)); // oversized → 1009
    await until(() => rawRec.errors.length === 1, 'oversized frame reported');
    const closedLink = rawRec.links[0]!;
    expect(closedLink.send(new Uint8Array(1))).toBe(false);
    await expect(node.dial('nonsense')).rejects.toMatchObject({ code: 'BAD_ADDRESS' });

    // Stop everything while dials are in flight.
    await Promise.all([node.stop(), browser.stop(), tls.stop(), guarded.stop(), raw.stop()]);
    await sleep(100);
    expect(unhandled.map(String)).toEqual([]);
    expect(uncaught.map(String)).toEqual([]);
  });
});
