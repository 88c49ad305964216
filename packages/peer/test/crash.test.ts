import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Peer processes (this repository's Node, `process.execPath`) on 127.0.0.1 over WebSocket, each
 * with its node:sqlite store in a file: one is killed with SIGKILL while it emits, and restarted
 * with its store. The fixture is bundled from source with Vite first.
 */

const dir = mkdtempSync(join(tmpdir(), 'symmetric-peer-crash-'));
let script = '';
const children = new Set<ChildProcess>();

beforeAll(async () => {
  await build({
    configFile: false,
    logLevel: 'warn',
    resolve: { conditions: ['@symmetric/source', 'import', 'node', 'default'] },
    ssr: { noExternal: true, resolve: { conditions: ['@symmetric/source', 'node', 'import', 'default'] } },
    build: {
      ssr: join(import.meta.dirname, 'fixtures', 'crash-peer.ts'),
      outDir: join(dir, 'bundle'),
      emptyOutDir: true,
      minify: false,
      rolldownOptions: { external: [/^node:/], output: { entryFileNames: 'peer.mjs', format: 'es' } },
    },
  });
  script = join(dir, 'bundle', 'peer.mjs');
}, 120_000);

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** One peer process and what it printed. */
class PeerProcess {
  readonly durable: string[] = [];
  state: string[] = [];
  address = '';
  source = '';
  private readonly child: ChildProcess;
  private stderr = '';
  private readonly waiters: (() => void)[] = [];
  readonly exited: Promise<NodeJS.Signals | number | null>;

  constructor(name: string, path: string, port: number, dial?: string) {
    const args = [script, name, path, String(port), ...(dial === undefined ? [] : [dial])];
    this.child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(this.child);
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        children.delete(this.child);
        resolve(signal ?? code);
      }),
    );
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    let buffered = '';
    this.child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.line(line);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  private line(line: string): void {
    const [kind, ...rest] = line.split(' ');
    if (kind === 'ready') [this.address, this.source] = rest as [string, string];
    else if (kind === 'durable') this.durable.push(rest.join(' '));
    else if (kind === 'state') this.state = JSON.parse(rest.join(' ')) as string[];
  }

  /** Resolves once `ok()` holds (checked after each output), rejects after `ms`. */
  until(ok: () => boolean, what: string, ms = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`)),
        ms,
      );
      const check = (): void => {
        if (ok()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

const portOf = (address: string): number => Number(/:(\d+)/.exec(address)?.[1]);

describe('a peer process with a node:sqlite store', () => {
  it('killed with SIGKILL mid-run and restarted resumes the same source, loses none of its durable events, and the room converges', async () => {
    const pathA = join(dir, 'a.db');
    let a = new PeerProcess('a', pathA, 0);
    await a.until(() => a.address !== '', 'a ready');
    const b = new PeerProcess('b', join(dir, 'b.db'), 0, a.address);
    await b.until(() => b.durable.length >= 5, 'b emitting');
    await a.until(() => a.durable.length >= 15, 'a emitting');
    a.kill('SIGKILL'); // while it emits: the next events are being queued and written
    expect(await a.exited).toBe('SIGKILL');
    const before = { source: a.source, durable: [...a.durable], port: portOf(a.address) };
    // Restarted with its store, on its port (b redials it).
    a = new PeerProcess('a', pathA, before.port);
    await a.until(() => a.source !== '', 'a restarted');
    expect(a.source).toBe(before.source);
    // Every event the crashed process reported durable is in the resumed state at once ...
    await a.until(() => a.state.length > 0, 'a state');
    for (const p of before.durable) expect(a.state).toContain(p);
    // ... it emits on from there, and both peers end with the same log holding all of them.
    await a.until(() => a.durable.length >= 10, 'a emitting again');
    const aAll = [...before.durable, ...a.durable.slice(0, 10)];
    // Own seqs continued: the resumed numbering goes on from what the store held.
    expect(new Set(aAll).size).toBe(aAll.length);
    // b holds every one of them, and both order the room's events the same way (their logs
    // agree but for the last events, still on their way while both keep emitting).
    await b.until(() => aAll.every((p) => b.state.includes(p)), 'b holding all of a');
    await a.until(() => a.state.length >= b.state.length, 'a catching up');
    const settled = Math.min(a.state.length, b.state.length) - 20;
    expect(settled).toBeGreaterThan(aAll.length);
    expect(a.state.slice(0, settled)).toEqual(b.state.slice(0, settled));
    a.kill('SIGTERM');
    b.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  }, 60_000);
});
