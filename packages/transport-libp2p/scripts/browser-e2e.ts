// The libp2p transport in headless Chromium: runs test/browser.test.ts, which bundles the
// browser entry from source with Vite and checks, on 127.0.0.1 only, browser → Node over
// WebSockets, browser ↔ browser over WebRTC signalled through the Node relay, and Ed25519
// signing in the browser. The same test runs in the root `npm test`.
//
//   npm run test:browser -w @symmetric/transport-libp2p
//
// Chromium comes from @symmetric/browser-launcher: CHROMIUM_PATH, the system one, else the one
// inside the @sparticuz/chromium npm package. No browser is downloaded.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const packageDir = join(import.meta.dirname, '..');
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', 'test/browser.test.ts'], {
  cwd: packageDir,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
