import { describeConnection, type Peer } from '@symmetric/peer';
import { createLogUpdate } from 'log-update';

/** One row of the live view: what a peer looks like right now. */
export interface PeerRow {
  /** Short display name (`p0`, or the first characters of a long peer id). */
  readonly label: string;
  readonly tick: number;
  readonly status: string;
  /** Whether anyone else is there, in words: `alone`, `connecting (1 address)`, `live with 3 peers`… */
  readonly connection: string;
  /** The app state in a few words (the rectangle: `x,y=…`). */
  readonly summary: string;
  /** Rollbacks so far (several late events in one frame share one). */
  readonly rollbacks: number;
  /** Ticks travelled back in total (the paper's rollback metric). */
  readonly ticksBack: number;
  /** Δ in ticks. */
  readonly delayTicks: number;
  /** Distinct events known. */
  readonly events: number;
  /** Labels of the neighbours with a completed handshake. */
  readonly neighbours: readonly string[];
  /** State hash at the view's hash tick (`undefined` when not recorded). */
  readonly hash: string | undefined;
  /** Errors counted by the peer (all codes). */
  readonly errors: number;
  /** Hash mismatches reported by neighbours. */
  readonly desyncs: number;
}

/** Display name of a peer id: ids of 8 characters or fewer as they are, longer ones shortened to their tail. */
export function shortId(id: string): string {
  return id.length <= 8 ? id : `…${id.slice(-6)}`;
}

/** The rectangle's summary (`x,y=…`), or nothing for a state without `x` and `y`. */
function positionOf(state: unknown): string {
  const s = state as { x?: unknown; y?: unknown } | null;
  return typeof s?.x === 'number' && typeof s.y === 'number' ? `x,y=${s.x},${s.y}` : '';
}

/**
 * Reads one peer into a {@link PeerRow}. `hashTick` is the tick whose hash is shown (use one
 * tick for every row so the hashes are comparable); `labelOf` names the neighbours; `summary`
 * says what the state is (default: the rectangle's position).
 */
export function peerRow<S, E>(
  label: string,
  peer: Peer<S, E>,
  hashTick: number,
  labelOf: (peerId: string) => string = shortId,
  summary: (state: Readonly<S>) => string = positionOf,
): PeerRow {
  const s = peer.stats();
  return {
    label,
    tick: peer.tick,
    status: peer.status,
    connection: describeConnection(peer.connection),
    summary: summary(peer.state),
    rollbacks: s.rollbacks,
    ticksBack: s.ticksTravelledBack,
    delayTicks: s.delayTicks,
    events: s.events,
    neighbours: peer
      .neighbours()
      .map((n) => labelOf(n.peerId))
      .sort(),
    hash: hashTick >= 0 ? peer.stateHashAt(hashTick) : undefined,
    errors: s.errorsTotal,
    desyncs: s.desyncs,
  };
}

/** The tick whose hash to show for these peers: the newest multiple of `every` all have passed. */
export function commonHashTick(ticks: readonly number[], every: number): number {
  if (ticks.length === 0) return -1;
  return Math.floor((Math.min(...ticks) - 1) / every) * every;
}

const COLUMNS = [
  'peer',
  'tick',
  'status',
  'state',
  'Δ',
  'events',
  'rollbacks',
  'neighbours',
  'hash',
] as const;

function cells(r: PeerRow, hashTick: number): string[] {
  return [
    r.label,
    String(r.tick),
    r.status === 'stopped' || r.status === 'idle' ? r.status : r.connection,
    r.summary,
    String(r.delayTicks),
    String(r.events),
    `${r.rollbacks} (${r.ticksBack} ticks)`,
    r.neighbours.join(' ') || '-',
    r.hash === undefined
      ? '-'
      : `${r.hash}@${hashTick}` +
        (r.errors + r.desyncs > 0 ? ` errors=${r.errors} desyncs=${r.desyncs}` : ''),
  ];
}

/** Formats rows as an aligned table (header first), plus whether every shown hash agrees. */
export function formatTable(rows: readonly PeerRow[], hashTick: number): string[] {
  const table = [COLUMNS.slice() as string[], ...rows.map((r) => cells(r, hashTick))];
  const widths = COLUMNS.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  const lines = table.map((row) =>
    row
      .map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  const hashes = rows.map((r) => r.hash);
  if (rows.length > 1 && hashes.every((h) => h !== undefined)) {
    lines.push(
      new Set(hashes).size === 1
        ? `all ${rows.length} peers hold the same state hash at tick ${hashTick}`
        : `state hashes differ at tick ${hashTick} (late events may still be in flight)`,
    );
  }
  return lines;
}

/** Formats one row as a single plain line (for logs and non-TTY output). */
export function formatLine(r: PeerRow, hashTick: number): string {
  const [label, tick, status, summary, delay, events, rollbacks, neighbours, hash] = cells(r, hashTick);
  return (
    `${label} tick=${tick} ${status} ${summary} Δ=${delay} events=${events} rollbacks=${rollbacks} ` +
    `neighbours=${neighbours} hash=${hash}`
  );
}

/** Options of {@link startView}. */
export interface ViewOptions {
  /** Where to write (default `process.stdout`). */
  readonly out?: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly rows?: number };
  /** Redraw in place (default: `out.isTTY`, unless the terminal reports 0 rows); otherwise print plain blocks periodically. */
  readonly tty?: boolean;
  /** Redraw period in TTY mode (default 200 ms). */
  readonly redrawMs?: number;
  /** Print period in plain mode (default 2000 ms). */
  readonly plainMs?: number;
}

/** A running view from {@link startView}. */
export interface View {
  /** Whether it redraws in place. */
  readonly tty: boolean;
  /** Print a line that stays (above the live block in TTY mode). */
  log(line: string): void;
  /** Stop redrawing; print the final block once more (kept on screen). */
  stop(): void;
}

/**
 * Shows `render()` live: redrawn in place every `redrawMs` on a terminal (with `log-update`),
 * or printed as plain lines every `plainMs` when the output is not a TTY (CI logs, pipes).
 * `render` returns the lines of the block in TTY mode; `plain` (default: `render`) returns the
 * lines printed in plain mode.
 */
export function startView(
  render: () => string[],
  options: ViewOptions = {},
  plain: () => string[] = render,
): View {
  const out = options.out ?? process.stdout;
  // A terminal reporting 0 rows (some pseudo-terminals) would show nothing: use plain lines there.
  const tty = options.tty ?? (out.isTTY === true && out.rows !== 0);
  if (tty) {
    const update = createLogUpdate(out);
    const draw = () => update(render().join('\n'));
    draw();
    const timer = setInterval(draw, options.redrawMs ?? 200);
    return {
      tty,
      log: (line) => update.persist(line),
      stop() {
        clearInterval(timer);
        draw();
        update.done();
      },
    };
  }
  const print = () => out.write(`${plain().join('\n')}\n`);
  const timer = setInterval(print, options.plainMs ?? 2_000);
  return {
    tty,
    log: (line) => out.write(`${line}\n`),
    stop() {
      clearInterval(timer);
      print();
    },
  };
}
