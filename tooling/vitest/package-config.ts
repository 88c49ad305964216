import { defineConfig } from 'vitest/config';
import { workspaceAliases } from './workspace-aliases.ts';

/** Vitest config for one package directory: its `test/**` files, workspace imports from source. */
export function packageConfig(dir: string) {
  return defineConfig({
    root: dir,
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      setupFiles: [new URL('./fast-check-seed.ts', import.meta.url).pathname],
    },
  });
}
