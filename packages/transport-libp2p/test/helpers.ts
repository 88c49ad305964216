import { ConformanceRecorder } from '@symmetric/transport/conformance';
import { createLibp2pTransport, type Libp2pTransport, type Libp2pTransportOptions } from '../src/index.js';

/** Transports started by a test file, stopped by {@link stopAll}. */
const live: Libp2pTransport[] = [];

/** Log lines captured from a transport's `log` option. */
export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly data: Record<string, unknown> | undefined;
}

/** A started transport on 127.0.0.1 with its recorder and captured log. */
export interface Started {
  readonly t: Libp2pTransport;
  readonly rec: ConformanceRecorder;
  readonly logs: LogLine[];
  readonly address: string;
}

/** Starts a transport listening on 127.0.0.1 (TCP) with a recorder as handler. */
export async function startTransport(label: string, options: Libp2pTransportOptions = {}): Promise<Started> {
  const logs: LogLine[] = [];
  const t = await createLibp2pTransport({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    dialTimeoutMs: 5_000,
    handshakeTimeoutMs: 3_000,
    log: (level, message, data) => logs.push({ level, message, data }),
    ...options,
  });
  const rec = new ConformanceRecorder(label);
  await t.start(rec);
  live.push(t);
  const address = t.addresses()[0];
  if (address === undefined) throw new Error(`${label}: no address`);
  return { t, rec, logs, address };
}

/** Stops every transport started through {@link startTransport}. */
export async function stopAll(): Promise<void> {
  const all = live.splice(0);
  await Promise.all(all.map((t) => t.stop()));
}

/** Resolves once `predicate()` holds; polls every 20 ms; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A small frame carrying `n`. */
export function frameOf(n: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, n);
  return bytes;
}

/** The number carried by {@link frameOf}. */
export function numberOf(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
}
