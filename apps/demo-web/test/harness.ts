/**
 * What the demo-web browser tests share: building the page from the workspace sources, waiting
 * on a condition, and reading a page's peer through `window.symmetric`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type {} from '../src/handle.js';

/** The demo-web app's folder. */
export const appDir = resolve(import.meta.dirname, '..');

/**
 * Builds the page into `outDir` from the workspace sources (SYMMETRIC_SOURCE=1), so a test sees
 * the current code of every package whether or not their dist is built.
 */
export function buildPage(outDir: string, timeoutMs = 90_000): void {
  mkdirSync(outDir, { recursive: true });
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: appDir,
    env: { ...process.env, SYMMETRIC_SOURCE: '1', SYMMETRIC_OUT_DIR: outDir },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (r.status !== 0) throw new Error(`vite build failed (${r.status}): ${r.stderr}${r.stdout}`);
  if (!existsSync(join(outDir, 'index.html'))) throw new Error(`vite build wrote no ${outDir}/index.html`);
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it holds; throws `timed out: <what>` after `ms`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

/** What a page's peer is and holds. */
export interface Seen {
  id: string;
  source: string;
  events: number;
  emitted: number;
  adopted: number;
  tick: number;
}

/** Reads {@link Seen} from a page's `window.symmetric`. */
export const seen = (page: Page): Promise<Seen> =>
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

/** A peer on the Node side that a page's state is compared with. */
export interface HashedPeer {
  readonly tick: number;
  stateHashAt(tick: number): string | undefined;
}

/**
 * Waits until `page` and `other` hold the same state hash at one tick after the page's last
 * own event (a tick both have simulated, rounded down to a multiple of 10).
 */
export async function untilSameState(
  page: Page,
  other: HashedPeer,
  what: string,
  ms = 20_000,
): Promise<void> {
  await until(
    async () => {
      const tick = Math.min(other.tick, (await seen(page)).tick);
      const t = Math.floor((tick - 60) / 10) * 10;
      const last = await page.evaluate(() => window.symmetric!.lastEmitTick());
      if (t <= last) return false;
      const h = await page.evaluate((x) => window.symmetric!.hashAt(x), t);
      return h !== undefined && h === other.stateHashAt(t);
    },
    what,
    ms,
  );
}
