import type { ClockOptions } from '@symmetric/clock-sync';
import type { SnapshotThinning } from '@symmetric/core';
import { PeerError } from './errors.js';
import { type Quotas, resolveQuotas } from './quotas.js';
import type { DialTarget, OfflineMerge, PeerOptions } from './types.js';

/** Every option of a peer with its default filled in (internal). */
export interface ResolvedOptions {
  readonly fps: number;
  readonly delay: number | 'auto';
  readonly seed: number;
  readonly appId: string;
  readonly room: string;
  readonly dial: readonly { readonly address: string; readonly transport: number }[];
  readonly redial: false | { readonly minMs: number; readonly maxMs: number };
  /** `undefined` = full history. */
  readonly horizonTicks: number | undefined;
  readonly snapshotJoin: boolean;
  readonly snapshotEvery: number;
  readonly maxSnapshots: number;
  /** `undefined` = every snapshot kept. */
  readonly snapshotThinning: SnapshotThinning | undefined;
  readonly hashEvery: number;
  readonly maxHashes: number;
  readonly settleTicks: number;
  readonly clock: ClockOptions;
  readonly syncIntervalMs: number;
  readonly hashIntervalMs: number;
  readonly desyncConfirmMs: number;
  readonly gapGraceMs: number;
  readonly requestTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly snapshotTimeoutMs: number;
  readonly aloneGraceMs: number;
  readonly liveLagTicks: number;
  /** CPU ms per step for catch-up ticks (`Infinity`: no limit). */
  readonly catchUpBudgetMs: number;
  readonly catchUpMaxTicks: number;
  readonly maxFutureTicks: number;
  readonly verifyPeerIds: boolean;
  /** No authentication: no handshake proof, no event signatures. */
  readonly trusted: boolean;
  readonly presenceHops: number;
  readonly presenceHeartbeatMs: number;
  readonly presenceTtlMs: number;
  /** Limits on what neighbours may make this peer hold or do. */
  readonly quotas: Quotas;
}

function bad(message: string): never {
  throw new PeerError('INVALID_OPTION', message);
}

function num(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  integer = false,
): number {
  const v = value ?? fallback;
  if (
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    v < min ||
    v > max ||
    (integer && !Number.isInteger(v))
  ) {
    bad(`${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(value)}`);
  }
  return v;
}

/**
 * Ticks between two compactions of the history: a second (at most the horizon, at least one
 * snapshot period).
 * @internal
 */
export function compactionPeriod(horizonTicks: number, snapshotEvery: number, fps: number): number {
  return Math.max(snapshotEvery, Math.min(horizonTicks, fps));
}

/**
 * How far back the snapshot ring must reach for compaction to always find a snapshot at or
 * before `tick - horizonTicks`: the horizon plus one compaction period.
 * @internal
 */
export function compactionReach(horizonTicks: number, snapshotEvery: number, fps: number): number {
  return horizonTicks + compactionPeriod(horizonTicks, snapshotEvery, fps);
}

/** Validate `options` and fill in defaults; throws {@link PeerError} `INVALID_OPTION`. */
export function resolveOptions<S, E>(options: PeerOptions<S, E>): ResolvedOptions {
  if (options === null || typeof options !== 'object') bad('options must be an object');
  const app = options.app;
  if (
    app === null ||
    typeof app !== 'object' ||
    typeof app.tick !== 'function' ||
    typeof app.event !== 'function'
  ) {
    bad('app must be an object with init, tick and event');
  }
  if (!Array.isArray(options.transports)) bad('transports must be an array of transports');
  if (typeof options.room !== 'string') bad('room must be a string');
  const fps = num('fps', options.fps, 50, 1, 1000, true);
  let delay: number | 'auto';
  if (options.delay === undefined || options.delay === 'auto') delay = 'auto';
  else delay = num('delay', options.delay, 0, 0, 3_600_000);
  const seed = num('seed', options.seed, 0, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  const appId = options.appId ?? '';
  if (typeof appId !== 'string') bad('appId must be a string');
  const transportCount = options.transports.length;
  const dial: { address: string; transport: number }[] = [];
  for (const target of options.dial ?? []) {
    const t: DialTarget = typeof target === 'string' ? { address: target } : target;
    if (typeof t.address !== 'string' || t.address.length === 0)
      bad('dial addresses must be non-empty strings');
    let index = 0;
    if (typeof t.transport === 'number') index = t.transport;
    else if (typeof t.transport === 'string')
      index = options.transports.findIndex((x) => x.name === t.transport);
    if (!Number.isInteger(index) || index < 0 || index >= transportCount) {
      bad(`dial target ${t.address}: no transport ${String(t.transport ?? 0)}`);
    }
    dial.push({ address: t.address, transport: index });
  }
  let redial: ResolvedOptions['redial'] = { minMs: 500, maxMs: 10_000 };
  if (options.redial === false) redial = false;
  else if (typeof options.redial === 'object' && options.redial !== null) {
    const minMs = num('redial.minMs', options.redial.minMs, 500, 1, 3_600_000);
    const maxMs = num('redial.maxMs', options.redial.maxMs, Math.max(10_000, minMs), minMs, 86_400_000);
    redial = { minMs, maxMs };
  }
  let horizonTicks: number | undefined;
  const history = options.history ?? { horizonTicks: 300 * fps };
  if (history === 'full') horizonTicks = undefined;
  else if (typeof history === 'object' && history !== null) {
    horizonTicks = num(
      'history.horizonTicks',
      history.horizonTicks,
      30 * fps,
      1,
      Number.MAX_SAFE_INTEGER,
      true,
    );
  } else bad("history must be 'full' or { horizonTicks }");
  const snapshotJoin = options.snapshotJoin ?? horizonTicks !== undefined;
  const hashEvery = num('hashEvery', options.hashEvery, fps, 1, 2 ** 31, true);
  const snapshotEvery = num('snapshotEvery', options.snapshotEvery, 10, 1, 2 ** 31, true);
  let snapshotThinning: SnapshotThinning | undefined;
  const thinning = options.snapshotThinning ?? {};
  if (thinning === false) snapshotThinning = undefined;
  else if (typeof thinning === 'object' && thinning !== null) {
    snapshotThinning = {
      afterTicks: num(
        'snapshotThinning.afterTicks',
        thinning.afterTicks,
        10 * fps,
        0,
        Number.MAX_SAFE_INTEGER,
        true,
      ),
      // At most the horizon (one snapshot per window of it is kept, and the base waits for one):
      // history then holds at most two horizons of events.
      every: num(
        'snapshotThinning.every',
        thinning.every,
        horizonTicks === undefined
          ? Math.max(snapshotEvery, fps)
          : compactionPeriod(horizonTicks, snapshotEvery, fps),
        1,
        horizonTicks === undefined ? 2 ** 31 : Math.max(horizonTicks, snapshotEvery),
        true,
      ),
    };
  } else bad('snapshotThinning must be false or { afterTicks?, every? }');
  const settleTicks = num(
    'settleTicks',
    options.settleTicks,
    Math.min(horizonTicks ?? Number.POSITIVE_INFINITY, 10 * fps),
    1,
    Number.MAX_SAFE_INTEGER,
    true,
  );
  // With bounded history the snapshot ring reaches back over the horizon plus one compaction
  // period, so compaction always finds a snapshot at or before `tick - horizon` (a ring that
  // cannot is refused here). With full history it covers a minute of rollback (older rollbacks
  // re-simulate from the base: correct, only slower).
  const retention = horizonTicks === undefined ? 0 : compactionReach(horizonTicks, snapshotEvery, fps);
  const rollbackReach = Math.min(horizonTicks ?? Number.POSITIVE_INFINITY, 60 * fps);
  const maxSnapshots = num(
    'maxSnapshots',
    options.maxSnapshots,
    Math.max(128, Math.ceil(rollbackReach / snapshotEvery) + 4, Math.ceil(retention / snapshotEvery) + 2),
    1,
    1 << 20,
    true,
  );
  if (horizonTicks !== undefined && maxSnapshots * snapshotEvery < retention + snapshotEvery) {
    bad(
      `maxSnapshots × snapshotEvery (${maxSnapshots} × ${snapshotEvery}) must reach back over the ` +
        `history horizon plus one compaction period (${retention} ticks): use maxSnapshots >= ` +
        `${Math.ceil(retention / snapshotEvery) + 1}, a larger snapshotEvery or a shorter horizon`,
    );
  }
  // Reported hashes stay correctable (re-read after a deep rollback) for about 8 minutes at 1/s.
  const maxHashes = Math.max(512, Math.ceil(settleTicks / hashEvery) + 16);
  const syncIntervalMs = num('syncIntervalMs', options.syncIntervalMs, 1000, 1, 3_600_000);
  // SYNC schedule (the clock owns it): a burst of 8 at 250 ms on a new link, then syncIntervalMs.
  const clock: ClockOptions = {
    ...options.clock,
    fps,
    syncIntervalMs,
    syncBurst: options.clock?.syncBurst ?? 8,
    syncBurstIntervalMs: options.clock?.syncBurstIntervalMs ?? 250,
    // Witnessed event ticks are lowered by the largest stamping delay (see SyncExchange.witness).
    witnessSlackMs: options.clock?.witnessSlackMs ?? Math.max(5000, delay === 'auto' ? 0 : delay),
  };
  const catchUp = options.catchUp ?? {};
  if (catchUp === null || typeof catchUp !== 'object') bad('catchUp must be an object');
  const budgetMs = catchUp.budgetMs ?? 8;
  if (typeof budgetMs !== 'number' || Number.isNaN(budgetMs) || budgetMs <= 0)
    bad(`catchUp.budgetMs must be a positive number or Infinity, got ${String(catchUp.budgetMs)}`);
  const catchUpMaxTicks = num(
    'catchUp.maxTicksPerStep',
    catchUp.maxTicksPerStep,
    600 * fps,
    1,
    Number.MAX_SAFE_INTEGER,
    true,
  );
  const presence = options.presence ?? {};
  return {
    fps,
    delay,
    seed,
    appId,
    room: options.room,
    dial,
    redial,
    horizonTicks,
    snapshotJoin,
    snapshotEvery,
    maxSnapshots,
    snapshotThinning,
    maxHashes,
    hashEvery,
    settleTicks,
    clock,
    syncIntervalMs,
    hashIntervalMs: num('hashIntervalMs', options.hashIntervalMs, 5000, 1, 3_600_000),
    desyncConfirmMs: num('desyncConfirmMs', options.desyncConfirmMs, 15_000, 0, 3_600_000),
    gapGraceMs: num('gapGraceMs', options.gapGraceMs, 300, 0, 3_600_000),
    requestTimeoutMs: num('requestTimeoutMs', options.requestTimeoutMs, 1000, 1, 3_600_000),
    handshakeTimeoutMs: num('handshakeTimeoutMs', options.handshakeTimeoutMs, 10_000, 1, 3_600_000),
    snapshotTimeoutMs: num('snapshotTimeoutMs', options.snapshotTimeoutMs, 5000, 1, 3_600_000),
    aloneGraceMs: num('aloneGraceMs', options.aloneGraceMs, 1000, 0, 3_600_000),
    liveLagTicks: num(
      'liveLagTicks',
      options.liveLagTicks,
      Math.max(2, Math.ceil(fps / 5)),
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    maxFutureTicks: num(
      'maxFutureTicks',
      options.maxFutureTicks,
      600 * fps,
      1,
      Number.MAX_SAFE_INTEGER,
      true,
    ),
    catchUpBudgetMs: budgetMs,
    catchUpMaxTicks,
    verifyPeerIds: options.verifyPeerIds ?? true,
    trusted: options.trusted === true,
    presenceHops: num('presence.hops', presence.hops, 32, 0, 255, true),
    presenceHeartbeatMs: num('presence.heartbeatMs', presence.heartbeatMs, 15_000, 1, 3_600_000),
    presenceTtlMs: num('presence.ttlMs', presence.ttlMs, 45_000, 1, 86_400_000),
    quotas: resolveQuotas(options.quotas),
  };
}

/** The `offlineMerge` option, checked (default `'restamp'`). @internal */
export function checkOfflineMerge<E>(value: OfflineMerge<E> | undefined): OfflineMerge<E> {
  if (value === undefined) return 'restamp';
  if (value === 'restamp' || value === 'drop' || typeof value === 'function') return value;
  throw new PeerError('INVALID_OPTION', "offlineMerge is 'restamp', 'drop' or a function");
}
