/**
 * The scenario format (documented in docs/simulator.md): types, defaults and strict
 * validation. Every violation is reported as a {@link ScenarioError} naming the field.
 */
import { z } from 'zod';
import { ScenarioError, type ScenarioErrorCode } from './errors.js';

/** Per-link one-way latency, as in the scenario format. Normal draws are truncated at 0. */
export type LatencyModel =
  | { readonly dist: 'constant'; readonly ms: number }
  | { readonly dist: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly dist: 'normal'; readonly meanMs: number; readonly sdMs: number };

/** A generated topology (instead of explicit `edges`). */
export type TopologySpec =
  | { readonly kind: 'line' }
  | { readonly kind: 'ring' }
  | { readonly kind: 'star'; readonly center?: number }
  | { readonly kind: 'full' }
  | { readonly kind: 'random-regular'; readonly degree: number; readonly seed?: number }
  | { readonly kind: 'paper-21' };

/** Δ: a fixed delay in ms, or the middleware's own choice. */
export type DelaySpec = { readonly ms: number } | { readonly auto: true };

/** The event load. */
export interface EventsSpec {
  /** Network-wide events per minute; each peer draws its next event uniformly in [0, 2 × mean interval). */
  readonly perMinute: number;
  /** App name; `rectangle` is the paper's moving rectangle (any other name needs `options.app`). */
  readonly app: string;
  /** No peer emits before this many seconds after it (re)started. Default 1 (the paper's setting). */
  readonly firstAfterS: number;
}

/** Exponential on/off churn. */
export interface ChurnSpec {
  /** Mean online time, seconds. */
  readonly onlineMeanS: number;
  /** Mean offline time, seconds. */
  readonly offlineMeanS: number;
  /** `true`: a peer comes back with nothing (new runtime, same id). `false`: it keeps its state and only loses its links. */
  readonly restart: boolean;
  /** Peer indices subject to churn (default: all). */
  readonly peers?: readonly number[];
  /**
   * `true` (default): churn stops at the start of the quiet tail and every peer
   * still offline comes back then, so the final comparison covers every peer on a connected
   * graph. `false`: peers offline at the tail stay offline (the online ones may then be split).
   */
  readonly backForTail: boolean;
  /**
   * `true` (default): a restarted peer is a joiner and waits for a neighbour
   * (the runtime's `aloneGraceMs` is set to 1 h) instead of founding an island timeline at
   * tick 0 when all its neighbours happen to be offline. `false`: the runtime's default.
   */
  readonly restartWaitsForNeighbour: boolean;
  /**
   * With `restart: true`: a restarted peer comes back with its store (an in-memory store per
   * peer that survives the restart): the same event source, its events and state, resumed where
   * it stopped. Default `false` (it comes back with nothing).
   */
  readonly store?: boolean;
  /**
   * With `restart: false`: a peer cut off keeps running and its user keeps emitting (offline
   * work, merged back when its links return). Default `false` (its user is away too).
   */
  readonly emitOffline?: boolean;
}

/** A partition: links between different groups are cut from `atS` to `healAtS`. */
export interface PartitionSpec {
  readonly atS: number;
  readonly healAtS: number;
  /** Disjoint peer groups; peers listed in no group form one more group together. */
  readonly groups: readonly (readonly number[])[];
}

/** A peer whose start time is fixed instead of drawn from `startJitterS`. */
export interface JoinSpec {
  readonly peer: number;
  readonly atS: number;
}

/** How much history each peer keeps (passed to the peer runtime). */
export type HistorySpec = 'full' | { readonly horizonTicks: number };

/** A validated scenario with every default filled in. */
export interface Scenario {
  readonly name: string;
  readonly seed: number;
  readonly peers: number;
  /** Explicit undirected edges (exactly one of `edges` and `topology` is set). */
  readonly edges?: readonly (readonly [number, number])[];
  readonly topology?: TopologySpec;
  readonly fps: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly quietTailS: number;
  readonly startJitterS: number;
  readonly latency: LatencyModel;
  readonly delay: DelaySpec;
  readonly events: EventsSpec;
  readonly churn?: ChurnSpec;
  readonly partitions: readonly PartitionSpec[];
  /**
   * Clock drift: a number `d` gives each peer a rate drawn uniformly in
   * [-d, +d] ppm; an array gives each peer its own rate. Default 0.
   */
  readonly driftPpm: number | readonly number[];
  /** Peers with a fixed start time, e.g. a late joiner. */
  readonly joins: readonly JoinSpec[];
  /** History mode for every peer. Default: the peer runtime's own default. */
  readonly history?: HistorySpec;
  /**
   * `true`: a closed, trusted room (peer ids `p<i>`, nothing signed). Default: authenticated like
   * every room, each peer with a reproducible key pair (see `scenarioIdentity`).
   */
  readonly trusted?: boolean;
  /** Free text. */
  readonly about?: string;
}

const finite = () => z.number().finite();
const nonNeg = () => finite().min(0);
const index = () => z.number().int().min(0);

const latencySchema = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant'), ms: nonNeg() }),
  z.strictObject({ dist: z.literal('uniform'), minMs: nonNeg(), maxMs: nonNeg() }),
  z.strictObject({ dist: z.literal('normal'), meanMs: nonNeg(), sdMs: nonNeg() }),
]);

const topologySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('line') }),
  z.strictObject({ kind: z.literal('ring') }),
  z.strictObject({ kind: z.literal('star'), center: index().optional() }),
  z.strictObject({ kind: z.literal('full') }),
  z.strictObject({
    kind: z.literal('random-regular'),
    degree: z.number().int().min(1),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  z.strictObject({ kind: z.literal('paper-21') }),
]);

const schema = z.strictObject({
  name: z.string().optional(),
  about: z.string().optional(),
  description: z.string().optional(),
  $schema: z.string().optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  peers: z.number().int().min(1).max(100_000),
  edges: z.array(z.tuple([index(), index()])).optional(),
  topology: topologySchema.optional(),
  fps: z.number().int().min(1).max(1000),
  durationS: finite().gt(0),
  warmupS: nonNeg().optional(),
  quietTailS: nonNeg().optional(),
  startJitterS: nonNeg().optional(),
  latency: latencySchema,
  delay: z.strictObject({ ms: nonNeg().optional(), auto: z.literal(true).optional() }),
  events: z.strictObject({
    perMinute: nonNeg(),
    app: z.string().min(1).optional(),
    firstAfterS: nonNeg().optional(),
  }),
  churn: z
    .strictObject({
      onlineMeanS: finite().gt(0),
      offlineMeanS: finite().gt(0),
      restart: z.boolean().optional(),
      peers: z.array(index()).optional(),
      backForTail: z.boolean().optional(),
      restartWaitsForNeighbour: z.boolean().optional(),
      store: z.boolean().optional(),
      emitOffline: z.boolean().optional(),
    })
    .optional(),
  partitions: z
    .array(
      z.strictObject({
        atS: nonNeg(),
        healAtS: finite().gt(0),
        groups: z.array(z.array(index()).min(1)).min(1),
      }),
    )
    .optional(),
  driftPpm: z
    .union([finite().min(-100_000).max(100_000), z.array(finite().min(-100_000).max(100_000))])
    .optional(),
  joins: z.array(z.strictObject({ peer: index(), atS: nonNeg() })).optional(),
  history: z.union([z.literal('full'), z.strictObject({ horizonTicks: z.number().int().min(1) })]).optional(),
  trusted: z.boolean().optional(),
});

type Raw = z.infer<typeof schema>;

function pathString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Turn the first zod issue into a ScenarioError, descending into union branches for the most precise one. */
function issueToError(doc: unknown, issue: z.core.$ZodIssue): ScenarioError {
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      return new ScenarioError(
        'UNKNOWN_FIELD',
        pathString([...path, key]),
        'is not a field of the scenario format',
      );
    }
    case 'invalid_type': {
      const present = path.length === 0 ? doc !== undefined : valueAt(doc, path) !== undefined;
      if (!present) return new ScenarioError('MISSING_FIELD', pathString(path), 'is required');
      return new ScenarioError('WRONG_TYPE', pathString(path), `expected ${issue.expected}`);
    }
    case 'too_big':
    case 'too_small':
    case 'not_multiple_of':
    case 'invalid_format':
    case 'invalid_value':
      return new ScenarioError('OUT_OF_RANGE', pathString(path), issue.message);
    case 'invalid_union': {
      if (issue.discriminator !== undefined) {
        const disc = path.at(-1) === issue.discriminator ? path : [...path, issue.discriminator];
        const v = valueAt(doc, disc);
        if (v === undefined) return new ScenarioError('MISSING_FIELD', pathString(disc), 'is required');
        return new ScenarioError('OUT_OF_RANGE', pathString(disc), `unknown value ${JSON.stringify(v)}`);
      }
      // Plain union: report the branch that got furthest (deepest path), else a type error.
      let best: z.core.$ZodIssue | undefined;
      for (const branch of issue.errors) {
        const first = branch[0];
        if (first !== undefined && (best === undefined || first.path.length > best.path.length)) best = first;
      }
      if (best !== undefined && best.path.length > 0) {
        return issueToError(doc, { ...best, path: [...path, ...best.path] } as z.core.$ZodIssue);
      }
      return new ScenarioError('WRONG_TYPE', pathString(path), 'matches none of the allowed shapes');
    }
    default:
      return new ScenarioError('OUT_OF_RANGE', pathString(path), issue.message);
  }
}

function fail(code: ScenarioErrorCode, field: string, message: string): never {
  throw new ScenarioError(code, field, message);
}

/**
 * Validate a scenario (a JSON string or an already-parsed value) and fill in defaults.
 * Throws {@link ScenarioError} naming the first offending field. Unknown fields are refused
 * (a misspelt `durationSec` would otherwise silently run the default), except the free-text
 * `about`, `description` and `$schema`.
 */
export function parseScenario(input: unknown): Scenario {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (cause) {
      throw new ScenarioError('BAD_JSON', '', `not JSON: ${(cause as Error).message}`, { cause });
    }
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ScenarioError('WRONG_TYPE', '', 'a scenario is a JSON object');
  }
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue === undefined) throw new ScenarioError('WRONG_TYPE', '', 'invalid scenario');
    throw issueToError(doc, issue);
  }
  return crossCheck(parsed.data);
}

function checkPeer(p: number, peers: number, field: string): void {
  if (p >= peers) fail('OUT_OF_RANGE', field, `peer index ${p} is not below peers (${peers})`);
}

function crossCheck(raw: Raw): Scenario {
  const n = raw.peers;
  if (raw.edges !== undefined && raw.topology !== undefined) {
    fail('INCONSISTENT', 'topology', 'give either "edges" or "topology", not both');
  }
  if (raw.edges === undefined && raw.topology === undefined) {
    fail('MISSING_FIELD', 'topology', 'one of "edges" or "topology" is required');
  }
  if (raw.edges !== undefined) {
    const seen = new Set<string>();
    raw.edges.forEach(([a, b], i) => {
      checkPeer(a, n, `edges[${i}][0]`);
      checkPeer(b, n, `edges[${i}][1]`);
      if (a === b) fail('OUT_OF_RANGE', `edges[${i}]`, `self-loop on peer ${a}`);
      const key = a < b ? `${a}-${b}` : `${b}-${a}`;
      if (seen.has(key)) fail('INCONSISTENT', `edges[${i}]`, `duplicate edge ${a}-${b}`);
      seen.add(key);
    });
  }
  const topo = raw.topology;
  if (topo !== undefined) {
    if (topo.kind === 'paper-21' && n !== 21)
      fail('INCONSISTENT', 'peers', 'the paper-21 topology has 21 peers');
    if (topo.kind === 'ring' && n < 3) fail('INCONSISTENT', 'peers', 'a ring needs at least 3 peers');
    if (topo.kind === 'star' && topo.center !== undefined) checkPeer(topo.center, n, 'topology.center');
    if (topo.kind === 'random-regular') {
      if (topo.degree >= n) fail('OUT_OF_RANGE', 'topology.degree', `degree must be below peers (${n})`);
      if ((topo.degree * n) % 2 !== 0) fail('INCONSISTENT', 'topology.degree', 'peers × degree must be even');
      if (topo.degree < 2 && n > 2)
        fail('INCONSISTENT', 'topology.degree', 'degree 1 cannot connect more than 2 peers');
    }
  }
  const durationS = raw.durationS;
  const warmupS = raw.warmupS ?? 0;
  const quietTailS = raw.quietTailS ?? 0;
  const startJitterS = raw.startJitterS ?? 0;
  if (warmupS >= durationS) fail('INCONSISTENT', 'warmupS', 'must be shorter than durationS');
  if (quietTailS >= durationS) fail('INCONSISTENT', 'quietTailS', 'must be shorter than durationS');
  if (startJitterS >= durationS) fail('INCONSISTENT', 'startJitterS', 'must be shorter than durationS');
  const lat = raw.latency;
  if (lat.dist === 'uniform' && lat.minMs > lat.maxMs)
    fail('INCONSISTENT', 'latency.maxMs', 'must be >= minMs');
  let delay: DelaySpec;
  if (raw.delay.ms !== undefined && raw.delay.auto !== undefined) {
    fail('INCONSISTENT', 'delay', 'give either "ms" or "auto", not both');
  } else if (raw.delay.ms !== undefined) delay = { ms: raw.delay.ms };
  else if (raw.delay.auto !== undefined) delay = { auto: true };
  else fail('MISSING_FIELD', 'delay.ms', 'delay needs "ms" or "auto": true');
  let churn: ChurnSpec | undefined;
  if (raw.churn !== undefined) {
    const c = raw.churn;
    if (c.peers !== undefined) {
      const seen = new Set<number>();
      c.peers.forEach((p, i) => {
        checkPeer(p, n, `churn.peers[${i}]`);
        if (seen.has(p)) fail('INCONSISTENT', `churn.peers[${i}]`, `peer ${p} listed twice`);
        seen.add(p);
      });
    }
    if (c.store === true && c.restart === false)
      fail(
        'INCONSISTENT',
        'churn.store',
        'a peer comes back with its store only when it restarts (restart: true)',
      );
    if (c.emitOffline === true && c.restart !== false)
      fail(
        'INCONSISTENT',
        'churn.emitOffline',
        'only a peer that keeps running (restart: false) emits offline',
      );
    churn = {
      onlineMeanS: c.onlineMeanS,
      offlineMeanS: c.offlineMeanS,
      restart: c.restart ?? true,
      backForTail: c.backForTail ?? true,
      restartWaitsForNeighbour: c.restartWaitsForNeighbour ?? true,
      ...(c.peers !== undefined ? { peers: c.peers } : {}),
      ...(c.store === true ? { store: true } : {}),
      ...(c.emitOffline === true ? { emitOffline: true } : {}),
    };
  }
  const partitions: PartitionSpec[] = [];
  (raw.partitions ?? []).forEach((p, i) => {
    if (p.atS >= durationS) fail('OUT_OF_RANGE', `partitions[${i}].atS`, 'must be before durationS');
    if (p.healAtS <= p.atS) fail('INCONSISTENT', `partitions[${i}].healAtS`, 'must be after atS');
    const seen = new Set<number>();
    p.groups.forEach((g, gi) => {
      g.forEach((peer, pi) => {
        const field = `partitions[${i}].groups[${gi}][${pi}]`;
        checkPeer(peer, n, field);
        if (seen.has(peer)) fail('INCONSISTENT', field, `peer ${peer} is in two groups`);
        seen.add(peer);
      });
    });
    partitions.push({ atS: p.atS, healAtS: p.healAtS, groups: p.groups });
  });
  const driftPpm = raw.driftPpm ?? 0;
  if (Array.isArray(driftPpm) && driftPpm.length !== n) {
    fail('INCONSISTENT', 'driftPpm', `an array needs one entry per peer (${n})`);
  }
  const joins: JoinSpec[] = [];
  const joined = new Set<number>();
  (raw.joins ?? []).forEach((j, i) => {
    checkPeer(j.peer, n, `joins[${i}].peer`);
    if (joined.has(j.peer)) fail('INCONSISTENT', `joins[${i}].peer`, `peer ${j.peer} listed twice`);
    joined.add(j.peer);
    if (j.atS >= durationS) fail('OUT_OF_RANGE', `joins[${i}].atS`, 'must be before durationS');
    joins.push({ peer: j.peer, atS: j.atS });
  });
  const app = raw.events.app ?? 'rectangle';
  return {
    name: raw.name ?? '',
    seed: raw.seed ?? 1,
    peers: n,
    ...(raw.edges !== undefined ? { edges: raw.edges.map(([a, b]) => [a, b] as const) } : {}),
    ...(topo !== undefined ? { topology: normalizeTopology(topo) } : {}),
    fps: raw.fps,
    durationS,
    warmupS,
    quietTailS,
    startJitterS,
    latency: lat,
    delay,
    events: { perMinute: raw.events.perMinute, app, firstAfterS: raw.events.firstAfterS ?? 1 },
    ...(churn !== undefined ? { churn } : {}),
    partitions,
    driftPpm,
    joins,
    ...(raw.history !== undefined ? { history: raw.history } : {}),
    ...(raw.trusted !== undefined ? { trusted: raw.trusted } : {}),
    ...(raw.about !== undefined ? { about: raw.about } : {}),
  };
}

function normalizeTopology(t: z.infer<typeof topologySchema>): TopologySpec {
  switch (t.kind) {
    case 'star':
      return t.center !== undefined ? { kind: 'star', center: t.center } : { kind: 'star' };
    case 'random-regular':
      return t.seed !== undefined
        ? { kind: 'random-regular', degree: t.degree, seed: t.seed }
        : { kind: 'random-regular', degree: t.degree };
    default:
      return { kind: t.kind };
  }
}

/** Δ of a scenario in ms, or `undefined` when the middleware chooses (`{ auto: true }`). */
export function delayMs(scenario: Scenario): number | undefined {
  return 'ms' in scenario.delay ? scenario.delay.ms : undefined;
}

/**
 * The largest peer count `runScenario` takes on: every peer is a full runtime in one process,
 * stepped every frame, so beyond this a run takes hours and gigabytes.
 */
export const MAX_RUN_PEERS = 5000;

/**
 * Check that `runScenario` can run `scenario` as it stands (the checks beyond the format, shared
 * by `symmetric-sim validate` and `symmetric-sim run`): the app is built in unless the caller
 * brings its own (`customApp`), and the peer count is at most {@link MAX_RUN_PEERS}. Throws
 * {@link ScenarioError} (`UNSUPPORTED`, `TOO_LARGE`) saying what to change.
 */
export function checkRunnable(scenario: Scenario, options: { customApp?: boolean } = {}): void {
  if (options.customApp !== true && scenario.events.app !== 'rectangle') {
    throw new ScenarioError(
      'UNSUPPORTED',
      'events.app',
      `unknown app "${scenario.events.app}": only "rectangle" is built in; use "rectangle" or run your own app through runScenario's options.app`,
    );
  }
  if (scenario.peers > MAX_RUN_PEERS) {
    throw new ScenarioError(
      'TOO_LARGE',
      'peers',
      `${scenario.peers} peers is more than the simulator runs (at most ${MAX_RUN_PEERS}); lower peers to ${MAX_RUN_PEERS} or fewer`,
    );
  }
}
