/**
 * Bundling a test page for the browser and serving it on 127.0.0.1: the part every browser test
 * of the repository shares.
 */
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { build } from 'vite';

/**
 * Bundles `entry` (a TypeScript module) for the browser into `outDir` as `app.js`, beside an
 * `index.html` that loads it. Workspace packages resolve to their sources
 * (`@symmetric/source` condition), then to their browser builds.
 */
export async function bundleBrowserEntry(entry: string, outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: dirname(entry),
    logLevel: 'warn',
    resolve: { conditions: ['@symmetric/source', 'browser', 'module', 'import', 'default'] },
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      chunkSizeWarningLimit: 4096,
      lib: { entry, formats: ['es'], fileName: 'app' },
    },
  });
  await writeFile(
    join(outDir, 'index.html'),
    '<!doctype html><script type="module" src="./app.js"></script>',
  );
}

/** A static page served on 127.0.0.1. */
export interface ServedPage {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The HTTP server (close it when done). */
  readonly server: Server;
}

/** Serves the files of `dir` (flat: `index.html`, `app.js`, ...) on a free port of 127.0.0.1. */
export async function servePage(dir: string): Promise<ServedPage> {
  const server = createServer(async (req, res) => {
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
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, server };
}
