import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBrowserEntry, launchChromium, servePage } from '@symmetric/browser-launcher';
import { type CheckResult, storeChecks } from '@symmetric/storage/checks';
import type { Browser, Page } from 'playwright-core';
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

async function ready(p: Page): Promise<void> {
  await p.waitForFunction(() => 'storeTest' in globalThis);
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'symmetric-indexeddb-browser-'));
  await bundleBrowserEntry(join(fixtures, 'browser-entry.ts'), outDir);
  const served = await servePage(outDir);
  server = served.server;
  const url = served.url;
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
