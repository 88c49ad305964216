import { defineConfig } from 'vitest/config';
import { workspaceAliases } from './tooling/vitest/workspace-aliases.ts';

// One run over every workspace's tests; imports of @symmetric/* resolve to src (no build needed).
export default defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'tooling/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './tooling/vitest/summary-reporter.ts'],
    setupFiles: ['./tooling/vitest/fast-check-seed.ts'],
  },
});
