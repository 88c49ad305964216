import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findChromium, HEADLESS_ARGS } from '@symmetric/browser-launcher';
import { type PeerNode, startPeerNode } from '@symmetric/demo-node';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDir, buildPage, seen, sleep, until, untilSameState } from './harness.js';

// The browser is killed with SIGKILL while its page's peer runs (no unload, no close: what a
// crash or an out-of-memory kill does), then started again on the same profile. The first page
// of the room opened in it adopts the kept peer nobody holds: the same peer id and event source,
// every event it had sent still held, and the room converges with the hub.

const resultsDir = join(appDir, 'test-results');
const webDir = join(resultsDir, 'web-crash');
const profileDir = join(resultsDir, 'crash-profile');

let hub: PeerNode | undefined;
let running: { browser: Browser; proc: ChildProcess } | undefined;
const pageErrors: string[] = [];

/** Starts Chromium on `profileDir` as a child of this process (so it can be SIGKILLed) and connects over CDP. */
async function startBrowser(): Promise<{ browser: Browser; proc: ChildProcess }> {
  const exe = await findChromium();
  const args = [
    ...HEADLESS_ARGS,
    `--user-data-dir=${profileDir}`,
    '--remote-debugging-port=0',
    'about:blank',
  ];
  if (exe.source === 'npm') args.push('--single-process', '--no-zygote');
  const proc = spawn(exe.path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`Chromium printed no DevTools endpoint: ${err}`)),
      30_000,
    );
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => reject(new Error(`Chromium exited (${code}): ${err}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return { browser, proc };
}

async function openRoomPage(browser: Browser): Promise<Page> {
  const context = browser.contexts()[0] ?? (await browser.newContext());
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(hub!.webUrl!);
  await page.waitForFunction(() => window.symmetric !== undefined, undefined, { timeout: 20_000 });
  return page;
}

beforeAll(async () => {
  buildPage(webDir);
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  hub = await startPeerNode({ port: 0, web: webDir, room: 'crash', name: 'crash hub', delay: 100 });
}, 120_000);

afterAll(async () => {
  running?.proc.kill('SIGKILL');
  await hub?.stop();
});

describe('demo-web: a killed browser comes back as the same peer', () => {
  it('SIGKILL mid-run, restart on the same profile: same source, no sent event lost, one state', async () => {
    running = await startBrowser();
    let page = await openRoomPage(running.browser);
    await page.waitForFunction(() => window.symmetric?.status() === 'live', undefined, { timeout: 20_000 });
    await page.locator('#board').focus();
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowDown']) {
      await page.keyboard.press(key);
      await sleep(120);
    }
    const hubPeer = hub!.peer;
    await until(async () => hubPeer.stats().events >= 4, 'the hub holding the page events');
    const before = await seen(page);
    expect(before.emitted).toBe(4);

    // Killed while running: the page's peer keeps stepping until the process is gone.
    const killed = running;
    running = undefined;
    const exited = new Promise((r) => killed.proc.once('exit', r));
    killed.proc.kill('SIGKILL');
    await exited;

    running = await startBrowser();
    page = await openRoomPage(running.browser);
    const after = await seen(page);
    expect(after.id).toBe(before.id);
    expect(after.source).toBe(before.source);
    // Every event it had sent (each was durable before it was sent) is back from its store.
    expect(after.events).toBeGreaterThanOrEqual(4);
    expect(after.adopted).toBe(0);
    await page.waitForFunction(() => window.symmetric?.status() === 'live', undefined, { timeout: 20_000 });
    await page.locator('#board').focus();
    await page.keyboard.press('ArrowUp');
    await until(async () => hubPeer.stats().events >= 5, 'the hub holding the new event');
    expect(hubPeer.stats().events).toBe(5);
    await untilSameState(page, hubPeer, 'page and hub on one state');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
