import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../../tooling/vitest/workspace-aliases.ts';

/**
 * Manual checks that need network beyond 127.0.0.1 and so are kept out of `npm test` (the
 * machines it runs on allow test traffic to loopback only): mDNS multicasts on the LAN, and
 * WebRTC's ICE uses the host's non-loopback addresses. Run with `npm run check:lan`.
 */
export default defineConfig({
  root: import.meta.dirname,
  resolve: { alias: workspaceAliases() },
  test: { include: ['*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
