/**
 * The `symmetric-sim` command line, as a function (the `bin` calls it with `process.argv`).
 *
 *     symmetric-sim run <scenario.json> [--seed N] [--json] [--no-wall] [--quiet] [--progress] [--trace]
 *     symmetric-sim validate <scenario.json>
 *
 * `validate` makes the same checks as `run` (the format, then `checkRunnable`). When a run does
 * not converge, `run` prints hints on stderr (see `convergenceHints`).
 *
 * Exit codes: 0 converged (or valid), 1 ran but did not converge, 2 bad scenario or usage.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { isScenarioError } from './errors.js';
import { formatMetrics, formatProgress, metricsJson } from './format.js';
import { convergenceHints } from './hints.js';
import { runScenario } from './runner.js';
import { checkRunnable, parseScenario, type Scenario } from './scenario.js';
import { scenarioEdges } from './topology.js';
import type { TraceEvent } from './trace.js';

/** Where the CLI writes (defaults: the process's streams). */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress then redraws one line). */
  readonly stderrIsTty?: boolean;
}

class CliExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('a non-negative integer');
  }
  return n;
}

/**
 * Run the CLI with `argv` (as in `process.argv`: the first two entries are skipped) and
 * resolve with the exit code. Never calls `process.exit`.
 */
export async function runCli(argv: readonly string[], io?: CliIo): Promise<number> {
  const out = io ?? {
    stdout: (t: string) => void process.stdout.write(t),
    stderr: (t: string) => void process.stderr.write(t),
    stderrIsTty: process.stderr.isTTY === true,
  };
  let exitCode = 0;

  const load = (file: string): Scenario => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      out.stderr(`symmetric-sim: cannot read ${file}: ${(e as Error).message}\n`);
      throw new CliExit(2);
    }
    const scenario = parseScenario(text);
    checkRunnable(scenario);
    return scenario;
  };
  const report = (e: unknown): never => {
    if (isScenarioError(e)) {
      const where = e.field === '' ? '(document)' : e.field;
      out.stderr(`symmetric-sim: bad scenario (${e.code}) at ${where}: ${e.message}\n`);
      throw new CliExit(2);
    }
    throw e;
  };

  const program = new Command();
  program
    .name('symmetric-sim')
    .description('Run Symmetric peer networks in virtual time: scenario JSON in, metrics out.')
    .version((createRequire(import.meta.url)('../package.json') as { version: string }).version)
    .exitOverride()
    .configureOutput({ writeOut: out.stdout, writeErr: out.stderr });

  program
    .command('run')
    .description('run a scenario and print its metrics')
    .argument('<scenario>', 'scenario JSON file')
    .option('--seed <n>', 'run seed (overrides the scenario seed)', parseSeed)
    .option('--json', 'print the metrics as JSON on stdout')
    .option('--no-wall', 'omit wallMs (the only non-reproducible field)')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--progress', 'progress on stderr even when stderr is not a terminal')
    .option(
      '--trace',
      'print what happens (starts, crashes, cuts, status, rollbacks, desyncs) as JSON lines on stderr',
    )
    .action(
      async (
        file: string,
        opts: {
          seed?: number;
          json?: boolean;
          wall: boolean;
          quiet?: boolean;
          progress?: boolean;
          trace?: boolean;
        },
      ) => {
        try {
          const scenario = load(file);
          const started = performance.now();
          let lastShown = -1;
          let shown = false;
          const tty = out.stderrIsTty === true;
          // On a terminal: one redrawn line once the run takes more than 1 s. Elsewhere: only
          // with --progress, one line per 10 %.
          const showProgress = opts.quiet !== true && (tty || opts.progress === true);
          const show = (text: string): void => {
            shown = true;
            if (tty) out.stderr(`\rsymmetric-sim: ${text}\x1b[K`);
            else out.stderr(`symmetric-sim: ${text}\n`);
          };
          if (showProgress && (opts.progress === true || scenario.peers >= 200)) {
            show(`setting up ${scenario.peers} peers, ${scenario.durationS} s virtual`);
          }
          const onProgress = (f: number): void => {
            if (!showProgress) return;
            const elapsed = performance.now() - started;
            if (opts.progress !== true && elapsed < 1000) return;
            const pct = Math.floor(f * 100);
            if (tty) show(formatProgress(f, elapsed));
            else if (pct >= lastShown + 10) {
              lastShown = pct - (pct % 10);
              show(formatProgress(f, elapsed));
            }
          };
          const metrics = await runScenario(scenario, {
            ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
            onProgress,
            includeWall: opts.wall,
            ...(opts.trace === true
              ? { trace: (e: TraceEvent) => out.stderr(`${JSON.stringify(e)}\n`) }
              : {}),
          });
          if (tty && shown) out.stderr('\r\x1b[K');
          out.stdout(
            opts.json === true
              ? metricsJson(metrics, { wall: opts.wall })
              : formatMetrics(metrics, { peers: scenario.peers, durationS: scenario.durationS }),
          );
          if (!metrics.converged) {
            const hints = convergenceHints(scenario, metrics);
            const lines =
              hints.length > 0
                ? hints
                : [
                    'nothing in the scenario stands out: run with --trace to see statuses, rollbacks and desyncs',
                  ];
            out.stderr(lines.map((h) => `symmetric-sim: hint: ${h}\n`).join(''));
          }
          exitCode = metrics.converged ? 0 : 1;
        } catch (e) {
          report(e);
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
        out.stdout(`ok: ${scenario.peers} peers, ${edges.length} links, ${scenario.durationS} s\n`);
      } catch (e) {
        report(e);
      }
    });

  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CliExit) return e.code;
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return exitCode;
}
