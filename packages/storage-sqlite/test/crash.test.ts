import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/index.js';
import { payload } from './fixtures/payload.js';
import { damageSqliteStore } from './hooks.js';

/**
 * A child process (this repository's Node, `process.execPath`) appends own events to a SQLite
 * store and reports each durable burst on stdout; the parent kills it with SIGKILL in the middle
 * of its writes and reopens the file. The writer is bundled from source with Vite first.
 */

const dir = mkdtempSync(join(tmpdir(), 'symmetric-sqlite-crash-'));
const scope = { room: 'crash', appId: 'crash-app' };
let writer = '';

beforeAll(async () => {
  await build({
    configFile: false,
    logLevel: 'warn',
    resolve: {
      alias: { '@symmetric/storage': join(import.meta.dirname, '..', '..', 'storage', 'src', 'index.ts') },
    },
    ssr: { noExternal: true },
    build: {
      ssr: join(import.meta.dirname, 'fixtures', 'crash-writer.ts'),
      outDir: join(dir, 'bundle'),
      emptyOutDir: true,
      minify: false,
      rolldownOptions: { external: [/^node:/], output: { entryFileNames: 'writer.mjs', format: 'es' } },
    },
  });
  writer = join(dir, 'bundle', 'writer.mjs');
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer on `path` until it has reported `reports` durable bursts, then SIGKILLs it. */
async function runAndKill(path: string, reports: number): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, [writer, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lastDurable = 0;
  let seen = 0;
  let stderr = '';
  let buffered = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^durable (\d+)$/.exec(line);
        if (m === null) continue;
        lastDurable = Number(m[1]);
        if (++seen === reports) {
          child.kill('SIGKILL'); // mid-run: the next bursts are being queued and written
          resolve();
        }
      }
    });
    child.on('exit', () => reject(new Error(`the writer exited early: ${stderr}`)));
  }).catch((e: unknown) => {
    if (seen < reports) throw e;
  });
  expect(await exited).toBe('SIGKILL');
  return lastDurable;
}

describe('a SQLite store killed with SIGKILL mid-write', () => {
  let path = '';
  let durable = 0;

  beforeAll(async () => {
    path = join(dir, 'killed.db');
    durable = await runAndKill(path, 300);
    expect(existsSync(`${path}-wal`)).toBe(true); // killed before any clean close
    // Copies of the files as the kill left them, for the tearing checks below.
    for (const copy of ['torn.db', 'torn-record.db']) {
      copyFileSync(path, join(dir, copy));
      copyFileSync(`${path}-wal`, join(dir, `${copy}-wal`));
    }
  }, 60_000);

  it('reopens cleanly and holds every append reported durable, byte for byte', async () => {
    expect(durable).toBeGreaterThan(300);
    const store = await openSqliteStore({ ...scope, path });
    const state = await store.load();
    await store.close();
    expect(state.dropped).toEqual([]);
    expect(state.identity?.peerId).toBe('me');
    const own = state.events.filter((e) => e.source === 'me');
    expect(state.ownLastSeq).toBeGreaterThanOrEqual(durable);
    expect(own.length).toBe(state.ownLastSeq); // a contiguous prefix: nothing missing in between
    own.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.bytes).toEqual(payload(e.seq));
    });
    expect(state.snapshot?.frontier.get('other')).toBeGreaterThan(0);
  });

  it('a WAL cut short inside its last frame: the store opens cleanly, an intact prefix of the appends', async () => {
    const torn = join(dir, 'torn.db');
    const size = statSync(`${torn}-wal`).size;
    truncateSync(`${torn}-wal`, Math.max(32, size - 1000)); // a write torn by a power loss
    const store = await openSqliteStore({ ...scope, path: torn });
    const state = await store.load();
    await store.close();
    expect(state.dropped).toEqual([]);
    const own = state.events.filter((e) => e.source === 'me');
    own.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.bytes).toEqual(payload(e.seq));
    });
    expect(state.ownLastSeq).toBeGreaterThanOrEqual(own.length);
  });

  it('a torn last record: dropped and reported, everything else loads', async () => {
    const torn = join(dir, 'torn-record.db');
    const before = await openSqliteStore({ ...scope, path: torn });
    const intact = await before.load();
    await before.close();
    expect(damageSqliteStore(torn, 'tear-last-event')).toBe(true);
    const store = await openSqliteStore({ ...scope, path: torn });
    const state = await store.load();
    await store.close();
    expect(state.dropped).toHaveLength(1);
    expect(state.dropped[0]?.reason).toMatch(/cut short|checksum|bytes/);
    expect(state.events).toHaveLength(intact.events.length - 1);
    expect(state.ownLastSeq).toBe(intact.ownLastSeq); // the own seq is never reused, even if its event is lost
  });
});
