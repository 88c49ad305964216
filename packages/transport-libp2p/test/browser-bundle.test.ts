import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createLogger } from 'vite';
import { describe, expect, it } from 'vitest';

/**
 * Builds test/fixtures/browser-entry.ts for the browser with Vite (no config file, no
 * polyfill plugin) and checks that the package's `browser` export condition kept every
 * Node-only module out of the bundle.
 */
describe('browser bundle (Vite)', () => {
  it('builds without Node built-ins, polyfills or Node-only libp2p modules', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'symmetric-libp2p-vite-'));
    const warnings: string[] = [];
    const logger = createLogger('warn', { allowClearScreen: false });
    logger.warn = (msg) => {
      warnings.push(msg);
    };
    logger.warnOnce = logger.warn;
    try {
      await build({
        configFile: false,
        root: join(import.meta.dirname, 'fixtures'),
        logLevel: 'warn',
        customLogger: logger,
        resolve: {
          // Source of the workspace packages (no build needed); `browser` picks src/browser.ts.
          conditions: ['@symmetric/source', 'browser', 'module', 'import', 'default'],
        },
        build: {
          outDir,
          emptyOutDir: true,
          minify: false,
          chunkSizeWarningLimit: 4096,
          lib: {
            entry: join(import.meta.dirname, 'fixtures', 'browser-entry.ts'),
            formats: ['es'],
            fileName: 'app',
          },
        },
      });
      const files = await readdir(outDir);
      const code = (
        await Promise.all(
          files.filter((f) => f.endsWith('.js')).map((f) => readFile(join(outDir, f), 'utf8')),
        )
      ).join('\n');
      expect(warnings.filter((w) => /externalized for browser compatibility|node:/.test(w))).toEqual([]);
      // No Node built-ins or CommonJS left for the browser to choke on.
      expect(code).not.toMatch(/from\s*["']node:/);
      expect(code).not.toMatch(/\brequire\(\s*["'](?:net|dgram|os|fs|crypto|events)["']\s*\)/);
      // The browser entry was used: WebRTC and relay client are in, TCP and mDNS are out.
      expect(code).toContain('/symmetric/1.0.0');
      expect(code).toContain('RTCPeerConnection');
      expect(code).not.toContain('multicast-dns');
      expect(code).not.toContain('createServer');
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
