import { createRequire } from 'node:module';
import type { RectangleKey } from '@symmetric/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEMO_APP_NAMES, type DemoAppName, demoApp } from './apps/catalog.js';
import { parsePresence } from './apps/presence.js';
import { DemoError, isDemoError } from './errors.js';
import { loadHubKeys } from './hub-libp2p.js';
import { KEY_NAMES, startKeyboard, startRandomKeys } from './keys.js';
import { runLocalDemo, TOPOLOGIES, type Topology } from './local.js';
import { DEFAULT_FPS, DEFAULT_ROOM, startPeerNode } from './node.js';
import { TRANSPORT_KINDS, type TransportKind } from './transports.js';
import { formatLine, formatTable, peerRow, shortId, startView } from './view.js';

/** Streams and process hooks the CLI uses (the real process's by default; tests pass their own). */
export interface CliIo {
  readonly out?: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly rows?: number };
  readonly err?: NodeJS.WritableStream;
  readonly stdin?: NodeJS.ReadStream;
  /** Registers a handler for SIGINT/SIGTERM; returns its remover. Default: `process.on`. */
  readonly onSignal?: (handler: () => void) => () => void;
}

function intArg(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}`);
    }
    return n;
  };
}

function numberArg(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min) {
      throw new InvalidArgumentError(`${name} must be a number >= ${min}`);
    }
    return n;
  };
}

function delayArg(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1)
    throw new InvalidArgumentError('delay must be "auto" or milliseconds >= 1');
  return n;
}

function defaultOnSignal(handler: () => void): () => void {
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

interface StartOpts {
  peers: number;
  topology: Topology;
  transport: TransportKind;
  duration: number;
  quiet: number;
  rate: number;
  delay: number | 'auto';
  fps: number;
  latency: number;
  seed?: number;
  room: string;
  plain?: boolean;
}

interface PeerOpts {
  app: DemoAppName;
  name?: string;
  listen?: number;
  host: string;
  dial: string[];
  room: string;
  transport: TransportKind;
  peerId?: string;
  delay: number | 'auto';
  fps: number;
  web: string | boolean;
  keys?: 'keyboard' | 'random' | 'none';
  rate: number;
  seed?: number;
  duration: number;
  aloneGrace?: number;
  libp2p?: number;
  libp2pKeys?: string;
  store?: string;
  plain?: boolean;
}

/** This package's version (`symmetric-demo --version`). */
function packageVersion(): string {
  const pkg = createRequire(import.meta.url)('../package.json') as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/**
 * Runs the demo CLI with `argv` (without `node` and the script: e.g. `['start', '-n', '3']`) and
 * resolves with the exit code: `start` 0 when the peers converged, 1 when not; `peer` 0 after a
 * clean stop; 2 for bad options.
 */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? process.stdout;
  const err = io.err ?? process.stderr;
  const onSignal = io.onSignal ?? defaultOnSignal;
  let code = 0;

  const version = packageVersion();
  const output = {
    writeOut: (s: string) => out.write(s),
    writeErr: (s: string) => err.write(s),
  };
  const program = new Command()
    .name('symmetric-demo')
    .description('Symmetric demo peers: a self-contained local multi-peer run, or one peer (and web hub).')
    .version(version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput(output);

  program
    .command('start', { isDefault: true })
    .description(
      'run N peers in this process over real sockets on 127.0.0.1, pressing random keys, shown live; ' +
        'then check they converged (exit 0) or not (exit 1)',
    )
    .version(version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput(output)
    .addHelpText(
      'after',
      '\nOther command:\n  peer  one peer per process (listen and/or dial); with ws and --listen also the web\n' +
        '        hub that serves the page: symmetric-demo peer --help',
    )
    .option('-n, --peers <n>', 'number of peers', intArg('peers', 1, 64), 5)
    .addOption(new Option('--topology <shape>', 'peer graph').choices(TOPOLOGIES).default('ring'))
    .addOption(
      new Option('--transport <kind>', 'transport between the peers').choices(TRANSPORT_KINDS).default('ws'),
    )
    .option('-d, --duration <s>', 'seconds of random key presses', numberArg('duration', 0), 15)
    .option(
      '--quiet <s>',
      'longest wait for convergence after the keys stop, seconds',
      numberArg('quiet', 0),
      10,
    )
    .option('--rate <n>', 'mean key presses per minute, per peer', numberArg('rate', 0.001), 60)
    .option('--delay <ms|auto>', 'Δ: how far ahead events are stamped', delayArg, 'auto' as const)
    .option('--fps <n>', 'ticks per second', intArg('fps', 1, 1000), DEFAULT_FPS)
    .option(
      '--latency <ms>',
      'one-way latency added to every link (±20 % jitter), to see rollbacks',
      numberArg('latency', 0),
      0,
    )
    .option('--seed <n>', 'seed of the random key presses (default: random)', intArg('seed', 0, 2 ** 31))
    .option('--room <id>', 'room id', 'demo-local')
    .option('--plain', 'print plain periodic lines even on a terminal')
    .action(async (o: StartOpts) => {
      const abort = new AbortController();
      let signals = 0;
      const off = onSignal(() => {
        signals++;
        if (signals === 1) {
          out.write('\nstopping the keys early; checking convergence (interrupt again to quit)\n');
          abort.abort();
        } else process.exit(130);
      });
      try {
        const result = await runLocalDemo({
          peers: o.peers,
          topology: o.topology,
          transport: o.transport,
          duration: o.duration,
          quiet: o.quiet,
          rate: o.rate,
          delay: o.delay,
          fps: o.fps,
          latency: o.latency,
          room: o.room,
          out,
          signal: abort.signal,
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          ...(o.plain === true ? { tty: false } : {}),
        });
        code = result.converged ? 0 : 1;
      } finally {
        off();
      }
    });

  program
    .command('peer')
    .description(
      'run one peer: listen and/or dial other peers; with ws and --listen it is also the hub that ' +
        'serves the web page and that browsers connect to',
    )
    .version(version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput(output)
    .addOption(
      new Option('--app <name>', 'app this peer runs (a hub also hosts the other apps for pages)')
        .choices(DEMO_APP_NAMES)
        .default('rectangle'),
    )
    .option('--name <name>', 'name the pages list this peer under (default: hub/node and the id)')
    .option('-l, --listen <port>', 'listen on this TCP port (0: a free one)', intArg('listen', 0, 65535))
    .option('--host <host>', 'interface to listen on (0.0.0.0 to accept other machines)', '127.0.0.1')
    .option(
      '--dial <address...>',
      'peers to dial and keep dialled (ws:// URLs, or multiaddrs with libp2p)',
      [],
    )
    .option('--room <id>', 'room id', DEFAULT_ROOM)
    .addOption(new Option('--transport <kind>', 'transport').choices(TRANSPORT_KINDS).default('ws'))
    .option('--peer-id <id>', 'peer id (ws only; runs a trusted room without signatures; default: a new key)')
    .option('--delay <ms|auto>', 'Δ: how far ahead events are stamped', delayArg, 'auto' as const)
    .option('--fps <n>', 'ticks per second (must match the other peers)', intArg('fps', 1, 1000), DEFAULT_FPS)
    .option('--web <dir>', 'directory of the web page to serve (default: apps/demo-web/dist)', true)
    .option('--no-web', 'serve no web page')
    .option(
      '--libp2p <port>',
      'hub: also serve pages on libp2p (WebSockets on <port> for the rectangle, <port>+1 for the arena) ' +
        'and relay WebRTC between pages',
      intArg('libp2p', 0, 65534),
    )
    .option(
      '--libp2p-keys <file>',
      'hub with --libp2p: keep its libp2p keys in this file (made when missing), so a restarted hub ' +
        'keeps its peer ids and open pages find it again',
    )
    .addOption(
      new Option(
        '--keys <source>',
        'where key presses come from (default: keyboard on a terminal, else random)',
      ).choices(['keyboard', 'random', 'none']),
    )
    .option('--rate <n>', 'random keys: mean presses per minute', numberArg('rate', 0.001), 30)
    .option('--seed <n>', 'random keys: seed (default: random)', intArg('seed', 0, 2 ** 31))
    .option(
      '--duration <s>',
      'stop after this many seconds (0: run until interrupted)',
      numberArg('duration', 0),
      0,
    )
    .option(
      '--alone-grace <ms>',
      'how long a fresh peer waits for a running room before starting one alone (default 1000; ' +
        'restarting a hub while pages are open: 10000)',
      numberArg('alone-grace', 1),
    )
    .option(
      '--store <dir>',
      'keep this peer in <dir> (node:sqlite; ws only): a restart resumes the same peer and room state',
    )
    .option('--plain', 'print plain periodic lines even on a terminal')
    .action(async (o: PeerOpts) => {
      code = await runPeer(o, { out, stdin: io.stdin ?? process.stdin, onSignal });
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help / --version exit 0; parse errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isDemoError(e)) {
      err.write(`error: ${e.message} (${e.code})\n`);
      return e.code === 'INVALID_OPTION' ? 2 : 1;
    }
    throw e;
  }
}

async function runPeer(
  o: PeerOpts,
  io: {
    out: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly rows?: number };
    stdin: NodeJS.ReadStream;
    onSignal: (h: () => void) => () => void;
  },
): Promise<number> {
  const { out } = io;
  const say = (line: string) => out.write(`${line}\n`);
  if (o.listen === undefined && o.dial.length === 0) {
    throw new DemoError('INVALID_OPTION', 'peer needs --listen <port>, --dial <address...>, or both', {
      option: 'listen',
    });
  }
  if (o.libp2pKeys !== undefined && o.libp2p === undefined) {
    throw new DemoError('INVALID_OPTION', '--libp2p-keys needs --libp2p <port>', { option: 'libp2p-keys' });
  }
  const libp2pKeys = o.libp2pKeys !== undefined ? await loadHubKeys(o.libp2pKeys) : undefined;
  const node = await startPeerNode({
    app: o.app,
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.aloneGrace !== undefined ? { aloneGraceMs: o.aloneGrace } : {}),
    transport: o.transport,
    host: o.host,
    dial: o.dial,
    room: o.room,
    delay: o.delay,
    fps: o.fps,
    ...(o.listen !== undefined ? { port: o.listen } : {}),
    ...(o.peerId !== undefined ? { peerId: o.peerId } : {}),
    ...(o.libp2p !== undefined
      ? { libp2p: { port: o.libp2p, ...(libp2pKeys !== undefined ? { keys: libp2pKeys } : {}) } }
      : {}),
    ...(o.store !== undefined ? { store: o.store } : {}),
    ...(o.web === false ? { web: false } : typeof o.web === 'string' ? { web: o.web } : {}),
  });
  const { peer } = node;
  const app = demoApp(o.app);
  say(
    `peer ${peer.id} in room "${o.room}" running ${o.app} (${o.transport}${o.libp2p !== undefined ? ' + libp2p' : ''}, ${o.fps} fps, Δ ${o.delay})`,
  );
  if (o.store !== undefined) say(`  kept in:    ${o.store} (event source ${peer.source}, tick ${peer.tick})`);
  for (const a of node.addresses) say(`  dial me at: ${a}`);
  if (node.webUrl !== undefined) {
    say(`  web page:   ${node.webUrl}   (open it in two browser windows)`);
    say(`              ${node.webUrl}?app=arena   (the arena; this hub hosts every demo app)`);
  } else if (o.transport === 'ws' && o.listen !== undefined && o.web !== false) {
    say('  web page:   not built; run `npm run build -w @symmetric/demo-web` (or pass --web <dir>)');
  }
  for (const [a, e] of node.libp2p)
    say(`  libp2p:     ${e.address}   (${a}; pages: ?transport=libp2p or webrtc)`);
  for (const d of o.dial) say(`  dialling:   ${d}`);

  let lastKey = '-';
  const emit = (key: RectangleKey) => {
    try {
      peer.emit(key);
      lastKey = KEY_NAMES[key] ?? String(key);
    } catch (e) {
      say(`emit failed: ${String(e)}`);
    }
  };
  peer.on('peer:join', (i) => view?.log(`+ neighbour ${shortId(i.peerId)} (${i.linkId})`));
  peer.on('peer:leave', (i) => view?.log(`- neighbour ${shortId(i.peerId)} (${i.reason})`));
  peer.on('desync', (i) => view?.log(`! desync at tick ${i.tick} with ${i.peers.join(', ')}`));
  peer.on('error', (e) => {
    if (e.code !== 'DIAL_FAILED') view?.log(`! ${e.code}: ${e.message}`);
  });

  const keys = o.keys ?? (io.stdin.isTTY === true ? 'keyboard' : 'random');
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let stopKeys = () => {};
  if (keys === 'keyboard') {
    say('keys: arrows or WASD set the direction, space stops, q quits');
    stopKeys = startKeyboard(io.stdin, emit, finish);
  } else if (keys === 'random') {
    const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
    say(`keys: random, ${o.rate}/min (seed ${seed})`);
    stopKeys = startRandomKeys(emit, { ratePerMinute: o.rate, seed });
  }

  const row = () =>
    peerRow(shortId(peer.id), peer, Math.floor((peer.tick - 1) / o.fps) * o.fps, shortId, app.summary);
  const extra = () => {
    const others = [...peer.presence()].map(([id, data]) => parsePresence(data)?.name ?? shortId(id));
    return `last key: ${lastKey}   in the room: ${others.length === 0 ? '-' : others.join(', ')}`;
  };
  const dialLines = () =>
    node
      .dialFailures()
      .map(
        (f) =>
          `dial ${f.address} failed: ${f.reason} (${f.count} ${f.count === 1 ? 'time' : 'times'}, retrying)`,
      );
  let view: ReturnType<typeof startView> | undefined;
  view = startView(
    () => {
      const r = row();
      return [...formatTable([r], Math.floor((peer.tick - 1) / o.fps) * o.fps), extra(), ...dialLines()];
    },
    { out, ...(o.plain === true ? { tty: false } : {}), plainMs: 5_000 },
    () => {
      const r = row();
      return [`${formatLine(r, Math.floor((peer.tick - 1) / o.fps) * o.fps)}  ${extra()}`, ...dialLines()];
    },
  );
  const off = io.onSignal(finish);
  const timer = o.duration > 0 ? setTimeout(finish, o.duration * 1000) : undefined;
  await done;
  if (timer !== undefined) clearTimeout(timer);
  off();
  stopKeys();
  view.stop();
  view = undefined;
  await node.stop();
  say(`stopped at tick ${peer.tick}, state hash ${peer.hash()}`);
  return 0;
}
