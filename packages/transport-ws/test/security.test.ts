import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { tokenProtocol, WebSocketTransport } from '../src/index.js';
import { bytes, guard, Recorder, rejectionOf, until } from './helpers.js';

const { track } = guard();

describe('TLS (wss://)', () => {
  let key = '';
  let cert = '';
  beforeAll(async () => {
    // A fresh self-signed certificate for 127.0.0.1, generated locally (no network).
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    key = pems.private;
    cert = pems.cert;
  });

  async function tlsServer(): Promise<{ t: WebSocketTransport; rec: Recorder; address: string }> {
    const t = track(new WebSocketTransport({ listen: { port: 0, tls: { key, cert } } }));
    const rec = new Recorder();
    await t.start(rec);
    return { t, rec, address: t.addresses()[0]! };
  }

  it('serves wss:// and carries frames to a dialler that trusts the certificate', async () => {
    const server = await tlsServer();
    expect(server.address).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const client = track(new WebSocketTransport({ dialTls: { ca: cert } }));
    const rec = new Recorder();
    await client.start(rec);
    const out = await client.dial(server.address);
    await until(() => server.rec.links.length === 1, 'inbound over TLS');
    const inbound = server.rec.links[0]!;
    expect(inbound.remoteAddress).toMatch(/^wss:\/\//);
    out.send(bytes(10_000, 3));
    inbound.send(bytes(7, 4));
    await until(() => server.rec.framesOf(inbound).length === 1 && rec.framesOf(out).length === 1, 'frames');
    expect(server.rec.framesOf(inbound)[0]).toEqual(bytes(10_000, 3));
    expect(rec.framesOf(out)[0]).toEqual(bytes(7, 4));
  });

  it('a dialler that does not trust the certificate fails with DIAL_FAILED (cause: the TLS error)', async () => {
    const server = await tlsServer();
    const client = track(new WebSocketTransport());
    await client.start(new Recorder());
    const error = await rejectionOf(client.dial(server.address));
    expect(error.code).toBe('DIAL_FAILED');
    expect((error.cause as { code?: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    await until(() => server.rec.errors.length > 0, 'the server reports the failed TLS handshake');
    expect(server.rec.errorCodes()).toEqual(['HANDSHAKE_FAILED']);
    expect(server.rec.links).toEqual([]);
  });

  it('a plain ws:// dial to a wss:// listener fails cleanly', async () => {
    const server = await tlsServer();
    const client = track(new WebSocketTransport());
    await client.start(new Recorder());
    const error = await rejectionOf(client.dial(server.address.replace('wss:', 'ws:')));
    expect(['DIAL_FAILED', 'PROTOCOL']).toContain(error.code);
  });
});

describe('room token', () => {
  it('is accepted when both sides share it', async () => {
    const server = track(new WebSocketTransport({ listen: { port: 0 }, token: 'sésame ouvre-toi' }));
    const rec = new Recorder();
    await server.start(rec);
    const client = track(new WebSocketTransport({ token: 'sésame ouvre-toi' }));
    await client.start(new Recorder());
    const out = await client.dial(server.addresses()[0]!);
    expect(out.open).toBe(true);
    await until(() => rec.links.length === 1, 'inbound');
    expect(rec.errors).toEqual([]);
  });

  it('rejects a wrong or missing token with HTTP 401 during the upgrade: HANDSHAKE_FAILED on both sides', async () => {
    const server = track(new WebSocketTransport({ listen: { port: 0 }, token: 'right' }));
    const rec = new Recorder();
    await server.start(rec);
    const address = server.addresses()[0]!;
    for (const token of ['wrong', undefined]) {
      const client = track(new WebSocketTransport(token === undefined ? {} : { token }));
      await client.start(new Recorder());
      const error = await rejectionOf(client.dial(address));
      expect(error.code).toBe('HANDSHAKE_FAILED');
      expect(error.message).toMatch(/401/);
    }
    // A raw client sending the token entry of another room is refused too, before any WebSocket exists.
    const raw = new WebSocket(address, ['symmetric', tokenProtocol('other')]);
    const status = await new Promise<number>((resolve) => {
      raw.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        raw.terminate();
      });
      raw.on('error', () => {});
    });
    expect(status).toBe(401);
    await until(() => rec.errors.length === 3, 'three refusals reported');
    expect(rec.errorCodes()).toEqual(['HANDSHAKE_FAILED', 'HANDSHAKE_FAILED', 'HANDSHAKE_FAILED']);
    expect(rec.links).toEqual([]);
  });

  it('never echoes the token back: the server selects only the plain subprotocol', async () => {
    const server = track(new WebSocketTransport({ listen: { port: 0 }, token: 't0k3n' }));
    await server.start(new Recorder());
    const raw = new WebSocket(server.addresses()[0]!, ['symmetric', tokenProtocol('t0k3n')]);
    await new Promise((r) => raw.once('open', r));
    expect(raw.protocol).toBe('symmetric');
    raw.close();
  });

  it('encodes the token as a valid subprotocol token (base64url of its UTF-8 bytes)', () => {
    expect(tokenProtocol('a')).toBe('symmetric.token.YQ');
    expect(tokenProtocol('sésame/+?')).toMatch(/^symmetric\.token\.[A-Za-z0-9_-]+$/);
  });
});
