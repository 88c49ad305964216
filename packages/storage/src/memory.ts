/**
 * The in-memory store: a {@link BatchingStore} over a {@link MemoryDisk}, for tests and the
 * simulator. Stores on one disk survive `close()` and reopening by name, as files would.
 */
import type { BackendContents, BackendMeta, BackendWrite, StoreBackend } from './backend.js';
import { BatchingStore } from './batching.js';
import { damageBlob, damageTarget, type StoreDamage } from './damage.js';
import { StoreError } from './errors.js';
import { checkStoreHeader, encodeStoreHeader } from './records.js';
import type { BatchOptions, StoreScope } from './types.js';

/** One stored record: its index columns, its blob and when it was written. */
interface MemoryRecord {
  readonly source: string;
  readonly seq: number;
  readonly tick: number;
  blob: Uint8Array;
  readonly order: number;
}

/** One store on a {@link MemoryDisk}. */
interface MemoryFile {
  readonly scope: StoreScope;
  header: Uint8Array;
  identity: Uint8Array | undefined;
  ownSeq: Uint8Array | undefined;
  readonly events: Map<string, MemoryRecord>;
  readonly snapshots: Map<number, MemoryRecord>;
  writes: number;
}

const eventKey = (source: string, seq: number): string => `${seq}:${source}`;

function lastWritten(records: Iterable<MemoryRecord>): MemoryRecord | undefined {
  let last: MemoryRecord | undefined;
  for (const r of records) if (last === undefined || r.order > last.order) last = r;
  return last;
}

/** Holds in-memory stores by name, as a file system holds files. */
export class MemoryDisk {
  private readonly files = new Map<string, MemoryFile>();

  /** Names of the stores on this disk. */
  names(): string[] {
    return [...this.files.keys()];
  }

  /** Removes the store `name`. */
  remove(name: string): void {
    this.files.delete(name);
  }

  /** Damages the store `name` (see {@link StoreDamage}); `false` when it has no such record. */
  damage(name: string, damage: StoreDamage): boolean {
    const file = this.files.get(name);
    if (file === undefined) return false;
    const { record, how } = damageTarget(damage);
    if (record === 'header') {
      file.header = damageBlob(file.header, how);
      return true;
    }
    const last = lastWritten(record === 'event' ? file.events.values() : file.snapshots.values());
    if (last === undefined) return false;
    last.blob = damageBlob(last.blob, how);
    return true;
  }

  /** Rewrites the header of the store `name` as if it had been written in format `version`. */
  setFormatVersion(name: string, version: number): void {
    const file = this.files.get(name);
    if (file === undefined) throw new Error(`no store "${name}" on this disk`);
    file.header = encodeStoreHeader(file.scope, version);
  }

  /** The store `name`, created (with its header) when absent. @internal */
  openFile(name: string, scope: StoreScope): MemoryFile {
    let file = this.files.get(name);
    if (file === undefined) {
      file = {
        scope,
        header: encodeStoreHeader(scope),
        identity: undefined,
        ownSeq: undefined,
        events: new Map(),
        snapshots: new Map(),
        writes: 0,
      };
      this.files.set(name, file);
    }
    return file;
  }
}

class MemoryBackend implements StoreBackend {
  private released = false;

  constructor(
    readonly location: string,
    private readonly file: MemoryFile,
  ) {}

  private live(): void {
    if (this.released) throw new StoreError('CLOSED', `${this.location}: released`);
  }

  async commit(writes: readonly BackendWrite[]): Promise<void> {
    this.live();
    const f = this.file;
    for (const w of writes) {
      switch (w.kind) {
        case 'meta':
          if (w.key === 'identity') f.identity = w.blob.slice();
          else f.ownSeq = w.blob.slice();
          break;
        case 'event': {
          const key = eventKey(w.source, w.seq);
          if (!f.events.has(key)) {
            f.events.set(key, {
              source: w.source,
              seq: w.seq,
              tick: w.tick,
              blob: w.blob.slice(),
              order: ++f.writes,
            });
          }
          break;
        }
        case 'snapshot':
          f.snapshots.set(w.tick, {
            source: '',
            seq: 0,
            tick: w.tick,
            blob: w.blob.slice(),
            order: ++f.writes,
          });
          break;
        case 'compact': {
          for (const [key, e] of f.events) if (e.tick < w.beforeTick) f.events.delete(key);
          let keep = -1;
          for (const tick of f.snapshots.keys()) if (tick <= w.beforeTick && tick > keep) keep = tick;
          for (const tick of [...f.snapshots.keys()]) if (tick < keep) f.snapshots.delete(tick);
          break;
        }
      }
    }
    await Promise.resolve();
  }

  async readMeta(): Promise<BackendMeta> {
    this.live();
    return { identity: this.file.identity?.slice(), ownSeq: this.file.ownSeq?.slice() };
  }

  async readAll(): Promise<BackendContents> {
    this.live();
    const f = this.file;
    return {
      identity: f.identity?.slice(),
      ownSeq: f.ownSeq?.slice(),
      events: [...f.events.values()].map((e) => ({
        source: e.source,
        seq: e.seq,
        tick: e.tick,
        blob: e.blob.slice(),
      })),
      snapshots: [...f.snapshots.values()].map((s) => ({ tick: s.tick, blob: s.blob.slice() })),
    };
  }

  async close(): Promise<void> {
    this.released = true;
  }

  abandon(): void {
    this.released = true;
  }
}

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions extends StoreScope, BatchOptions {
  /** The disk it lives on; default a disk of its own (gone with the store). */
  readonly disk?: MemoryDisk;
  /** Its name on the disk; default `"memory"`. */
  readonly name?: string;
}

/**
 * Opens (creating when absent) an in-memory store. Reopening a name on the same disk checks
 * the room, app and format version as a file-backed store does.
 *
 * ```ts
 * const disk = new MemoryDisk();
 * const store = await memoryStore({ room: 'lobby', appId: 'whiteboard', disk, name: 'peer-a' });
 * ```
 */
export async function memoryStore(options: MemoryStoreOptions): Promise<BatchingStore> {
  const disk = options.disk ?? new MemoryDisk();
  const name = options.name ?? 'memory';
  const scope: StoreScope = { room: options.room, appId: options.appId };
  const file = disk.openFile(name, scope);
  checkStoreHeader(file.header, scope, `memory:${name}`);
  return BatchingStore.open(new MemoryBackend(`memory:${name}`, file), scope, options);
}
