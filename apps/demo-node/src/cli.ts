#!/usr/bin/env node
/**
 * `symmetric-demo`: the demo CLI (`start`, the default, and `peer`). See the README.
 */
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `symmetric-demo needs Node 22 or newer (this is ${process.version}). Run it through npm, which ` +
      'puts the repository’s Node 24 first on the PATH: npm run start -w @symmetric/demo-node\n',
  );
  process.exit(1);
}
const { runCli } = await import('./program.js');
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Exit even if some library left a handle open; give pending output a moment to flush.
setTimeout(() => process.exit(code), 2_000).unref();
