#!/usr/bin/env node
// `symmetric-demo`: checks the Node version, then runs the built CLI (dist/cli.js). Started
// before a build, it says how to build instead of printing a module-not-found stack.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `symmetric-demo needs Node 22 or newer (this is ${process.version}). Run it through npm, which ` +
      'puts the repository’s Node 24 first on the PATH: npm run start -w @symmetric/demo-node\n',
  );
  process.exit(1);
}
try {
  await import('../dist/cli.js');
} catch (error) {
  const code = error !== null && typeof error === 'object' ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_MODULE_NOT_FOUND' && /[\\/]dist[\\/]/.test(message)) {
    process.stderr.write(
      'symmetric-demo is not built yet: run `npm run build` in the repository root first ' +
        '(or `npm run demo`, which builds everything and starts the demo).\n',
    );
    process.exit(1);
  }
  throw error;
}
