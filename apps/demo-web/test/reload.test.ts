import { join } from 'node:path';
import { launchChromium } from '@symmetric/browser-launcher';
import { type PeerNode, startPeerNode } from '@symmetric/demo-node';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDir, buildPage, seen, sleep, until, untilSameState } from './harness.js';

// A page keeps its peer in IndexedDB: headless Chromium opens the page from a demo-node hub,
// presses keys, and reloads; the reloaded page is the same peer (id and event source) with the
// room's state it had, taken from its store rather than from a snapshot of the hub.

const webDir = join(appDir, 'test-results', 'web-reload');

let hub: PeerNode | undefined;
let browser: Browser | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  buildPage(webDir);
  hub = await startPeerNode({ port: 0, web: webDir, room: 'reload', name: 'reload hub', delay: 100 });
  browser = (await launchChromium()).browser;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
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
    await untilSameState(page, hubPeer, 'page and hub on one state');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);
});
