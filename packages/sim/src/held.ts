/**
 * What each peer holds at the end, by user action (docs/simulator.md, "Offline metrics"): the
 * events its app applied in the last pass over every tick, each re-stamped event traced back to
 * the user action it merges, so a run says whether every user action is held exactly once.
 * @internal
 */
import type { App, TimelineEvent } from '@symmetric/core';
import { type OfflineMerge, peerIdOf, type SnapshotAdoptedInfo } from '@symmetric/peer';
import type { StoredSnapshot } from '@symmetric/storage';
import { ScenarioError } from './errors.js';

/** An event's id as the app sees it (`ctx.source` is the peer id, without the incarnation). */
const idOf = (source: string, seq: number): string => `${seq}:${peerIdOf(source)}`;

/**
 * The events one runtime's app applied, by tick, as of the last time it simulated that tick. A
 * runtime that started with the room simulated every tick it holds itself; one that adopted a
 * snapshot holds below its tick what the serving runtime applied there. Either way the union is
 * exactly what its state is built from (`whole`); a runtime resumed from a store is not
 * accounted for until it adopts a snapshot.
 * @internal
 */
export class AppliedLog {
  readonly #byTick = new Map<number, string[]>();
  #pending: string[] = [];
  /** `false` while the runtime's state holds events applied out of the run's sight (resumed from a store). */
  whole = true;

  /** The app `app`, recording into this log (its state and results unchanged). */
  observe<S, E>(app: App<S, E>): App<S, E> {
    return {
      ...app,
      init: (seed) => app.init(seed),
      event: (state, event, ctx) => {
        this.#pending.push(idOf(ctx.source, ctx.seq));
        return app.event(state, event, ctx);
      },
      tick: (state, ctx) => {
        this.#byTick.set(ctx.tick, this.#pending);
        this.#pending = [];
        return app.tick(state, ctx);
      },
    };
  }

  /**
   * The runtime adopted a snapshot of tick `tick` folding in, per source, the events up to
   * `frontier`'s seq, served by a runtime whose log is `from`: what it applied before is gone,
   * and the events folded in are what the server applied below that tick. Accounted for when the
   * server's log is whole and agrees with the frontier (the server may have moved on since it
   * served the snapshot: then it is not).
   */
  adopted(
    from: AppliedLog | undefined,
    tick: number,
    frontier: readonly (readonly [string, number])[],
  ): void {
    this.#byTick.clear();
    this.#pending = [];
    const folds = new Map<string, number>();
    for (const [source, seq] of frontier) if (seq > 0) folds.set(peerIdOf(source), seq);
    if (folds.size === 0) return;
    if (from === undefined || !from.whole) {
      this.whole = false;
      return;
    }
    const highest = new Map<string, number>();
    for (const [t, ids] of from.#byTick) {
      if (t >= tick) continue;
      // The lists are never changed once set, so sharing them is safe.
      this.#byTick.set(t, ids);
      for (const id of ids) {
        const at = id.indexOf(':');
        const source = id.slice(at + 1);
        const seq = Number(id.slice(0, at));
        if (seq > (highest.get(source) ?? 0)) highest.set(source, seq);
      }
    }
    this.whole =
      highest.size === folds.size && [...folds].every(([source, seq]) => highest.get(source) === seq);
  }

  /** Every event id applied in the last pass over each tick, with repeats (an id held twice appears twice). */
  applied(): string[] {
    const out: string[] = [];
    for (const ids of this.#byTick.values()) for (const id of ids) out.push(id);
    return out;
  }
}

/**
 * User actions and re-stamps of a run: every stamped own event is either a user action or the
 * re-stamp of an own event a re-base dropped, which merges that event's user action.
 * @internal
 */
export class ActionLedger {
  /** Per event id: the user action it carries (itself for a user action); `undefined`: not kept. */
  readonly #actionOf: Map<string, string> | undefined;
  /** Per scenario peer: the dropped events whose re-stamps come next, in order. */
  readonly #merging = new Map<number, string[]>();
  #actions = 0;

  /**
   * `keepIds` (default `true`): keep every event's user action, for {@link check}. Without it the
   * ledger only counts user actions, in memory that does not grow with the run.
   */
  constructor(keepIds = true) {
    this.#actionOf = keepIds ? new Map() : undefined;
  }

  /** User actions stamped so far. */
  get actions(): number {
    return this.#actions;
  }

  /**
   * `policy` (the peer's `offlineMerge`, default `'restamp'`) as a function that notes which
   * dropped events peer `peer`'s next stamps merge back (the same payloads, the same order).
   */
  wrap<E>(peer: number, policy: OfflineMerge<E> | undefined): OfflineMerge<E> {
    return (dropped: readonly TimelineEvent<E>[]) => {
      const again =
        policy === undefined || policy === 'restamp'
          ? dropped.map((e) => e.payload)
          : policy === 'drop'
            ? []
            : policy(dropped);
      const queue = this.#merging.get(peer) ?? [];
      for (let k = 0; k < Math.min(dropped.length, again.length); k++)
        queue.push(idOf(dropped[k]!.source, dropped[k]!.seq));
      this.#merging.set(peer, queue);
      return again;
    };
  }

  /** Peer `peer` stamped `event`: a re-stamp when a merge is under way, a user action otherwise. */
  stamped(peer: number, event: { readonly source: string; readonly seq: number }): void {
    const original = this.#merging.get(peer)?.shift();
    if (original === undefined) this.#actions++;
    const actionOf = this.#actionOf;
    if (actionOf === undefined) return;
    const id = idOf(event.source, event.seq);
    actionOf.set(id, original === undefined ? id : (actionOf.get(original) ?? original));
  }

  /**
   * Of the user actions, how many `ids` (what one peer applied) does not hold, and how many it
   * holds more than once (an event and its re-stamp both, or one event twice). Throws
   * {@link ScenarioError} `UNSUPPORTED` for a ledger that does not keep ids.
   */
  check(ids: readonly string[]): { readonly missing: number; readonly twice: number } {
    const actionOf = this.#actionOf;
    if (actionOf === undefined)
      throw new ScenarioError('UNSUPPORTED', '', 'this ledger counts user actions without keeping their ids');
    const held = new Map<string, number>();
    for (const id of ids) {
      const action = actionOf.get(id) ?? id;
      held.set(action, (held.get(action) ?? 0) + 1);
    }
    let twice = 0;
    for (const n of held.values()) if (n > 1) twice++;
    let present = 0;
    for (const [action, target] of actionOf) if (action === target && held.has(action)) present++;
    return { missing: this.#actions - present, twice };
  }
}

/**
 * The run's holdings: its {@link ActionLedger} and, in offline runs, each peer's current
 * runtime's {@link AppliedLog}, to say at the end whether every user action is held once.
 * @internal
 */
export class Holdings {
  readonly ledger: ActionLedger;
  readonly #logs: (AppliedLog | undefined)[];
  /** Scenario peer of each runtime's peer id (whose snapshot a runtime adopted). */
  readonly #index = new Map<string, number>();

  /** `track`: keep what each runtime applies (offline runs; it costs a call per tick). */
  constructor(
    peers: number,
    readonly track: boolean,
  ) {
    this.ledger = new ActionLedger(track);
    this.#logs = new Array(peers).fill(undefined);
  }

  /**
   * A new runtime of peer `i` (resumed from a store whose newest snapshot is `resumedFrom`: it
   * holds what its predecessor applied below that snapshot): its log, when tracking.
   */
  runtime(i: number, resumedFrom: StoredSnapshot | undefined): AppliedLog | undefined {
    const log = this.track ? new AppliedLog() : undefined;
    if (log !== undefined && resumedFrom !== undefined)
      log.adopted(this.#logs[i], resumedFrom.tick, [...resumedFrom.frontier]);
    this.#logs[i] = log;
    return log;
  }

  /** Peer `i`'s runtime has peer id `peerId` (kept when tracking: a runtime per restart). */
  named(i: number, peerId: string): void {
    if (this.track) this.#index.set(peerId, i);
  }

  /** Peer `i`'s runtime adopted a snapshot. */
  adopted(i: number, info: SnapshotAdoptedInfo): void {
    this.#logs[i]?.adopted(this.#logs[this.#index.get(info.peerId) ?? -1], info.tick, info.frontier);
  }

  /** What each witness applied: the online peers (`online(i)`) whose current runtime's log is whole. */
  witnesses(online: (i: number) => boolean): string[][] {
    const out: string[][] = [];
    this.#logs.forEach((log, i) => {
      if (log?.whole === true && online(i)) out.push(log.applied());
    });
    return out;
  }
}
