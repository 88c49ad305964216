#!/usr/bin/env node
/**
 * `symmetric-sim`: run a scenario file and print its metrics (see `cli-main.ts`).
 *
 *     symmetric-sim run <scenario.json> [--seed N] [--json] [--no-wall] [--quiet] [--progress] [--trace]
 *     symmetric-sim validate <scenario.json>
 */
import { runCli } from './cli-main.js';

process.exitCode = await runCli(process.argv);
