// Loads the package's browser build in headless Chromium and checks, on 127.0.0.1 only:
//   1. browser → Node peer over WebSockets (the Node peer is also the circuit-relay-v2 relay);
//   2. browser ↔ browser over WebRTC, signalled through that relay;
//   3. Ed25519 signing with the libp2p key inside the browser.
//
//   npm run test:browser -w @symmetric/transport-libp2p      (builds, then runs)
//
// Chromium comes from @symmetric/browser-launcher: CHROMIUM_PATH, the system one, else the one
// inside the @sparticuz/chromium npm package. No browser is downloaded.
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '@symmetric/browser-launcher';
import { build } from 'vite';
import { createLibp2pTransport } from '../dist/index.js';

const here = import.meta.dirname;
const fixtures = join(here, '..', 'test', 'fixtures');
const checks = [];

function check(name, ok, detail = '') {
  checks.push({ name, ok });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

async function until(pred, what, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await pred();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// 1. The Node peer: Symmetric transport + relay server, WebSockets on 127.0.0.1.
const nodeFrames = [];
const nodePeer = await createLibp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], relayServer: true });
await nodePeer.start({
  onLink: (link) => link.send(new TextEncoder().encode('hello from node')),
  onFrame: (link, frame) =>
    nodeFrames.push({ from: link.remotePeerId, text: new TextDecoder().decode(frame) }),
  onClose: () => {},
  onError: (e) => console.log('node peer error:', e.code, e.message),
});
const relayAddr = nodePeer.addresses().find((a) => a.includes('/ws/'));
console.log('node peer / relay:', relayAddr);

// 2. Bundle the fixture app with Vite (browser conditions, no polyfills) and serve it.
const outDir = await mkdtemp(join(tmpdir(), 'symmetric-libp2p-e2e-'));
await build({
  configFile: false,
  root: fixtures,
  logLevel: 'warn',
  resolve: { conditions: ['@symmetric/source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir,
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    lib: { entry: join(fixtures, 'browser-entry.ts'), formats: ['es'], fileName: 'app' },
  },
});
await writeFile(join(outDir, 'index.html'), '<!doctype html><script type="module" src="./app.js"></script>');
const server = createServer(async (req, res) => {
  try {
    const name = (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').slice(1);
    const body = await readFile(join(outDir, name));
    res.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const address = server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;

const { browser } = await launchChromium();
let failed = false;
try {
  console.log('chromium', browser.version());
  const pages = [await browser.newPage(), await browser.newPage()];
  for (const page of pages) {
    page.on('console', (m) => console.log(`  [page] ${m.text()}`));
    page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => 'symmetric' in globalThis);
  }
  const infos = [];
  for (const page of pages)
    infos.push(await page.evaluate((relay) => globalThis.symmetric.start(relay), relayAddr));
  check(
    'browser peers start; Ed25519 signature made in the browser verifies',
    infos.every((i) => i.signatureOk),
  );
  check(
    'both browsers hold a relay reservation and a /p2p-circuit/webrtc address',
    infos.every((i) => typeof i.webrtc === 'string'),
    infos.map((i) => i.webrtc).join(' , '),
  );

  // Browser A → Node peer over WebSockets.
  const wsLink = await pages[0].evaluate((addr) => globalThis.symmetric.dial(addr), relayAddr);
  check('browser → Node link over WebSockets', wsLink.remotePeerId === nodePeer.peerId, wsLink.address);
  await until(
    () => pages[0].evaluate(() => globalThis.symmetric.received().some((r) => r.bytes.length === 15)),
    'the Node greeting',
  );
  await pages[0].evaluate(
    (id) => globalThis.symmetric.send(id, [...new TextEncoder().encode('hi node')]),
    nodePeer.peerId,
  );
  await until(
    () => nodeFrames.some((f) => f.text === 'hi node' && f.from === infos[0].peerId),
    'browser frame at Node',
  );
  check('frames both ways between browser and Node', true);

  // Browser A → browser B over WebRTC (signalled through the relay).
  const rtcLink = await pages[0].evaluate((addr) => globalThis.symmetric.dial(addr), infos[1].webrtc);
  check('browser → browser link', rtcLink.remotePeerId === infos[1].peerId, rtcLink.address);
  await pages[0].evaluate((id) => globalThis.symmetric.send(id, [1, 2, 3, 4]), infos[1].peerId);
  await until(
    () =>
      pages[1].evaluate(
        (from) => globalThis.symmetric.received().some((r) => r.from === from && r.bytes.length === 4),
        infos[0].peerId,
      ),
    'A → B frame',
  );
  await pages[1].evaluate((id) => globalThis.symmetric.send(id, [9, 9]), infos[0].peerId);
  await until(
    () =>
      pages[0].evaluate(
        (from) => globalThis.symmetric.received().some((r) => r.from === from && r.bytes.length === 2),
        infos[1].peerId,
      ),
    'B → A frame',
  );
  const bLinks = await pages[1].evaluate(() => globalThis.symmetric.links());
  check(
    'frames both ways between the browsers, over WebRTC (not the limited relayed connection)',
    bLinks.some((l) => l.remotePeerId === infos[0].peerId && l.remoteAddress.includes('/webrtc')),
    bLinks.map((l) => l.remoteAddress).join(' , '),
  );
  for (const page of pages) await page.evaluate(() => globalThis.symmetric.stop());
} catch (error) {
  failed = true;
  console.log('FAIL', error instanceof Error ? error.message : error);
} finally {
  await browser.close();
  server.close();
  await nodePeer.stop();
  await rm(outDir, { recursive: true, force: true });
}
const bad = failed || checks.some((c) => !c.ok) || checks.length < 6;
console.log(bad ? 'browser e2e FAILED' : `browser e2e passed (${checks.length} checks)`);
process.exit(bad ? 1 : 0);
