import { describe, expect, it } from 'vitest';
import { claimPageStore, type PageStorage, pageStorePrefix } from '../src/persist.js';

// Which kept peer a tab takes: its own across reloads, a free one after a crash, never one that
// another running tab holds.

class MemoryStorage implements Storage {
  private readonly m = new Map<string, string>();
  get length(): number {
    return this.m.size;
  }
  clear(): void {
    this.m.clear();
  }
  getItem(k: string): string | null {
    return this.m.get(k) ?? null;
  }
  key(i: number): string | null {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string): void {
    this.m.delete(k);
  }
  setItem(k: string, v: string): void {
    this.m.set(k, v);
  }
}

/** One browser: the locks its running tabs hold and the databases on its disk. */
class FakeBrowser {
  readonly held = new Set<string>();
  readonly dbs = new Set<string>();
  readonly local = new MemoryStorage();
  private now = 1;

  /** A tab's view; `session` is that tab's sessionStorage. */
  tab(session: Storage = new MemoryStorage()): PageStorage & { session: Storage } {
    const held = this.held;
    const locks = {
      request: (name: string, _opts: LockOptions, cb: (lock: Lock | null) => unknown) => {
        if (held.has(name)) return Promise.resolve(cb(null));
        held.add(name);
        return Promise.resolve(cb({ name, mode: 'exclusive' }));
      },
      query: () => Promise.resolve({}),
    } as unknown as LockManager;
    const local = this.local;
    const stamped: Storage = Object.assign(Object.create(local) as Storage, {
      setItem: (k: string, v: string) =>
        local.setItem(k, k.startsWith('symmetric.used:') ? String(this.now++) : v),
      getItem: (k: string) => local.getItem(k),
    });
    return {
      session,
      local: stamped,
      locks,
      databases: () => Promise.resolve([...this.dbs].map((name) => ({ name, version: 1 }))),
    };
  }

  /** Opens a tab and records its database as kept on disk. */
  async open(session?: Storage): Promise<{ name: string; session: Storage }> {
    const env = this.tab(session);
    const name = await claimPageStore('room', 'app', env);
    this.dbs.add(name);
    return { name, session: env.session };
  }

  /** Every tab is gone at once (crash): locks released, per-tab storage lost. */
  crash(): void {
    this.held.clear();
  }
}

const prefix = pageStorePrefix('room', 'app');

describe('claimPageStore', () => {
  it('a reload keeps its own peer; a duplicated tab (a copy of sessionStorage) gets its own', async () => {
    const b = new FakeBrowser();
    const first = await b.open();
    expect(first.name.startsWith(prefix)).toBe(true);
    // A reload: the page's lock is released with the old document, the tab key stays.
    b.held.delete(first.name);
    expect((await b.open(first.session)).name).toBe(first.name);
    // A duplicated tab copies the key while the original still runs.
    const copy = new MemoryStorage();
    copy.setItem('symmetric.tab', first.session.getItem('symmetric.tab')!);
    const dup = await b.open(copy);
    expect(dup.name).not.toBe(first.name);
    expect(copy.getItem('symmetric.tab')).toBe(dup.name.slice(prefix.length));
  });

  it('after a crash, new tabs adopt the kept peers, most recently opened first, then fresh ones', async () => {
    const b = new FakeBrowser();
    const a = await b.open();
    const c = await b.open();
    b.crash();
    const first = await b.open();
    const second = await b.open();
    const third = await b.open();
    expect(first.name).toBe(c.name);
    expect(second.name).toBe(a.name);
    expect(new Set([a.name, c.name]).has(third.name)).toBe(false);
  });

  it('never adopts a peer a running tab holds, nor a database of another room', async () => {
    const b = new FakeBrowser();
    const running = await b.open();
    b.dbs.add(`${pageStorePrefix('other', 'app')}abcd`);
    const other = await b.open();
    expect(other.name).not.toBe(running.name);
    expect(other.name.startsWith(prefix)).toBe(true);
  });

  it('without Web Locks each tab keeps to its own key', async () => {
    const session = new MemoryStorage();
    const env: PageStorage = { session };
    const name = await claimPageStore('room', 'app', env);
    expect(await claimPageStore('room', 'app', env)).toBe(name);
    expect(await claimPageStore('room', 'app', {})).not.toBe(name);
  });
});
