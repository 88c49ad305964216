/**
 * The API reference builds without a single TypeDoc warning: every exported symbol has a doc
 * comment, every type a public member mentions is exported, every `{@link}` resolves and every
 * relative link of a README points at a file TypeDoc can copy. It runs `typedoc` with the
 * repository's `typedoc.json` (warnings are errors there) into a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

/** ANSI colour codes TypeDoc may put around its log levels. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

describe('API reference (TypeDoc)', () => {
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
