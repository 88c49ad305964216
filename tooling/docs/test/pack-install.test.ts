/**
 * The published packages work for someone outside the repository. For every publishable
 * package (`packages/*` without `"private": true`) it checks the manifest, builds the package,
 * packs it with `npm pack`, installs the tarballs into a fresh project in the system temp
 * folder (outside the workspace, so nothing resolves to the sources), and there:
 *
 * - runs the root README's "A complete app" example on Node, as the README shows it;
 * - type-checks that example against the packed `.d.ts` files;
 * - `require()`s every package from a CommonJS script;
 * - runs the installed `symmetric-sim` CLI on a scenario the package ships;
 * - bundles a browser peer (`@symmetric/core` + `@symmetric/peer` + `@symmetric/transport-ws`)
 *   with Vite and checks that the bundle holds no `node:` import.
 *
 * Installing prefers the npm cache (`--prefer-offline`); the registry is asked only for what the
 * cache lacks. Progress lines start with `[pack]`.
 */
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

/** The fields of a package manifest this test reads. */
interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly description?: string;
  readonly license?: string;
  readonly type?: string;
  readonly main?: string;
  readonly types?: string;
  readonly files?: readonly string[];
  readonly bin?: Record<string, string>;
  readonly exports?: Record<string, unknown>;
  readonly engines?: { readonly node?: string };
  readonly dependencies?: Record<string, string>;
}

/** A publishable package: its folder under `packages/` and its manifest. */
interface Publishable {
  readonly dir: string;
  readonly manifest: Manifest;
}

/** The condition under which the repository resolves a package to its TypeScript sources. */
const SOURCE_CONDITION = '@symmetric/source';

/** Non-private packages under `packages/` that have a barrel (`src/index.ts`). */
function publishable(): Publishable[] {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .sort()
    .filter((d) => existsSync(join(dir, d, 'package.json')) && existsSync(join(dir, d, 'src', 'index.ts')))
    .map((d) => ({ dir: `packages/${d}`, manifest: readJson<Manifest>(join(dir, d, 'package.json')) }))
    .filter((p) => p.manifest.private !== true);
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every `[condition path, target]` of an `exports` entry (nested conditions joined by `>`). */
function targets(entry: unknown, path = ''): [string, string][] {
  if (typeof entry === 'string') return [[path, entry]];
  if (entry === null || typeof entry !== 'object') return [];
  return Object.entries(entry).flatMap(([k, v]) => targets(v, path === '' ? k : `${path}>${k}`));
}

/** What a consumer's resolver may land on: every target but the repository's source ones. */
function consumerTargets(m: Manifest): [string, string][] {
  const out: [string, string][] = [];
  for (const [subpath, entry] of Object.entries(m.exports ?? {})) {
    if (subpath === './package.json') continue;
    for (const [cond, target] of targets(entry)) {
      if (!cond.split('>').includes(SOURCE_CONDITION)) out.push([`${subpath} [${cond}]`, target]);
    }
  }
  return out;
}

/** The environment for a child npm / node: without the variables npm sets for the script running this test. */
function childEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('npm_') && !keep.has(k)) continue;
    if (k === 'NODE_ENV' || k.startsWith('VITEST') || k === 'TEST') continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0' };
}

/** Runs a command to completion; throws with its output when it fails. */
function run(cmd: string, args: readonly string[], options: SpawnSyncOptions & { cwd: string }): string {
  const started = Date.now();
  const r = spawnSync(cmd, args, { env: childEnv(), encoding: 'utf8', timeout: 240_000, ...options });
  const out = `${String(r.stdout ?? '')}${String(r.stderr ?? '')}`;
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${options.cwd}) failed (${r.error?.message ?? `exit ${r.status}`}):\n${out}`,
    );
  }
  console.log(
    `[pack] ${cmd.split('/').pop()} ${args.slice(0, 3).join(' ')}${args.length > 3 ? ' ...' : ''}: ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return String(r.stdout ?? '');
}

/** The files below `dir`, relative to it (`a/b.js`). */
function walk(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/**
 * Removes build outputs in `dist/` whose source file is gone (`tsc` never deletes them), so a
 * tarball holds only what the current sources compile to. Returns what it removed.
 */
function removeStaleOutputs(pkgDir: string): string[] {
  const removed: string[] = [];
  for (const f of walk(join(pkgDir, 'dist'))) {
    const stem = /^(.+?)(?:\.d\.ts|\.js)(?:\.map)?$/.exec(f)?.[1];
    if (stem === undefined || existsSync(join(pkgDir, 'src', `${stem}.ts`))) continue;
    rmSync(join(pkgDir, 'dist', f));
    removed.push(`${pkgDir}/dist/${f}`);
  }
  return removed;
}

/** The first `ts` code block after the README heading `heading`. */
function readmeExample(heading: string): string {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const section = text.split(`\n## ${heading}\n`)[1];
  const block = section === undefined ? null : /\n```ts\n([\s\S]*?)\n```/.exec(section);
  if (block?.[1] === undefined) throw new Error(`README.md has no ts block under '## ${heading}'`);
  return block[1];
}

const packages = publishable();
let work = '';
let tarballs: string[] = [];
let project = '';
let packed: { name: string; filename: string; files: { path: string }[] }[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'symmetric-pack-'));
  project = join(work, 'app');
  console.log(`[pack] ${packages.length} packages, working in ${work}`);
});

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('published packages, installed outside the workspace', { timeout: 300_000 }, () => {
  it('finds the publishable packages', () => {
    expect(packages.map((p) => p.manifest.name)).toEqual(
      expect.arrayContaining(['@symmetric/core', '@symmetric/peer', '@symmetric/transport-ws']),
    );
  });

  it('every manifest points consumers at dist, with a license and a description', () => {
    const problems: string[] = [];
    for (const { dir, manifest: m } of packages) {
      const say = (what: string): void => {
        problems.push(`${dir}/package.json: ${what}`);
      };
      if (m.license !== 'MIT') say(`license is ${m.license}, not MIT`);
      if ((m.description ?? '').length < 20) say('no description');
      if (m.type !== 'module') say('type is not module');
      if (m.engines?.node === undefined) say('no engines.node');
      if (!m.main?.startsWith('./dist/')) say(`main ${m.main} is not in dist`);
      if (!m.types?.startsWith('./dist/') || !m.types.endsWith('.d.ts'))
        say(`types ${m.types} is not a dist .d.ts`);
      if (!m.files?.includes('dist')) say('files does not list dist');
      if (m.exports?.['./internal/*'] !== null) say('exports lacks "./internal/*": null');
      for (const [subpath, entry] of Object.entries(m.exports ?? {})) {
        if (entry !== null && typeof entry === 'object' && 'import' in entry && !('default' in entry)) {
          say(`exports ${subpath} has "import" but no "default": require() from CommonJS fails`);
        }
      }
      for (const [where, target] of consumerTargets(m)) {
        if (!target.startsWith('./dist/'))
          say(`exports ${where} -> ${target}: consumers would load a file outside dist`);
        if (where.includes('types') && !target.endsWith('.d.ts'))
          say(`exports ${where} -> ${target} is not a .d.ts`);
      }
      for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
        if (range.startsWith('workspace:') || range.startsWith('file:'))
          say(`dependency ${dep}@${range} cannot be installed`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('builds and packs every package; each tarball holds what its manifest points at', () => {
    const filters = packages.map((p) => `--filter=${p.manifest.name}`);
    run(
      join(root, 'node_modules', '.bin', 'turbo'),
      ['run', 'build', ...filters, '--output-logs=errors-only'],
      { cwd: root },
    );
    const stale = packages.flatMap((p) => removeStaleOutputs(join(root, p.dir)));
    if (stale.length > 0) console.log(`[pack] removed outputs of deleted sources: ${stale.join(', ')}`);
    const dest = join(work, 'tarballs');
    mkdirSync(dest, { recursive: true });
    const workspaces = packages.flatMap((p) => ['-w', p.dir]);
    const json = run(
      'npm',
      ['pack', '--pack-destination', dest, '--json', '--loglevel=error', ...workspaces],
      { cwd: root },
    );
    packed = JSON.parse(json) as typeof packed;
    tarballs = packed.map((p) => join(dest, p.filename));
    expect(packed.map((p) => p.name).sort()).toEqual(packages.map((p) => p.manifest.name).sort());
    const problems: string[] = [];
    for (const { manifest: m } of packages) {
      const files = new Set(packed.find((p) => p.name === m.name)?.files.map((f) => f.path));
      const need = ['package.json', 'README.md', 'LICENSE', m.main, m.types, ...Object.values(m.bin ?? {})];
      for (const [, target] of consumerTargets(m)) need.push(target);
      for (const f of need) {
        if (f !== undefined && !files.has(f.replace(/^\.\//, '')))
          problems.push(`${m.name}: tarball lacks ${f}`);
      }
      for (const f of files) {
        if (/^(test|bench|checks|scripts)\//.test(f) || f.endsWith('.tsbuildinfo'))
          problems.push(`${m.name}: tarball ships ${f}`);
        const js = /^dist\/(.*)\.js$/.exec(f);
        if (js !== null && !files.has(`src/${js[1]}.ts`))
          problems.push(`${m.name}: ${f} has no source (a stale build?)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('installs the tarballs into a fresh project', () => {
    expect(tarballs.length).toBe(packages.length);
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'stranger', private: true, type: 'module' }),
    );
    const typesNode = readJson<Manifest>(
      join(root, 'node_modules', '@types', 'node', 'package.json'),
    ).version;
    run(
      'npm',
      [
        'install',
        ...tarballs,
        `@types/node@${typesNode}`,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      {
        cwd: project,
      },
    );
    for (const p of packages)
      expect(existsSync(join(project, 'node_modules', p.manifest.name, 'dist'))).toBe(true);
  });

  it("runs the root README's complete app on Node and type-checks it against the packed types", () => {
    const example = readmeExample('A complete app');
    const file = join(project, 'readme-example.ts');
    writeFileSync(
      file,
      [
        'const draw = (_state: unknown, _tick?: number): void => {};',
        example,
        "console.log('README example: totals', a.state.total, b.state.total);",
      ].join('\n'),
    );
    const out = run(process.execPath, [file], { cwd: project, timeout: 60_000 });
    expect(out).toContain('README example: totals 5 5');
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          strict: true,
          noEmit: true,
          types: ['node'],
          skipLibCheck: true,
        },
        files: ['readme-example.ts'],
      }),
    );
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
      cwd: project,
    });
  });

  it('every package loads from CommonJS too (require of an ES module, Node 22.12+)', () => {
    const file = join(project, 'require-all.cjs');
    const names = packages.map((p) => p.manifest.name);
    writeFileSync(
      file,
      `for (const name of ${JSON.stringify(names)}) {\n` +
        '  const m = require(name);\n' +
        "  if (Object.keys(m).length === 0) throw new Error(name + ' exports nothing');\n" +
        '}\n' +
        "console.log('required', " +
        `${names.length}` +
        ", 'packages');\n",
    );
    expect(run(process.execPath, [file], { cwd: project })).toContain(`required ${names.length} packages`);
  });

  it('the installed symmetric-sim CLI runs a scenario the package ships', () => {
    const bin = join(project, 'node_modules', '.bin', 'symmetric-sim');
    const scenario = join(
      project,
      'node_modules',
      '@symmetric',
      'sim',
      'scenarios',
      'paper-50ms-25pm-2x.json',
    );
    const out = run(bin, ['run', scenario, '--quiet'], { cwd: project, timeout: 60_000 });
    expect(out).toMatch(/^scenario\s+paper-50ms-25pm-2x/m);
  });

  it('bundles a browser peer with Vite, with no node: import in the bundle', () => {
    const dir = join(project, 'web');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><script type="module" src="./main.ts"></script>\n',
    );
    writeFileSync(
      join(dir, 'main.ts'),
      [
        "import { type App, stateHash } from '@symmetric/core';",
        "import { createPeer } from '@symmetric/peer';",
        "import { webSocketTransport } from '@symmetric/transport-ws';",
        'type Counter = { total: number };',
        'const counter: App<Counter, number> = { init: () => ({ total: 0 }), tick: () => {}, event: (s, n) => { s.total += n; } };',
        "const peer = createPeer({ app: counter, transports: [webSocketTransport()], room: 'demo', delay: 100, dial: ['ws://127.0.0.1:8080'] });",
        "peer.on('render', (state) => { document.title = String(state.total) + ' ' + String(stateHash(state)); });",
        'void peer.start();',
      ].join('\n'),
    );
    const vite = pathToFileURL(join(root, 'node_modules', 'vite', 'dist', 'node', 'index.js')).href;
    const script = join(project, 'bundle.mjs');
    writeFileSync(
      script,
      `import { build } from ${JSON.stringify(vite)};\n` +
        `await build({ root: ${JSON.stringify(dir)}, configFile: false, logLevel: 'warn', build: { outDir: 'dist', minify: false } });\n`,
    );
    run(process.execPath, [script], { cwd: project });
    const assets = join(dir, 'dist', 'assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    const bundle = js.map((f) => readFileSync(join(assets, f), 'utf8')).join('\n');
    expect(bundle).toContain('createPeer');
    expect(bundle.match(/(?:from|import|require)\s*\(?\s*["']node:[^"']+["']/g) ?? []).toEqual([]);
    expect(bundle).not.toContain('__vite-browser-external');
    console.log(
      `[pack] browser bundle: ${js.length} file(s), ${(bundle.length / 1024).toFixed(0)} KiB unminified`,
    );
  });
});
