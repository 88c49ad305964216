import { defaultClientConditions, defineConfig } from 'vite';

/**
 * `vite build` bundles the workspace packages from their built `dist` (through their `browser`
 * and `import` export conditions; turbo's `^build` builds them first). `vite` (dev) and builds
 * with `SYMMETRIC_SOURCE=1` resolve them from their TypeScript sources instead (the
 * `@symmetric/source` condition), so no package build is needed. The dev server proxies the
 * hub's config and WebSocket to `SYMMETRIC_HUB` (default `http://127.0.0.1:8080`).
 */
export default defineConfig(({ command }) => {
  const fromSource = command === 'serve' || process.env['SYMMETRIC_SOURCE'] === '1';
  const hub = process.env['SYMMETRIC_HUB'] ?? 'http://127.0.0.1:8080';
  return {
    resolve: fromSource ? { conditions: ['@symmetric/source', ...defaultClientConditions] } : {},
    build: {
      target: 'es2023',
      sourcemap: true,
      outDir: process.env['SYMMETRIC_OUT_DIR'] ?? 'dist',
      emptyOutDir: true,
      // The libp2p chunk (~700 kB) is loaded only by pages that pick libp2p or WebRTC.
      chunkSizeWarningLimit: 800,
    },
    server: {
      proxy: {
        '/symmetric.json': { target: hub },
        '/symmetric': { target: hub, ws: true },
      },
    },
  };
});
