import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root (tooling/vitest/../..). */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * Maps every workspace package name (`@symmetric/*`) to its `src/index.ts`, so tests import
 * sibling packages from source and need no build step (the tRPC habit).
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
      const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { name: string };
      const escaped = pkg.name.replace(/[/\\^$*+?.()|[\]{}-]/g, '\\$&');
      out.push({ find: new RegExp(`^${escaped}$`), replacement: entry });
    }
  }
  return out;
}
