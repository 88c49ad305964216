import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  WebSocketTransport as BrowserTransport,
  webSocketTransport as browserTransport,
} from '../src/browser.js';
import { CloseCode, WebSocketTransport } from '../src/index.js';
import { bytes, guard, Recorder, rejectionOf, until } from './helpers.js';

const { track } = guard();
const srcDir = resolve(import.meta.dirname, '..', 'src');

/** Every module specifier imported (statically or dynamically) by `file` and its relative imports. */
function importGraph(entry: string): { files: string[]; specifiers: string[] } {
  const files: string[] = [];
  const specifiers = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    const text = readFileSync(file, 'utf8');
    const re =
      /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s*['"]([^'"]+)['"]/g;
    for (const m of text.matchAll(re)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith('.')) queue.push(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else specifiers.add(spec);
    }
  }
  return { files, specifiers: [...specifiers] };
}

async function nodeServer(options: ConstructorParameters<typeof WebSocketTransport>[0] = {}) {
  const t = track(new WebSocketTransport({ listen: { port: 0 }, ...options }));
  const rec = new Recorder();
  await t.start(rec);
  return { t, rec, address: t.addresses()[0]! };
}

describe('browser entry', () => {
  it('never imports ws or node:* (directly or through its relative imports)', () => {
    const { files, specifiers } = importGraph(join(srcDir, 'browser.ts'));
    expect(files.map((f) => f.slice(srcDir.length + 1)).sort()).toEqual([
      'browser-transport.ts',
      'browser.ts',
      'constants.ts',
      'core.ts',
      'link.ts',
      'options.ts',
    ]);
    expect(specifiers.sort()).toEqual(['@symmetric/transport']);
    // ...and neither does @symmetric/transport itself.
    const transportSrc = resolve(srcDir, '..', '..', 'transport', 'src', 'index.ts');
    const deps = importGraph(transportSrc).specifiers;
    expect(deps.filter((s) => s === 'ws' || s.startsWith('node:'))).toEqual([]);
    // The Node entry, by contrast, does import ws (a sanity check of the scanner).
    expect(importGraph(join(srcDir, 'index.ts')).specifiers).toContain('ws');
  });

  it('is what the package exports under the "browser" condition, ahead of "import"', () => {
    const pkg = JSON.parse(readFileSync(resolve(srcDir, '..', 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, unknown>>;
    };
    const root = pkg.exports['.']!;
    const keys = Object.keys(root);
    expect(keys.indexOf('browser')).toBeGreaterThanOrEqual(0);
    expect(keys.indexOf('browser')).toBeLessThan(keys.indexOf('import'));
    expect(root['browser']).toEqual({ types: './dist/browser.d.ts', default: './dist/browser.js' });
    expect(root['@symmetric/source']).toEqual({ browser: './src/browser.ts', default: './src/index.ts' });
    expect(pkg.exports['./browser']).toMatchObject({ import: './dist/browser.js' });
  });

  it('dials a Node listener with the WHATWG WebSocket and carries frames both ways, in order', async () => {
    const server = await nodeServer();
    const t = track(browserTransport());
    const rec = new Recorder();
    await t.start(rec);
    expect(t.addresses()).toEqual([]);
    const out = await t.dial(server.address);
    await until(() => server.rec.links.length === 1, 'inbound');
    const inbound = server.rec.links[0]!;
    const sizes = [0, 1, 300, 70_000, 5];
    sizes.forEach((n, i) => {
      expect(out.send(bytes(n, i))).toBe(true);
      expect(inbound.send(bytes(n, 50 + i))).toBe(true);
    });
    await until(() => server.rec.framesOf(inbound).length === sizes.length, 'frames to Node');
    await until(() => rec.framesOf(out).length === sizes.length, 'frames to the browser');
    sizes.forEach((n, i) => {
      expect(server.rec.framesOf(inbound)[i]).toEqual(bytes(n, i));
      expect(rec.framesOf(out)[i]).toEqual(bytes(n, 50 + i));
    });
    out.close('tab closed');
    await until(() => server.rec.closeOf(inbound) !== undefined, 'close at Node');
    expect(server.rec.closeOf(inbound)).toEqual({ local: false, reason: 'tab closed' });
  });

  it('presents the room token as a subprotocol; a wrong one fails the dial with a typed error', async () => {
    const server = await nodeServer({ token: 'room-42' });
    const good = track(new BrowserTransport({ token: 'room-42' }));
    await good.start(new Recorder());
    expect((await good.dial(server.address)).open).toBe(true);
    const bad = track(new BrowserTransport({ token: 'room-41' }));
    await bad.start(new Recorder());
    const error = await rejectionOf(bad.dial(server.address));
    expect(error.code).toBe('DIAL_FAILED'); // browsers do not expose the HTTP status
    // (Node's WHATWG WebSocket may retry the refused upgrade once; each refusal is reported.)
    await until(() => server.rec.errors.length >= 1, 'refusal reported by the server');
    expect(new Set(server.rec.errorCodes())).toEqual(new Set(['HANDSHAKE_FAILED']));
    expect(server.rec.links).toHaveLength(1);
  });

  it('closes with 4009 (the browser twin of 1009) on an oversized frame; Node reads it as FRAME_TOO_LARGE', async () => {
    const server = await nodeServer();
    const t = track(new BrowserTransport({ maxFrameBytes: 1000 }));
    const rec = new Recorder();
    await t.start(rec);
    const out = await t.dial(server.address);
    await until(() => server.rec.links.length === 1, 'inbound');
    const inbound = server.rec.links[0]!;
    inbound.send(new Uint8Array(1001));
    await until(() => rec.closeOf(out) !== undefined, 'browser side closing');
    expect(rec.errorCodes()).toEqual(['FRAME_TOO_LARGE']);
    expect(rec.framesOf(out)).toEqual([]);
    await until(() => server.rec.closeOf(inbound) !== undefined, 'Node side closing');
    expect(server.rec.closeOf(inbound)!.error?.code).toBe('FRAME_TOO_LARGE');
    expect(CloseCode.MessageTooBigBrowser).toBe(4009);
  });

  it('reports refused connections and bad URLs as typed dial rejections', async () => {
    const t = track(new BrowserTransport());
    await t.start(new Recorder());
    expect((await rejectionOf(t.dial('http://example.org'))).code).toBe('BAD_ADDRESS');
    const server = await nodeServer();
    const address = server.address;
    await server.t.stop();
    expect((await rejectionOf(t.dial(address))).code).toBe('DIAL_FAILED');
  });

  it('keeps dial addresses connected: reconnects after the server restarts', async () => {
    const first = await nodeServer();
    const port = Number(new URL(first.address).port);
    const t = track(
      new BrowserTransport({ dial: [first.address], reconnect: { initialMs: 20, maxMs: 100 } }),
    );
    const rec = new Recorder();
    await t.start(rec);
    await until(() => rec.links.length === 1, 'first link');
    await first.t.stop();
    await until(() => rec.closeOf(rec.links[0]!) !== undefined, 'link closed by the server stopping');
    expect(rec.closeOf(rec.links[0]!)!.error).toBeUndefined(); // 1001 going away is clean
    const second = await nodeServer({ listen: { port } });
    await until(() => rec.links.length === 2 && second.rec.links.length === 1, 'reconnected', 3_000);
  });

  it('idleTimeoutMs detects a dead server, the browser way (it cannot ping)', async () => {
    const server = await nodeServer({ heartbeatMs: 0 });
    const t = track(new BrowserTransport({ idleTimeoutMs: 120 }));
    const rec = new Recorder();
    await t.start(rec);
    const out = await t.dial(server.address);
    await until(() => rec.closeOf(out) !== undefined, 'idle close', 2_000);
    expect(rec.closeOf(out)!.error?.code).toBe('TIMEOUT');
  });

  it('fails dials with a typed error when no WebSocket implementation exists', async () => {
    const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
    const bare = (() => {
      (globalThis as { WebSocket?: unknown }).WebSocket = undefined;
      try {
        return track(new BrowserTransport());
      } finally {
        (globalThis as { WebSocket?: unknown }).WebSocket = saved;
      }
    })();
    await bare.start(new Recorder());
    const server = await nodeServer();
    expect((await rejectionOf(bare.dial(server.address))).code).toBe('DIAL_FAILED');
  });
});
