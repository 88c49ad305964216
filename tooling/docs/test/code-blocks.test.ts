/**
 * Every fenced code block of README.md and docs/*.md, checked against the code:
 *
 * - `ts` / `typescript`: written to a module under `tooling/docs/.blocks/` (inside the
 *   repository, so `@symmetric/*` and npm imports resolve as in any test) and imported, which
 *   runs it. A block that throws or rejects fails with its file and line. A block that leaves
 *   a TCP server or socket open (a peer or transport it did not stop) fails too. The modules
 *   are removed after the run.
 * - `json`: must parse; a JSON object with a `peers` field is a scenario and must pass
 *   `parseScenario` of `@symmetric/sim`.
 * - `text`, `sh`, `console`, `jsonc`: shown, not run.
 * - anything else, or no tag at all: fails (every block says what it is).
 *
 * Every `ts` block is also type-checked with the repository's strict settings.
 *
 * Globals a block may use without defining them: `draw(state, tick?)`, a renderer that does
 * nothing. The convention is documented in CONTRIBUTING.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseScenario } from '@symmetric/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const blocksDir = join(import.meta.dirname, '..', '.blocks');

/** Fence tags that are run (`ts`), validated (`json`) or only shown. */
const RUN = new Set(['ts', 'typescript']);
const JSON_TAGS = new Set(['json']);
const SHOWN = new Set(['text', 'sh', 'console', 'jsonc']);

/** One fenced block: its tag, its body and where its first line is (1-based). */
interface Block {
  readonly file: string;
  readonly line: number;
  readonly tag: string;
  readonly code: string;
}

/** The fenced blocks of one Markdown file (fences may be indented; the indent is removed). */
function extractBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const indent = open[1]?.length ?? 0;
    const fence = open[2] ?? '```';
    const tag = (open[3] ?? '').trim().split(/\s+/)[0] ?? '';
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] ?? '';
      if (l.trim().startsWith(fence) && l.trim().replace(/`/g, '') === '') break;
      body.push(l.slice(Math.min(indent, l.length - l.trimStart().length)));
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: code fence never closed`);
    out.push({ file, line: i + 2, tag, code: body.join('\n') });
    i = j;
  }
  return out;
}

/** README.md and every docs/*.md, relative to the repository root. */
function docFiles(): string[] {
  const dir = join(root, 'docs');
  if (!existsSync(dir)) return ['README.md'];
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** TCP servers and sockets this process holds (open listeners and connections). */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap')
    .length;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A renderer for blocks that draw: it does nothing. */
function draw(_state: unknown, _tick?: number): void {}

const blocks = docFiles().flatMap((f) => extractBlocks(f, readFileSync(join(root, f), 'utf8')));
const runnable = blocks.filter((b) => RUN.has(b.tag));

/** The module a block is written to. */
const modulePath = (b: Block): string =>
  join(blocksDir, `${b.file.replace(/[^A-Za-z0-9]+/g, '-')}-L${b.line}.ts`);

/** Declarations of the globals blocks may use, for the type check. */
const GLOBALS_DTS = 'declare function draw(state: unknown, tick?: number): void;\n';

/** The tsconfig of the type check: the repository's strict settings, over the blocks only. */
const TSCONFIG = {
  extends: '../../../tsconfig.base.json',
  compilerOptions: { types: ['node'], noEmit: true },
  include: ['*.ts'],
};

beforeAll(() => {
  rmSync(blocksDir, { recursive: true, force: true });
  mkdirSync(blocksDir, { recursive: true });
  for (const b of runnable) writeFileSync(modulePath(b), `${b.code}\nexport {};\n`);
  writeFileSync(join(blocksDir, 'globals.d.ts'), GLOBALS_DTS);
  writeFileSync(join(blocksDir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  (globalThis as { draw?: typeof draw }).draw = draw;
});

afterAll(() => {
  rmSync(blocksDir, { recursive: true, force: true });
});

describe('docs code blocks', () => {
  it('finds the docs and their blocks', () => {
    expect(docFiles()).toContain('README.md');
    expect(runnable.length).toBeGreaterThan(0);
  });

  it('every ts block type-checks (strict, as the packages are)', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(
      process.execPath,
      [tsc, '-p', join(blocksDir, 'tsconfig.json'), '--pretty', 'false'],
      {
        encoding: 'utf8',
      },
    );
    // Only diagnostics in the blocks count: the packages have their own typecheck.
    expect(run.error).toBeUndefined();
    const problems: string[] = [];
    for (const line of run.stdout.split('\n')) {
      if (line.startsWith('error TS')) problems.push(line); // the configuration itself
      const m = /^(.*\.blocks[\\/][^(]+)\((\d+),(\d+)\): (error .*)$/.exec(line);
      if (m === null) continue;
      const b = runnable.find((x) => modulePath(x).endsWith(m[1]?.replace(/^.*\.blocks[\\/]/, '') ?? '?'));
      problems.push(b === undefined ? line : `${b.file}:${b.line + Number(m[2]) - 1}: ${m[4]}`);
    }
    expect(problems).toEqual([]);
  });

  for (const b of blocks) {
    const where = `${b.file}:${b.line}`;
    if (RUN.has(b.tag)) {
      it(`${where} runs`, async () => {
        const path = modulePath(b);
        const before = openSockets();
        try {
          await import(pathToFileURL(path).href);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new Error(`${where} (${relative(root, path)}) threw: ${message}`, { cause: error });
        }
        // Sockets close asynchronously after stop(): give them a moment.
        for (let i = 0; i < 50 && openSockets() > before; i++) await sleep(50);
        expect(
          openSockets(),
          `${where} left a TCP server or socket open: stop what it starts`,
        ).toBeLessThanOrEqual(before);
      });
    } else if (JSON_TAGS.has(b.tag)) {
      it(`${where} is valid JSON${b.code.includes('"peers"') ? ' and a valid scenario' : ''}`, () => {
        let value: unknown;
        try {
          value = JSON.parse(b.code);
        } catch (error) {
          throw new Error(`${where}: not JSON: ${(error as Error).message}`);
        }
        if (value !== null && typeof value === 'object' && 'peers' in value) {
          try {
            parseScenario(value);
          } catch (error) {
            throw new Error(`${where}: not a valid scenario: ${(error as Error).message}`);
          }
        }
      });
    } else if (!SHOWN.has(b.tag)) {
      it(`${where} has a known tag`, () => {
        throw new Error(
          `${where}: code block tagged '${b.tag}': use ts (run), json (validated) or text/sh/console/jsonc (shown)`,
        );
      });
    }
  }
});
