/**
 * What a store passes to the conformance suite: how to open it, and the test hooks the medium
 * can offer.
 */
import type { StoreDamage } from '../damage.js';
import type { BatchOptions, PeerStore, StoreScope } from '../types.js';

/** How the conformance suite opens, crashes and damages the store under test. */
export interface StoreHarness {
  /** A fresh location no store has used (a file path, a database name). */
  location(): string | Promise<string>;
  /** Opens (creating when absent) the store at `location` for `scope`. */
  open(location: string, scope: StoreScope, options?: BatchOptions): Promise<PeerStore>;
  /**
   * Drops `store` as a crash would: queued writes lost, the medium released without a final
   * write (for a `BatchingStore`: `store.abandon()`). Enables the crash check.
   */
  crash?(store: PeerStore): void | Promise<void>;
  /**
   * Damages the (closed) store at `location`; resolves `false` when it has no such record.
   * Enables the integrity checks.
   */
  damage?(location: string, damage: StoreDamage): boolean | Promise<boolean>;
  /** Rewrites the (closed) store's header as written in format `version`. Enables the format check. */
  setFormatVersion?(location: string, version: number): void | Promise<void>;
  /** Runs after each check, once every store it opened was closed. */
  cleanup?(): void | Promise<void>;
  /** Runs per fast-check property; default 20 (each run opens a store or two). */
  propertyRuns?: number;
}
