import {
  type BackendWrite,
  BatchingStore,
  checkStoreHeader,
  crc32,
  encodeStoreHeader,
  isStoreError,
  memoryStore,
  STORE_FORMAT_VERSION,
  type StoreBackend,
  StoreError,
} from '@symmetric/storage';
import { describe, expect, it } from 'vitest';

const scope = { room: 'r', appId: 'app' };
const me = { ...scope, peerId: 'me', incarnation: 0 };

/** A backend whose commits fail once `failing` is set. */
class FlakyBackend implements StoreBackend {
  readonly location = 'flaky';
  failing = false;
  commits: BackendWrite[][] = [];
  async commit(writes: readonly BackendWrite[]): Promise<void> {
    if (this.failing) throw new Error('disk full');
    this.commits.push([...writes]);
  }
  async readMeta() {
    return { identity: undefined, ownSeq: undefined };
  }
  async readAll() {
    return { identity: undefined, ownSeq: undefined, events: [], snapshots: [] };
  }
  async close(): Promise<void> {}
}

describe('crc32', () => {
  it('matches the standard check value and detects a flipped bit', () => {
    const data = Uint8Array.from('123456789', (c) => c.charCodeAt(0));
    expect(crc32(data)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
    data[3] = (data[3] as number) ^ 1;
    expect(crc32(data)).not.toBe(0xcbf43926);
  });
});

describe('store header', () => {
  it('round trips and names what differs', () => {
    const blob = encodeStoreHeader(scope);
    expect(checkStoreHeader(blob, scope, 'x')).toEqual({ ...scope, formatVersion: STORE_FORMAT_VERSION });
    expect(() => checkStoreHeader(blob, { ...scope, room: 'q' }, 'x')).toThrow(/room "r", not "q"/);
    expect(() => checkStoreHeader(encodeStoreHeader(scope, 9), scope, 'x')).toThrow(/format version 9/);
    expect(() =>
      checkStoreHeader(
        Uint8Array.from('SQLite format 3', (c) => c.charCodeAt(0)),
        scope,
        'x',
      ),
    ).toThrow(/not a Symmetric store/);
    try {
      checkStoreHeader(blob.slice(0, 12), scope, 'x');
    } catch (e) {
      expect(isStoreError(e) && e.code).toBe('CORRUPT');
    }
  });
});

describe('BatchingStore', () => {
  it('coalesces the own-seq meta writes of a burst into one write per batch', async () => {
    const backend = new FlakyBackend();
    const store = await BatchingStore.open(backend, scope);
    store.setIdentity(me);
    for (let seq = 1; seq <= 50; seq++)
      store.appendOwn({ source: 'me', seq, tick: seq, bytes: new Uint8Array(1) });
    await store.flush();
    const writes = backend.commits.flat();
    expect(writes.filter((w) => w.kind === 'event')).toHaveLength(50);
    expect(writes.filter((w) => w.kind === 'meta' && w.key === 'own-seq')).toHaveLength(
      backend.commits.length,
    );
  });

  it('a failed batch rejects its waiters with WRITE_FAILED, reports it once, and the store accepts nothing more', async () => {
    const backend = new FlakyBackend();
    const store = await BatchingStore.open(backend, scope);
    const errors: StoreError[] = [];
    store.onError((e) => errors.push(e));
    store.setIdentity(me);
    await store.flush();
    backend.failing = true;
    const t = store.appendOwn({ source: 'me', seq: 1, tick: 1, bytes: new Uint8Array(1) });
    await expect(store.whenDurable(t)).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    expect(errors.map((e) => e.code)).toEqual(['WRITE_FAILED']);
    expect(errors[0]?.message).toMatch(/disk full/);
    expect(store.durableTicket).toBe(t - 1);
    expect(() => store.putEvents([])).toThrow(StoreError);
    await expect(store.flush()).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    await expect(store.load()).rejects.toMatchObject({ code: 'WRITE_FAILED' });
  });

  it('memoryStore without a disk keeps nothing across instances', async () => {
    const a = await memoryStore(scope);
    a.putEvents([{ source: 's', seq: 1, tick: 0, bytes: new Uint8Array(1) }]);
    await a.close();
    const b = await memoryStore(scope);
    expect((await b.load()).events).toEqual([]);
  });
});
