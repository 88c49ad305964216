/** What the CLI tests share: scenario files in a temp folder, a CLI run with its output, a small ring. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'symmetric-sim-cli-'));

/** A path in the temp folder (no file is written). */
export function tempPath(name: string): string {
  return join(dir, name);
}

/** Writes `content` (JSON, or a string as is) to a temp file and returns its path. */
export function file(name: string, content: unknown): string {
  const path = tempPath(name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Runs `symmetric-sim <args>` in process: exit code, stdout and stderr. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['node', 'symmetric-sim', ...args], {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

/** A small ring scenario that converges in well under a second. */
export const small = {
  name: 'cli-small',
  peers: 5,
  topology: { kind: 'ring' },
  fps: 50,
  durationS: 20,
  warmupS: 2,
  quietTailS: 5,
  latency: { dist: 'normal', meanMs: 30, sdMs: 6 },
  delay: { ms: 200 },
  events: { perMinute: 120 },
};
