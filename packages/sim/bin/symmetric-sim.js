#!/usr/bin/env node
// Launcher for the compiled CLI (src/cli.ts → dist/cli.js). It is committed so that the
// workspace bin link exists right after `npm ci`, before anything is built.
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write(
      'symmetric-sim: not built yet; run `npm run build` (or `npm run build -w @symmetric/sim`) first\n',
    );
    process.exit(2);
  }
  throw error;
}
