/**
 * A headless Chromium for the repository's browser tests, with nothing downloaded at run time:
 * `CHROMIUM_PATH` when set, else the system Chromium (`/usr/bin/chromium`, Debian's package),
 * else the Chromium that `@sparticuz/chromium` ships compressed inside its npm package
 * (unpacked once into the system temp folder on first use).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where the Chromium that {@link launchChromium} starts comes from. */
export type ChromiumSource = 'env' | 'system' | 'npm';

/** A Chromium executable and where it came from. */
export interface ChromiumExecutable {
  readonly path: string;
  readonly source: ChromiumSource;
}

/** The system Chromium looked for before the packaged one. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Flags for a headless Chromium on a machine whose only network is loopback. */
export const HEADLESS_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Finds a Chromium: `CHROMIUM_PATH`, the system one, else the one in `@sparticuz/chromium`. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumExecutable> {
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return { path: fromEnv, source: 'env' };
  }
  if (existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, source: 'system' };
  const packaged = (await import('@sparticuz/chromium')).default;
  return { path: await packaged.executablePath(), source: 'npm' };
}

/** Launches a headless Chromium found by {@link findChromium} through `playwright-core`. */
export async function launchChromium(
  extraArgs: readonly string[] = [],
): Promise<{ browser: Browser; executable: ChromiumExecutable }> {
  const executable = await findChromium();
  const args = [...HEADLESS_ARGS, ...extraArgs];
  if (executable.source === 'npm') {
    // The packaged build is made for sandbox-less containers: one process, no zygote.
    args.push('--single-process', '--no-zygote');
  }
  const browser = await chromium.launch({ executablePath: executable.path, args });
  return { browser, executable };
}
export { bundleBrowserEntry, type ServedPage, servePage } from './page.js';
