import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { launchChromium } from '@symmetric/browser-launcher';
import { type PeerNode, startPeerNode } from '@symmetric/demo-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '../src/handle.js';

// End to end: a demo-node hub (in this process) serves the freshly built page; two headless
// Chromium pages join through it; keys pressed in the pages reach every peer, and both pages
// and the hub end with the same state hash at one tick after the last event.

const appDir = resolve(import.meta.dirname, '..');
const resultsDir = join(appDir, 'test-results');
const webDir = join(resultsDir, 'web');
const ROOM = 'e2e';

let hub: PeerNode | undefined;
let browser: Browser | undefined;
const pageErrors: string[] = [];

function buildPage(): void {
  // Build from the workspace sources (SYMMETRIC_SOURCE=1) so the test sees the current code of
  // every package, whether or not their dist is built; output under test-results/.
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: appDir,
    env: { ...process.env, SYMMETRIC_SOURCE: '1', SYMMETRIC_OUT_DIR: webDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`vite build failed (${r.status}): ${r.stderr}${r.stdout}`);
  if (!existsSync(join(webDir, 'index.html'))) throw new Error(`vite build wrote no ${webDir}/index.html`);
}

beforeAll(async () => {
  mkdirSync(resultsDir, { recursive: true });
  buildPage();
  hub = await startPeerNode({ port: 0, web: webDir, room: ROOM });
  browser = (await launchChromium()).browser;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

async function openPage(url: string, name: string): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 1120, height: 620 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`${name} console: ${m.text()}`);
  });
  await page.goto(url);
  return page;
}

interface PageView {
  id: string;
  tick: number;
  status: string;
  events: number;
  lastEmitTick: number;
}

const view = (page: Page): Promise<PageView> =>
  page.evaluate(() => {
    const s = window.symmetric!;
    return {
      id: s.id(),
      tick: s.tick(),
      status: s.status(),
      events: s.stats().events,
      lastEmitTick: s.lastEmitTick(),
    };
  });

describe('demo-web in two headless Chromium pages through a demo-node hub', () => {
  it('keys pressed in the pages reach every peer; both pages and the hub converge; cursors travel', async () => {
    const node = hub!;
    expect(node.webUrl).toBeDefined();
    const a = await openPage(node.webUrl!, 'A');
    const b = await openPage(node.webUrl!, 'B');
    for (const page of [a, b]) {
      await page.waitForFunction(() => window.symmetric?.status() === 'live', undefined, { timeout: 15_000 });
    }
    expect(node.peer.neighbours()).toHaveLength(2);
    const [va, vb] = await Promise.all([view(a), view(b)]);
    expect(va.id).not.toBe(vb.id);
    expect(await a.locator('#status').textContent()).toBe('live');

    // Keys in page A (and one in page B): right, down, then B turns the rectangle left.
    await a.locator('#board').click();
    await a.keyboard.press('ArrowRight');
    await a.waitForTimeout(400);
    await a.keyboard.press('ArrowDown');
    await a.waitForTimeout(400);
    await b.locator('#board').click();
    await b.keyboard.press('ArrowLeft');

    // A's mouse over the board shows up as A's cursor on page B.
    await a.mouse.move(300, 300);
    await a.mouse.move(420, 330, { steps: 5 });
    await b.waitForFunction((id) => window.symmetric!.cursors().some((c) => c.peerId === id), va.id, {
      timeout: 10_000,
    });

    // Convergence: every peer holds the 3 events and the same hash at a tick after the last one.
    const deadline = performance.now() + 15_000;
    let last = '';
    let agreed: { tick: number; hash: string } | undefined;
    while (agreed === undefined) {
      const [pa, pb] = await Promise.all([view(a), view(b)]);
      const lastEvent = Math.max(pa.lastEmitTick, pb.lastEmitTick);
      const events = [pa.events, pb.events, node.peer.stats().events];
      const t = Math.floor((Math.min(pa.tick, pb.tick, node.peer.tick) - 1) / 10) * 10;
      if (events.every((e) => e === 3) && lastEvent > 0 && t > lastEvent) {
        const hashes = [
          await a.evaluate((tick) => window.symmetric!.hashAt(tick), t),
          await b.evaluate((tick) => window.symmetric!.hashAt(tick), t),
          node.peer.stateHashAt(t),
        ];
        if (hashes.every((h) => h !== undefined && h === hashes[0])) agreed = { tick: t, hash: hashes[0]! };
        last = `tick ${t}: ${hashes.join(' ')}`;
      } else {
        last = `events ${events.join(',')}, ticks ${pa.tick},${pb.tick},${node.peer.tick}, last event ${lastEvent}`;
      }
      if (agreed === undefined) {
        if (performance.now() > deadline) throw new Error(`no convergence: ${last}`);
        await a.waitForTimeout(100);
      }
    }
    expect(agreed.hash).toMatch(/^[0-9a-f]{16}$/);
    // The last key (left) is what every peer's rectangle now does.
    for (const page of [a, b]) {
      expect(await page.evaluate(() => window.symmetric!.state())).toMatchObject({ dx: -1, dy: 0 });
    }
    expect(node.peer.state).toMatchObject({ dx: -1, dy: 0 });

    // The page shows the hash it exposes, and lists the other browser as a peer.
    await b.waitForFunction(() => document.getElementById('hash')?.dataset['hash'] !== '', undefined, {
      timeout: 5_000,
    });
    await a.mouse.move(460, 300);
    await a.waitForTimeout(300);
    await a.screenshot({ path: join(resultsDir, 'page-a.png') });
    await b.screenshot({ path: join(resultsDir, 'page-b.png') });
    expect(await b.locator('#peers').textContent()).toContain(va.id.slice(0, 6));
    expect(pageErrors).toEqual([]);
  }, 40_000);
});
