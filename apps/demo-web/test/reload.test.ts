import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { launchChromium } from '@symmetric/browser-launcher';
import { type PeerNode, startPeerNode } from '@symmetric/demo-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '../src/handle.js';

// A page keeps its peer in IndexedDB: headless Chromium opens the page from a demo-node hub,
// presses keys, and reloads; the reloaded page is the same peer (id and event source) with the
// room's state it had, taken from its store rather than from a snapshot of the hub.

const appDir = resolve(import.meta.dirname, '..');
const webDir = join(appDir, 'test-results', 'web-reload');

let hub: PeerNode | undefined;
let browser: Browser | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(webDir, { recursive: true });
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: appDir,
    env: { ...process.env, SYMMETRIC_SOURCE: '1', SYMMETRIC_OUT_DIR: webDir },
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (r.status !== 0) throw new Error(`vite build failed (${r.status}): ${r.stderr}${r.stdout}`);
  if (!existsSync(join(webDir, 'index.html'))) throw new Error(`vite build wrote no ${webDir}/index.html`);
  hub = await startPeerNode({ port: 0, web: webDir, room: 'reload', name: 'reload hub', delay: 100 });
  browser = (await launchChromium()).browser;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

interface Seen {
  id: string;
  source: string;
  events: number;
  emitted: number;
  adopted: number;
  tick: number;
}

const seen = (page: Page): Promise<Seen> =>
  page.evaluate(() => {
    const s = window.symmetric!;
    const st = s.stats();
    return {
      id: s.id(),
      source: s.peer.source,
      events: st.events,
      emitted: st.eventsEmitted,
      adopted: st.snapshotsAdopted,
      tick: s.tick(),
    };
  });

describe('demo-web: a reload resumes the same peer from IndexedDB', () => {
  it('same peer id and event source, the state it had, its own events still there', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(hub!.webUrl!);
    await page.waitForFunction(() => window.symmetric?.status() === 'live', undefined, { timeout: 20_000 });
    await page.locator('#board').focus();
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowRight']) {
      await page.keyboard.press(key);
      await sleep(150);
    }
    const hubPeer = hub!.peer;
    await until(async () => hubPeer.stats().events >= 3, 'the hub holding the page events');
    await sleep(500);
    const before = await seen(page);
    expect(before.emitted).toBe(3);

    await page.reload();
    await page.waitForFunction(() => window.symmetric !== undefined, undefined, { timeout: 20_000 });
    const after = await seen(page);
    expect(after.id).toBe(before.id);
    expect(after.source).toBe(before.source);
    // Resumed from its own store: the events at once, no snapshot from the hub.
    expect(after.events).toBeGreaterThanOrEqual(3);
    expect(after.adopted).toBe(0);
    expect(after.tick).toBeGreaterThan(0);
    await page.waitForFunction(() => window.symmetric?.status() === 'live', undefined, { timeout: 20_000 });
    // Its next key press continues its own seqs, and the hub takes it.
    await page.locator('#board').focus();
    await page.keyboard.press('ArrowUp');
    await until(async () => hubPeer.stats().events >= 4, 'the hub holding the new event');
    expect((await seen(page)).adopted).toBe(0);
    // The page and the hub agree on the room's state at a tick after the last event.
    await until(async () => {
      const tick = Math.min(hubPeer.tick, (await seen(page)).tick);
      const t = Math.floor((tick - 60) / 10) * 10;
      const last = await page.evaluate(() => window.symmetric!.lastEmitTick());
      if (t <= last) return false;
      const h = await page.evaluate((x) => window.symmetric!.hashAt(x), t);
      return h !== undefined && h === hubPeer.stateHashAt(t);
    }, 'page and hub on one state');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);
});
