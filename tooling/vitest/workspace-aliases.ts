import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root (tooling/vitest/../..). */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The `@symmetric/source` target of one `exports` entry, when it names a single file. */
function sourceTarget(entry: unknown): string | undefined {
  if (entry === null || typeof entry !== 'object') return undefined;
  const target = (entry as Record<string, unknown>)['@symmetric/source'];
  return typeof target === 'string' ? target : undefined;
}

/**
 * Maps every workspace package name (`@symmetric/*`) to its `src/index.ts`, and every subpath
 * export with a `@symmetric/source` condition (`@symmetric/sim/driver`, ...) to that source
 * file, so tests import sibling packages from source and need no build step (the tRPC habit).
 */
export function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const out: { find: RegExp; replacement: string }[] = [];
  for (const group of ['packages', 'apps']) {
    const dir = join(repoRoot, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const pkgJson = join(dir, name, 'package.json');
      const entry = join(dir, name, 'src', 'index.ts');
      if (!existsSync(pkgJson) || !existsSync(entry)) continue;
      const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { name: string; exports?: unknown };
      const exports = (pkg.exports ?? {}) as Record<string, unknown>;
      for (const [subpath, target] of Object.entries(exports)) {
        const source = sourceTarget(target);
        if (subpath === '.' || !subpath.startsWith('./') || subpath.includes('*') || source === undefined)
          continue;
        out.push({
          find: new RegExp(`^${literalPattern(`${pkg.name}/${subpath.slice(2)}`)}$`),
          replacement: join(dir, name, source),
        });
      }
      out.push({ find: new RegExp(`^${literalPattern(pkg.name)}$`), replacement: entry });
    }
  }
  return out;
}

/** `text` as a literal regular expression. */
function literalPattern(text: string): string {
  return text.replace(/[/\\^$*+?.()|[\]{}-]/g, '\\$&');
}
