/**
 * The API reference builds without a single TypeDoc warning: every exported symbol has a doc
 * comment, every type a public member mentions is exported, every `{@link}` resolves and every
 * relative link of a README points at a file TypeDoc can copy. It runs `typedoc` with the
 * repository's `typedoc.json` (warnings are errors there) into a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

/** ANSI colour codes TypeDoc may put around its log levels. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The `packages/*` folders whose package is published (not private) and has a barrel. */
function publishedPackages(): string[] {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, 'src', 'index.ts')) && existsSync(join(dir, d, 'package.json')))
    .filter(
      (d) =>
        (JSON.parse(readFileSync(join(dir, d, 'package.json'), 'utf8')) as { private?: boolean }).private !==
        true,
    )
    .map((d) => `packages/${d}`)
    .sort();
}

describe('API reference (TypeDoc)', () => {
  it('documents every published package (typedoc.json lists them all)', () => {
    const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
    expect([...config.entryPoints].sort()).toEqual(publishedPackages());
  });

  it('builds with no warnings and documents every package', { timeout: 180_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'symmetric-typedoc-'));
    try {
      const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
      const run = spawnSync(process.execPath, [typedoc, '--out', out, '--logLevel', 'Warn'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      expect(run.error).toBeUndefined();
      const log = `${run.stdout}\n${run.stderr}`.replace(ANSI, '');
      const problems = log.split('\n').filter((l) => /\[(warning|error)\]/.test(l));
      expect(problems).toEqual([]);
      expect(run.status, log).toBe(0);
      const modules = readdirSync(join(out, 'modules'));
      for (const page of [
        '_symmetric_core.html',
        '_symmetric_peer.html',
        '_symmetric_transport-ws.html',
        '_symmetric_sim._symmetric_sim_driver.html',
        '_symmetric_transport._symmetric_transport_conformance.html',
      ]) {
        expect(modules).toContain(page);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
