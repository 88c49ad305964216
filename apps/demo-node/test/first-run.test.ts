import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PeerNode, runCli, startPeerNode } from '../src/index.js';
import { Capture, until } from './helpers.js';

// What a new user meets in the first minutes: the CLI before a build, --help, --version, a port
// already taken, a hub that is not there, and Node peers showing up on the pages.

const launcher = join(import.meta.dirname, '..', 'bin', 'symmetric-demo.js');
const temp = mkdtempSync(join(tmpdir(), 'demo-node-first-run-'));
const nodes: PeerNode[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(temp, { recursive: true, force: true });
});

/** Runs a copy of the launcher in `dir/bin/` (so `../dist/cli.js` is `dir/dist/cli.js`). */
function runLauncher(dir: string): { status: number | null; stderr: string; stdout: string } {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(launcher, join(dir, 'bin', 'symmetric-demo.js'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'symmetric-demo.js'), 'start'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('the CLI before a build', () => {
  it('says in one line how to build when dist/ is missing', () => {
    const r = runLauncher(join(temp, 'unbuilt'));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'symmetric-demo is not built yet: run `npm run build` in the repository root first (or `npm run demo`, which builds everything and starts the demo).',
    ]);
  });

  it('says the same when the CLI is built but a package it imports is not', () => {
    const dir = join(temp, 'half-built');
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'cli.js'), "import '../../nowhere/dist/index.js';\n");
    const r = runLauncher(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('symmetric-demo is not built yet');
    expect(r.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('--help and --version', () => {
  it('the default command’s help names the peer command', async () => {
    const top = new Capture();
    expect(await runCli(['--help'], { out: top, err: top })).toBe(0);
    expect(top.text).toMatch(/^\s+peer \[options\]\s+run one peer/m);
    // `npm run start -- --help` shows the default command's help: it names the other command too.
    const start = new Capture();
    expect(await runCli(['start', '--help'], { out: start, err: start })).toBe(0);
    expect(start.text).toMatch(/^\s+peer\s+one peer per process/m);
    expect(start.text).toContain('symmetric-demo peer --help');
  });

  it('--version prints the package version, on the program and on both commands', async () => {
    for (const argv of [['--version'], ['start', '--version'], ['peer', '-V']]) {
      const out = new Capture();
      expect(await runCli(argv, { out, err: out }), argv.join(' ')).toBe(0);
      expect(out.text.trim(), argv.join(' ')).toBe('0.1.0');
    }
  });
});

describe('a port already in use', () => {
  it('libp2p: one line, no stack, no libp2p advice', async () => {
    const first = await startPeerNode({ transport: 'libp2p', port: 0 });
    nodes.push(first);
    const port = Number(/\/tcp\/(\d+)/.exec(first.addresses[0]!)?.[1]);
    const out = new Capture();
    const code = await runCli(
      ['peer', '--transport', 'libp2p', '--listen', String(port), '--keys', 'none', '--plain'],
      { out, err: out, onSignal: () => () => {} },
    );
    expect(code).toBe(1);
    expect(out.text.trim().split('\n')).toEqual([
      `error: cannot listen on 127.0.0.1:${port}: the port is in use (pick another --listen port, or 0 for a free one) (START_FAILED)`,
    ]);
  });

  it('ws: the same sentence', async () => {
    const first = await startPeerNode({ port: 0, web: false });
    nodes.push(first);
    const port = Number(new URL(first.addresses[0]!).port);
    await expect(startPeerNode({ port, web: false })).rejects.toMatchObject({
      code: 'START_FAILED',
      message: `cannot listen on 127.0.0.1:${port}: the port is in use (pick another --listen port, or 0 for a free one)`,
    });
  });
});

describe('the live view of a peer whose dials fail', () => {
  it('shows the address and the reason, not just an error count', async () => {
    const port = await freePort();
    const address = `ws://127.0.0.1:${port}/symmetric`;
    const node = await startPeerNode({ dial: [address] });
    nodes.push(node);
    await until(() => node.dialFailures().length > 0, 'a dial failure');
    const [f] = node.dialFailures();
    expect(f).toMatchObject({ address });
    expect(f!.reason).toMatch(/ECONNREFUSED|refused/i);
    expect(f!.reason).not.toContain('\n');
    expect(f!.reason).not.toContain(address);

    const out = new Capture();
    const code = await runCli(['peer', '--dial', address, '--keys', 'none', '--duration', '1.2', '--plain'], {
      out,
      err: out,
      onSignal: () => () => {},
    });
    expect(code).toBe(0);
    expect(out.text).toMatch(/tick=\d+ connecting \(1 address\) /);
    expect(out.text).not.toMatch(/tick=\d+ live/);
    expect(out.text).toMatch(
      new RegExp(
        `dial ${address.replace(/[/.]/g, '\\$&')} failed: .*(ECONNREFUSED|refused).* \\(\\d+ times?, retrying\\)`,
        'i',
      ),
    );
  });

  it('forgets the failure once the address is linked', async () => {
    const port = await freePort();
    const address = `ws://127.0.0.1:${port}/symmetric`;
    const node = await startPeerNode({ dial: [address] });
    nodes.push(node);
    await until(() => node.dialFailures().length > 0, 'a dial failure');
    const hub = await startPeerNode({ port, web: false });
    nodes.push(hub);
    await until(() => node.peer.neighbours().length === 1, 'the link to the hub', 15_000);
    expect(node.dialFailures()).toEqual([]);
  });
});

describe('Node peers on the presence channel', () => {
  it('a hub and a dialling node publish a name, so pages list them', async () => {
    const hub = await startPeerNode({ port: 0, web: false, name: 'the hub' });
    nodes.push(hub);
    const node = await startPeerNode({ dial: [hub.addresses[0]!] });
    nodes.push(node);
    await until(() => node.peer.presence().has(hub.peer.id), 'the hub’s presence at the node');
    await until(() => hub.peer.presence().has(node.peer.id), 'the node’s presence at the hub');
    expect(node.peer.presence().get(hub.peer.id)).toMatchObject({ name: 'the hub', kind: 'hub' });
    expect(hub.peer.presence().get(node.peer.id)).toMatchObject({ kind: 'node' });
    expect((hub.peer.presence().get(node.peer.id) as { name: string }).name).toMatch(/^node /);
  });
});
