/**
 * Cost of persistence in a SQLite store: per own event (µs and bytes on disk), one transaction
 * per event and batched, with `synchronous` FULL and NORMAL; and resume time (open + `load()`)
 * for 10 000 and 100 000 held events. Prints a table. Run: `npm run bench -w @symmetric/storage-sqlite`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@symmetric/storage-sqlite';

const dir = mkdtempSync(join(tmpdir(), 'symmetric-sqlite-bench-'));
const scope = { room: 'bench', appId: 'bench-app' };
const PAYLOAD = 100; // bytes of one encoded event (a small app event plus an Ed25519 signature)
let files = 0;

function bytes(seq: number): Uint8Array {
  return new Uint8Array(PAYLOAD).map((_, i) => (seq * 13 + i) & 255);
}

function fileSize(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // absent
    }
  }
  return total;
}

interface Row {
  case: string;
  events: number;
  'µs/event': string;
  'bytes/event': string;
}

async function appendCase(
  name: string,
  events: number,
  burst: number,
  synchronous: 'full' | 'normal',
): Promise<Row> {
  const path = join(dir, `append-${files++}.db`);
  const store = await openSqliteStore({ ...scope, path, synchronous });
  store.setIdentity({ ...scope, peerId: 'me', incarnation: 0 });
  await store.flush();
  await store.close();
  const empty = fileSize(path);
  const reopened = await openSqliteStore({ ...scope, path, synchronous });
  const start = performance.now();
  let seq = 0;
  while (seq < events) {
    let ticket = 0;
    for (let i = 0; i < burst && seq < events; i++) {
      seq++;
      ticket = reopened.appendOwn({ source: 'me', seq, tick: seq, bytes: bytes(seq) });
    }
    await reopened.whenDurable(ticket);
  }
  const elapsed = performance.now() - start;
  await reopened.close(); // checkpoints the WAL into the file
  const size = fileSize(path) - empty;
  return {
    case: name,
    events,
    'µs/event': ((elapsed * 1000) / events).toFixed(1),
    'bytes/event': (size / events).toFixed(1),
  };
}

interface ResumeRow {
  'held events': number;
  'write (ms)': string;
  'open (ms)': string;
  'load() (ms)': string;
  'µs/event loaded': string;
  'file (MB)': string;
}

async function resumeCase(events: number): Promise<ResumeRow> {
  const path = join(dir, `resume-${files++}.db`);
  const store = await openSqliteStore({ ...scope, path, synchronous: 'normal' });
  store.setIdentity({ ...scope, peerId: 'me', incarnation: 0 });
  const sources = ['peer-a', 'peer-b', 'peer-c', 'peer-d', 'peer-e', 'peer-f', 'peer-g', 'peer-h'];
  const writeStart = performance.now();
  for (let at = 0; at < events; at += 1000) {
    const chunk = [];
    for (let i = at; i < Math.min(events, at + 1000); i++) {
      const source = sources[i % sources.length] as string;
      const seq = Math.floor(i / sources.length) + 1;
      chunk.push({ source, seq, tick: i, bytes: bytes(i) });
    }
    store.putEvents(chunk);
  }
  await store.flush();
  const writeMs = performance.now() - writeStart;
  await store.close();
  const openStart = performance.now();
  const reopened = await openSqliteStore({ ...scope, path });
  const openMs = performance.now() - openStart;
  const loadStart = performance.now();
  const state = await reopened.load();
  const loadMs = performance.now() - loadStart;
  if (state.events.length !== events || state.dropped.length !== 0) throw new Error('resume lost events');
  await reopened.close();
  return {
    'held events': events,
    'write (ms)': writeMs.toFixed(0),
    'open (ms)': openMs.toFixed(1),
    'load() (ms)': loadMs.toFixed(0),
    'µs/event loaded': ((loadMs * 1000) / events).toFixed(2),
    'file (MB)': (fileSize(path) / 1e6).toFixed(1),
  };
}

try {
  console.log(
    `SQLite store (node:sqlite ${process.versions.sqlite}, Node ${process.version}), events of ${PAYLOAD} bytes\n`,
  );
  console.log('Persistence of own events (appendOwn, then whenDurable of the burst):');
  console.table([
    await appendCase('1 per transaction, synchronous=FULL', 2_000, 1, 'full'),
    await appendCase('1 per transaction, synchronous=NORMAL', 2_000, 1, 'normal'),
    await appendCase('bursts of 10, synchronous=FULL', 20_000, 10, 'full'),
    await appendCase('bursts of 100, synchronous=FULL', 50_000, 100, 'full'),
    await appendCase('bursts of 1000, synchronous=FULL', 100_000, 1000, 'full'),
  ]);
  console.log('Resume (reopen the file, load() every held event, 8 sources):');
  console.table([await resumeCase(10_000), await resumeCase(100_000)]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
