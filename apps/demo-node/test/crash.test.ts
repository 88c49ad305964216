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
  /** The first state printed (right after a resume). */
  first: string[] | undefined;
  /** The state printed after a SIGTERM stopped it. */
  final: string[] | undefined;
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
    else if (kind === 'state') {
      this.state = JSON.parse(rest.join(' ')) as string[];
      this.first ??= this.state;
    } else if (kind === 'final') this.final = JSON.parse(rest.join(' ')) as string[];
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

describe('peer processes with node:sqlite stores', () => {
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
    for (const p of [a, b]) await p.until(() => p.state.length > aAll.length + 20, '20 events past them');
    const settled = Math.min(a.state.length, b.state.length) - 20;
    expect(settled).toBeGreaterThan(aAll.length);
    expect(a.state.slice(0, settled)).toEqual(b.state.slice(0, settled));
    a.kill('SIGTERM');
    b.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  }, 60_000);

  it('every peer of a room stops; one restarts alone and shows the last state; the others restart and all converge', async () => {
    const path = (name: string) => join(dir, `room-${name}.db`);
    const a = new PeerProcess('a', path('a'), 0);
    await a.until(() => a.address !== '', 'a ready');
    const b = new PeerProcess('b', path('b'), 0, a.address);
    const c = new PeerProcess('c', path('c'), 0, a.address);
    await b.until(() => b.durable.length >= 10, 'b emitting');
    await c.until(() => c.durable.length >= 10 && a.durable.length >= 10, 'all emitting');
    // b's state holds ten events of each peer before the room stops (events still on their way,
    // or stamped for a tick b has not reached, are not in a state yet).
    const heard = [a, b, c].flatMap((p) => p.durable.slice(0, 10));
    await b.until(() => heard.every((x) => b.state.includes(x)), 'b holding ten events of each');
    const port = portOf(b.address);
    for (const p of [a, b, c]) p.kill('SIGTERM');
    for (const p of [a, b, c]) expect(await p.exited).toBe(0);
    const lastB = b.final!;
    for (const x of heard) expect(lastB).toContain(x);
    // b alone: its first state is the room as it left it (then its own new events follow).
    const b2 = new PeerProcess('b', path('b'), port);
    await b2.until(() => b2.first !== undefined, 'b resumed');
    expect(b2.first!.slice(0, lastB.length)).toEqual(lastB);
    await b2.until(() => b2.durable.length >= 5, 'b emitting alone');
    // a and c come back, dialling b: all three end on one log holding every durable event.
    const a2 = new PeerProcess('a', path('a'), 0, b2.address);
    const c2 = new PeerProcess('c', path('c'), 0, b2.address);
    const every = [...a.durable, ...b.durable, ...c.durable];
    await a2.until(() => a2.durable.length >= 10, 'a emitting again');
    await c2.until(() => c2.durable.length >= 10, 'c emitting again');
    const all = [...every, ...b2.durable.slice(0, 5), ...a2.durable.slice(0, 5), ...c2.durable.slice(0, 5)];
    for (const p of [a2, b2, c2])
      await p.until(
        () => p.state.length > every.length + 30 && all.every((x) => p.state.includes(x)),
        'every event held, and 30 more past the events from before the stop',
      );
    const settled = Math.min(a2.state.length, b2.state.length, c2.state.length) - 30;
    expect(settled).toBeGreaterThan(every.length);
    expect(a2.state.slice(0, settled)).toEqual(b2.state.slice(0, settled));
    expect(c2.state.slice(0, settled)).toEqual(b2.state.slice(0, settled));
    for (const p of [a2, b2, c2]) p.kill('SIGTERM');
    for (const p of [a2, b2, c2]) expect(await p.exited).toBe(0);
  }, 90_000);
});
