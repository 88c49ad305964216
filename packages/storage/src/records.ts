/**
 * The record encodings every store writes (format version {@link STORE_FORMAT_VERSION}): each
 * record is a byte string ending in the CRC-32 of everything before it, so a backend only keeps
 * opaque blobs (plus the index columns it needs) and a damaged blob is always detected.
 *
 * Little-endian; `str` is a u32 byte length then UTF-8, `bytes` a u32 length then the bytes.
 *
 * | record | layout |
 * |---|---|
 * | header | `"SYMSTORE"`, u16 format version, str room, str appId, u32 crc |
 * | identity | u8 1, str room, str appId, str peerId, f64 incarnation, u8 hasKey, [bytes publicKey, bytes privateKey], u32 crc |
 * | own last seq | u8 2, f64 seq, u32 crc |
 * | event | u8 3, str source, f64 seq, f64 tick, bytes event, u32 crc |
 * | snapshot | u8 4, f64 tick, u32 n, n × (str source, f64 seq), bytes snapshot, u32 crc |
 *
 * The header's first ten bytes (magic and format version) keep this layout in every format
 * version, so any version can tell which one it is looking at.
 */
import { ByteReader, ByteWriter, Truncated } from './bytes.js';
import { crc32 } from './crc32.js';
import { StoreError } from './errors.js';
import type { PeerIdentity, StoredEvent, StoredSnapshot, StoreScope } from './types.js';

/** The record format this package writes and reads. */
export const STORE_FORMAT_VERSION = 1;

const MAGIC = 'SYMSTORE';
const Kind = { Identity: 1, OwnSeq: 2, Event: 3, Snapshot: 4 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** The outcome of decoding a record: its value, or why it is unusable. */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

function seal(w: ByteWriter): Uint8Array {
  const body = w.finish();
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body), true);
  return out;
}

/** Checks the trailing CRC, then runs `parse` over the body, which must consume it exactly. */
function open<T>(blob: Uint8Array, parse: (r: ByteReader) => T): Decoded<T> {
  if (!(blob instanceof Uint8Array)) return { ok: false, reason: 'not bytes' };
  if (blob.length < 5) return { ok: false, reason: `cut short (${blob.length} bytes)` };
  const end = blob.length - 4;
  const stored = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(end, true);
  if (crc32(blob, 0, end) !== stored) return { ok: false, reason: 'checksum mismatch' };
  const r = new ByteReader(blob, end);
  try {
    const value = parse(r);
    if (r.at !== end) return { ok: false, reason: `${end - r.at} stray bytes` };
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Truncated || e instanceof StoreError) return { ok: false, reason: e.message };
    throw e;
  }
}

function kind(r: ByteReader, expected: Kind): void {
  const k = r.u8();
  if (k !== expected) throw new Truncated(`record kind ${k}, expected ${expected}`);
}

/** The header of a store: its format version, room and app. */
export interface StoreHeader extends StoreScope {
  /** The format version it was written in. */
  readonly formatVersion: number;
}

/** Encodes a store header (`formatVersion` defaults to {@link STORE_FORMAT_VERSION}). */
export function encodeStoreHeader(
  scope: StoreScope,
  formatVersion: number = STORE_FORMAT_VERSION,
): Uint8Array {
  const w = new ByteWriter();
  for (let i = 0; i < MAGIC.length; i++) w.u8(MAGIC.charCodeAt(i));
  return seal(w.u16(formatVersion).str(scope.room).str(scope.appId));
}

/**
 * Reads a stored header and checks it against the scope being opened. Throws a
 * {@link StoreError}: `CORRUPT` (not a Symmetric store, or a damaged header),
 * `UNSUPPORTED_FORMAT`, `WRONG_ROOM` or `WRONG_APP`, each saying what was found.
 */
export function checkStoreHeader(blob: Uint8Array, scope: StoreScope, where: string): StoreHeader {
  if (!(blob instanceof Uint8Array) || blob.length < MAGIC.length + 2) {
    throw new StoreError('CORRUPT', `${where}: the store header is missing or cut short`);
  }
  const r = new ByteReader(blob);
  let magic = '';
  for (let i = 0; i < MAGIC.length; i++) magic += String.fromCharCode(r.u8());
  if (magic !== MAGIC)
    throw new StoreError('CORRUPT', `${where}: not a Symmetric store (no SYMSTORE header)`);
  const formatVersion = r.u16();
  if (formatVersion !== STORE_FORMAT_VERSION) {
    throw new StoreError(
      'UNSUPPORTED_FORMAT',
      `${where}: written in store format version ${formatVersion}; this version reads format ${STORE_FORMAT_VERSION}`,
    );
  }
  const decoded = open(blob, (rr) => {
    rr.raw(MAGIC.length + 2);
    return { formatVersion, room: rr.str(), appId: rr.str() };
  });
  if (!decoded.ok)
    throw new StoreError('CORRUPT', `${where}: the store header is damaged (${decoded.reason})`);
  const header = decoded.value;
  if (header.room !== scope.room) {
    throw new StoreError(
      'WRONG_ROOM',
      `${where}: the store belongs to room "${header.room}", not "${scope.room}"`,
    );
  }
  if (header.appId !== scope.appId) {
    throw new StoreError(
      'WRONG_APP',
      `${where}: the store belongs to app "${header.appId}", not "${scope.appId}"`,
    );
  }
  return header;
}

/** Encodes an identity record. */
export function encodeIdentity(identity: PeerIdentity): Uint8Array {
  const w = new ByteWriter(128)
    .u8(Kind.Identity)
    .str(identity.room)
    .str(identity.appId)
    .str(identity.peerId)
    .f64(identity.incarnation);
  if (identity.key === undefined) w.u8(0);
  else w.u8(1).bytes(identity.key.publicKey).bytes(identity.key.privateKey);
  return seal(w);
}

/** Decodes an identity record (the key bytes are copies). */
export function decodeIdentity(blob: Uint8Array): Decoded<PeerIdentity> {
  return open(blob, (r) => {
    kind(r, Kind.Identity);
    const room = r.str();
    const appId = r.str();
    const peerId = r.str();
    const incarnation = r.f64();
    const hasKey = r.u8();
    if (hasKey === 0) return { room, appId, peerId, incarnation };
    const publicKey = r.bytes().slice();
    const privateKey = r.bytes().slice();
    return { room, appId, peerId, incarnation, key: { publicKey, privateKey } };
  });
}

/** Encodes the own-last-seq record. */
export function encodeOwnSeq(seq: number): Uint8Array {
  return seal(new ByteWriter(16).u8(Kind.OwnSeq).f64(seq));
}

/** Decodes the own-last-seq record. */
export function decodeOwnSeq(blob: Uint8Array): Decoded<number> {
  return open(blob, (r) => {
    kind(r, Kind.OwnSeq);
    return r.f64();
  });
}

/** Encodes an event record. */
export function encodeEvent(event: StoredEvent): Uint8Array {
  return seal(
    new ByteWriter(event.bytes.length + event.source.length * 3 + 32)
      .u8(Kind.Event)
      .str(event.source)
      .f64(event.seq)
      .f64(event.tick)
      .bytes(event.bytes),
  );
}

/** Decodes an event record (its `bytes` is a view into `blob`). */
export function decodeEvent(blob: Uint8Array): Decoded<StoredEvent> {
  return open(blob, (r) => {
    kind(r, Kind.Event);
    const source = r.str();
    const seq = r.f64();
    const tick = r.f64();
    return { source, seq, tick, bytes: r.bytes() };
  });
}

/** Encodes a snapshot record (frontier entries in source order, so equal snapshots encode equally). */
export function encodeSnapshot(snapshot: StoredSnapshot): Uint8Array {
  const entries = [...snapshot.frontier].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const w = new ByteWriter(snapshot.bytes.length + entries.length * 24 + 32)
    .u8(Kind.Snapshot)
    .f64(snapshot.tick)
    .u32(entries.length);
  for (const [source, seq] of entries) w.str(source).f64(seq);
  return seal(w.bytes(snapshot.bytes));
}

/** Decodes a snapshot record (its `bytes` is a view into `blob`). */
export function decodeSnapshot(blob: Uint8Array): Decoded<StoredSnapshot> {
  return open(blob, (r) => {
    kind(r, Kind.Snapshot);
    const tick = r.f64();
    const n = r.u32();
    const frontier = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const source = r.str();
      frontier.set(source, r.f64());
    }
    return { tick, frontier, bytes: r.bytes() };
  });
}

const isCount = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;

/** Throws `BAD_INPUT` unless `event` is a well-formed {@link StoredEvent}. */
export function checkEvent(event: StoredEvent, what = 'event'): void {
  if (typeof event !== 'object' || event === null)
    throw new StoreError('BAD_INPUT', `${what} is not an object`);
  if (typeof event.source !== 'string' || event.source === '') {
    throw new StoreError('BAD_INPUT', `${what}: source must be a non-empty string`);
  }
  if (!isCount(event.seq, 1))
    throw new StoreError('BAD_INPUT', `${what}: seq ${event.seq} is not a positive integer`);
  if (!isCount(event.tick, 0)) {
    throw new StoreError('BAD_INPUT', `${what}: tick ${event.tick} is not a non-negative integer`);
  }
  if (!(event.bytes instanceof Uint8Array))
    throw new StoreError('BAD_INPUT', `${what}: bytes is not a Uint8Array`);
}

/** Throws `BAD_INPUT` unless `snapshot` is a well-formed {@link StoredSnapshot}. */
export function checkSnapshot(snapshot: StoredSnapshot): void {
  if (typeof snapshot !== 'object' || snapshot === null)
    throw new StoreError('BAD_INPUT', 'snapshot is not an object');
  if (!isCount(snapshot.tick, 0)) {
    throw new StoreError('BAD_INPUT', `snapshot tick ${snapshot.tick} is not a non-negative integer`);
  }
  if (!(snapshot.bytes instanceof Uint8Array))
    throw new StoreError('BAD_INPUT', 'snapshot bytes is not a Uint8Array');
  if (!(snapshot.frontier instanceof Map))
    throw new StoreError('BAD_INPUT', 'snapshot frontier is not a Map');
  for (const [source, seq] of snapshot.frontier) {
    if (typeof source !== 'string' || source === '' || !isCount(seq, 0)) {
      throw new StoreError(
        'BAD_INPUT',
        `snapshot frontier entry ${String(source)} → ${String(seq)} is malformed`,
      );
    }
  }
}

/** Throws `BAD_INPUT` / `BAD_IDENTITY` unless `identity` is well formed and of `scope`. */
export function checkIdentity(identity: PeerIdentity, scope: StoreScope): void {
  if (typeof identity !== 'object' || identity === null)
    throw new StoreError('BAD_INPUT', 'identity is not an object');
  if (typeof identity.peerId !== 'string' || identity.peerId === '') {
    throw new StoreError('BAD_INPUT', 'identity: peerId must be a non-empty string');
  }
  if (!isCount(identity.incarnation, 0)) {
    throw new StoreError(
      'BAD_INPUT',
      `identity: incarnation ${identity.incarnation} is not a non-negative integer`,
    );
  }
  const key = identity.key;
  if (
    key !== undefined &&
    (!(key.publicKey instanceof Uint8Array) || !(key.privateKey instanceof Uint8Array))
  ) {
    throw new StoreError('BAD_INPUT', 'identity: key.publicKey and key.privateKey must be Uint8Arrays');
  }
  if (identity.room !== scope.room) {
    throw new StoreError(
      'BAD_IDENTITY',
      `identity is for room "${identity.room}", the store for "${scope.room}"`,
    );
  }
  if (identity.appId !== scope.appId) {
    throw new StoreError(
      'BAD_IDENTITY',
      `identity is for app "${identity.appId}", the store for "${scope.appId}"`,
    );
  }
}
