#!/usr/bin/env node
/**
 * `symmetric-sim`: run a scenario file and print its metrics.
 *
 *     symmetric-sim run <scenario.json> [--seed N] [--json] [--no-wall] [--quiet]
 *     symmetric-sim validate <scenario.json>
 *
 * Exit codes: 0 converged, 1 ran but did not converge, 2 bad scenario or usage.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError } from 'commander';
import { isScenarioError } from './errors.js';
import { formatMetrics, metricsJson } from './format.js';
import { runScenario, type TraceEvent } from './runner.js';
import { parseScenario, type Scenario } from './scenario.js';
import { scenarioEdges } from './topology.js';

function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('a non-negative integer');
  return n;
}

function load(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`symmetric-sim: cannot read ${file}: ${(e as Error).message}\n`);
    process.exit(2);
  }
  return parseScenario(text);
}

function fail(e: unknown): never {
  if (isScenarioError(e)) {
    process.stderr.write(
      `symmetric-sim: bad scenario (${e.code}) at ${e.field === '' ? '(document)' : e.field}: ${e.message}\n`,
    );
    process.exit(2);
  }
  throw e;
}

const program = new Command();
program
  .name('symmetric-sim')
  .description('Run Symmetric peer networks in virtual time: scenario JSON in, metrics out.');

program
  .command('run')
  .description('run a scenario and print its metrics')
  .argument('<scenario>', 'scenario JSON file')
  .option('--seed <n>', 'run seed (overrides the scenario seed)', parseSeed)
  .option('--json', 'print the metrics as JSON on stdout')
  .option('--no-wall', 'omit wallMs (the only non-reproducible field)')
  .option('-q, --quiet', 'no progress on stderr')
  .option(
    '--trace',
    'print what happens (starts, crashes, cuts, status changes, rollbacks, desyncs) as JSON lines on stderr',
  )
  .action(
    async (
      file: string,
      opts: { seed?: number; json?: boolean; wall: boolean; quiet?: boolean; trace?: boolean },
    ) => {
      try {
        const scenario = load(file);
        const started = performance.now();
        let lastShown = -1;
        const tty = process.stderr.isTTY === true;
        const onProgress = (f: number): void => {
          if (opts.quiet === true || performance.now() - started < 1000) return;
          const pct = Math.floor(f * 100);
          if (tty) process.stderr.write(`\rsymmetric-sim: ${pct}%`);
          else if (pct >= lastShown + 10) {
            lastShown = pct - (pct % 10);
            process.stderr.write(`symmetric-sim: ${pct}%\n`);
          }
        };
        const metrics = await runScenario(scenario, {
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          onProgress,
          includeWall: opts.wall,
          ...(opts.trace === true
            ? { trace: (e: TraceEvent) => process.stderr.write(`${JSON.stringify(e)}\n`) }
            : {}),
        });
        if (tty && opts.quiet !== true && performance.now() - started >= 1000)
          process.stderr.write('\r\x1b[K');
        process.stdout.write(
          opts.json === true
            ? metricsJson(metrics, { wall: opts.wall })
            : formatMetrics(metrics, { peers: scenario.peers, durationS: scenario.durationS }),
        );
        process.exitCode = metrics.converged ? 0 : 1;
      } catch (e) {
        fail(e);
      }
    },
  );

program
  .command('validate')
  .description('check a scenario file without running it')
  .argument('<scenario>', 'scenario JSON file')
  .action((file: string) => {
    try {
      const scenario = load(file);
      const edges = scenarioEdges(scenario);
      process.stdout.write(`ok: ${scenario.peers} peers, ${edges.length} links, ${scenario.durationS} s\n`);
    } catch (e) {
      fail(e);
    }
  });

await program.parseAsync(process.argv);
