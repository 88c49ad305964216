import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '@symmetric/browser-launcher';
import { type CheckResult, storeChecks } from '@symmetric/storage/checks';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreTestApi } from './fixtures/browser-entry.js';
import { indexedDbHarness } from './fixtures/harness.js';

/**
 * The IndexedDB store in headless Chromium (from `@symmetric/browser-launcher`; nothing is
 * downloaded): test/fixtures/browser-entry.ts is bundled from source with Vite and loaded in a
 * page, which runs the `@symmetric/storage` conformance checks (`runStoreChecks`, the same checks
 * `runStoreConformance` registers with vitest) against real IndexedDB; each check's outcome is
 * one test here. Then a store written by the page is read back after a page reload.
 */

declare global {
  var storeTest: StoreTestApi;
}

const fixtures = join(import.meta.dirname, 'fixtures');
let outDir: string | undefined;
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let results: CheckResult[] = [];
const pageErrors: string[] = [];

async function bundle(dir: string): Promise<void> {
  await build({
    configFile: false,
    root: fixtures,
    logLevel: 'warn',
    resolve: { conditions: ['@symmetric/source', 'browser', 'module', 'import', 'default'] },
    build: {
      outDir: dir,
      emptyOutDir: true,
      minify: false,
      chunkSizeWarningLimit: 4096,
      lib: { entry: join(fixtures, 'browser-entry.ts'), formats: ['es'], fileName: 'app' },
    },
  });
  await writeFile(join(dir, 'index.html'), '<!doctype html><script type="module" src="./app.js"></script>');
}

async function serve(dir: string): Promise<string> {
  const s = createServer(async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const name = path === '/' ? 'index.html' : path.slice(1);
      const body = await readFile(join(dir, name));
      res.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  server = s;
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const address = s.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
}

async function ready(p: Page): Promise<void> {
  await p.waitForFunction(() => 'storeTest' in globalThis);
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'symmetric-indexeddb-browser-'));
  await bundle(outDir);
  const url = await serve(outDir);
  browser = (await launchChromium()).browser;
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await ready(page);
  results = await page.evaluate(() => globalThis.storeTest.checks('conformance'));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
});

// The check list, known in Node without running it (the page runs the same list).
const checks = storeChecks(indexedDbHarness('names-only'));

describe('store conformance in Chromium: indexeddb', () => {
  it('the page ran every check', () => {
    expect(results.map((r) => `${r.group} / ${r.name}`)).toEqual(checks.map((c) => `${c.group} / ${c.name}`));
  });

  for (const group of new Set(checks.map((c) => c.group))) {
    describe(group, () => {
      for (const check of checks.filter((c) => c.group === group)) {
        it(check.name, () => {
          const result = results.find((r) => r.group === group && r.name === check.name);
          expect(result?.error).toBeUndefined();
          expect(result?.ok).toBe(true);
        });
      }
    });
  }
});

describe('IndexedDB store across a page reload', () => {
  it('what the page stored is there after a reload', async () => {
    const p = page as Page;
    await p.evaluate(() => globalThis.storeTest.write('reload', 12));
    await p.reload();
    await ready(p);
    const read = await p.evaluate(() => globalThis.storeTest.read('reload'));
    expect(read).toEqual({ peerId: 'browser-peer', events: 7, ownLastSeq: 12, snapshotTick: 5, dropped: 0 });
  });

  it('no page error', () => {
    expect(pageErrors).toEqual([]);
  });
});
