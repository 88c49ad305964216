#!/usr/bin/env node
/**
 * `symmetric-demo`: the demo CLI (`start`, the default, and `peer`). See the README.
 */
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Exit even if some library left a handle open; give pending output a moment to flush.
setTimeout(() => process.exit(code), 2_000).unref();
