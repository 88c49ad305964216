import { CodecError } from './errors.js';
import type {
  ByeFrame,
  EventsFrame,
  Frame,
  FrameType,
  FrontierEntry,
  FrontierFrame,
  HashFrame,
  HelloFrame,
  PresenceFrame,
  RequestFrame,
  SnapshotChunkFrame,
  SyncFrame,
  WireEvent,
} from './frames.js';
import { PROTOCOL_VERSION } from './frames.js';
import type { CodecLimits } from './limits.js';
import { MAX_WIRE_INTEGER, resolveLimits, SOURCE_TABLE_SIZE } from './limits.js';
import type { PayloadCodec } from './payload.js';
import { msgpackPayloadCodec } from './payload.js';
import {
  decodeAuth,
  decodeChallenge,
  decodeEvidence,
  encodeAuth,
  encodeChallenge,
  encodeEvidence,
} from './security.js';
import { HEX, Reader, utf8, Writer } from './wire.js';

/** The type byte of each frame kind (byte 1 of every frame; see PROTOCOL.md). */
export const FRAME_TYPE_CODES: Readonly<Record<FrameType, number>> = Object.freeze({
  hello: 0x01,
  frontier: 0x02,
  events: 0x03,
  request: 0x04,
  sync: 0x05,
  hash: 0x06,
  presence: 0x07,
  'snapshot-request': 0x08,
  snapshot: 0x09,
  bye: 0x0a,
  challenge: 0x0b,
  auth: 0x0c,
  evidence: 0x0d,
});

/** Bits of the per-event header byte in an `events` frame. */
const EV_SOURCE = 0x01;
const EV_NEXT_SEQ = 0x02;
const EV_SIGNED = 0x04;
const EV_RESERVED = 0x08;
/** Payloads up to this many bytes have their length in the header's high nibble. */
const INLINE_PAYLOAD_MAX = 14;
const SYNC_ECHO = 0x01;
const HASH_RE = /^[0-9a-f]{16}$/;

/** Options of {@link createCodec}. */
export interface CodecOptions<E> {
  /** Codec for event payloads (default {@link msgpackPayloadCodec}). */
  payload?: PayloadCodec<E>;
  /** Codec for presence `data` (default {@link msgpackPayloadCodec}). */
  presence?: PayloadCodec<unknown>;
  /** Overrides of {@link DEFAULT_LIMITS}. */
  limits?: Partial<CodecLimits>;
}

/**
 * Stateful encoder for one direction of one link. It interns peer ids: the first frame that
 * names an id carries the string and gives it the next table index; later frames send the index.
 * Frames must be sent in the order they were encoded, and all of them, or the receiver's table
 * falls out of step (an encode that throws leaves the table as it was).
 */
export interface FrameEncoder<E> {
  /** Bytes of `frame`. Throws {@link CodecError} for a frame that violates the format or limits. */
  encode(frame: Frame<E>): Uint8Array;
  /** Peer ids interned so far on this link (at most {@link SOURCE_TABLE_SIZE}). */
  readonly sourceCount: number;
}

/**
 * Stateful decoder for one direction of one link, mirroring the sender's {@link FrameEncoder}.
 * Feed it every frame of the link, in order.
 */
export interface FrameDecoder<E> {
  /**
   * The frame `bytes` encode. Throws {@link CodecError} and nothing else. After an error with
   * `fatal: true` the link should be closed; after `BAD_PAYLOAD` or `UNKNOWN_TYPE` the frame can
   * be dropped and the link kept.
   */
  decode(bytes: Uint8Array): Frame<E>;
  /** Peer ids interned so far on this link (at most {@link SOURCE_TABLE_SIZE}). */
  readonly sourceCount: number;
}

/** A configured codec: hands out one encoder/decoder per link direction. */
export interface Codec<E> {
  /**
   * A stateful per-link encoder: interns source peer ids (first use on the link carries the
   * string and assigns an index; later frames use the index), so long ids are not repeated per
   * event. One per link direction.
   */
  encoder(): FrameEncoder<E>;
  /** A stateful per-link decoder; pair it with the remote side's encoder. */
  decoder(): FrameDecoder<E>;
  /** The effective limits. */
  readonly limits: Readonly<CodecLimits>;
  /**
   * The payload codec's encoding of `payload` (what an event signature covers, see
   * `eventSignedBytes`). Throws {@link CodecError} `BAD_PAYLOAD` or `TOO_LARGE`.
   */
  payloadBytes(payload: E): Uint8Array;
}

/**
 * Create a codec. `E` is the event payload type; give `payload` for anything other than
 * JSON-like values.
 *
 * @example
 * ```ts
 * const codec = createCodec({ payload: rectangleKeyCodec });
 * const tx = codec.encoder(); // this side of the link
 * const rx = codec.decoder(); // the other side of the link
 * const bytes = tx.encode({ type: 'events', events: [{ source: 'alice', seq: 1, tick: 120, payload: 2 }] });
 * rx.decode(bytes); // same frame
 * ```
 */
export function createCodec<E = unknown>(options: CodecOptions<E> = {}): Codec<E> {
  const limits = resolveLimits(options.limits);
  const payload = (options.payload ?? msgpackPayloadCodec) as PayloadCodec<E>;
  const presence = options.presence ?? msgpackPayloadCodec;
  return {
    limits,
    encoder: () => new Encoder<E>(limits, payload, presence),
    decoder: () => new Decoder<E>(limits, payload, presence),
    payloadBytes: (value) => encodeWith(payload, value, limits.maxPayloadBytes, 'event.payload'),
  };
}

function outOfRange(what: string, value: unknown): CodecError {
  return new CodecError('OUT_OF_RANGE', `${what} out of range: ${String(value)}`);
}

function checkUint(value: number, what: string, min = 0, max = MAX_WIRE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) throw outOfRange(what, value);
  return value;
}

function checkArray<T>(value: readonly T[], max: number, what: string): readonly T[] {
  if (!Array.isArray(value)) throw new CodecError('BAD_FRAME', `${what} must be an array`);
  if (value.length > max) throw new CodecError('TOO_LARGE', `${what}: ${value.length} > limit ${max}`);
  return value;
}

function checkBytes(value: Uint8Array, max: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new CodecError('BAD_FRAME', `${what} must be a Uint8Array`);
  if (value.length > max) throw new CodecError('TOO_LARGE', `${what}: ${value.length} bytes > limit ${max}`);
  return value;
}

function stringBytes(value: string, max: number, what: string, allowEmpty: boolean): Uint8Array {
  if (typeof value !== 'string') throw new CodecError('BAD_FRAME', `${what} must be a string`);
  const bytes = utf8(value);
  if (bytes.length > max) throw new CodecError('TOO_LARGE', `${what}: ${bytes.length} bytes > limit ${max}`);
  if (!allowEmpty && bytes.length === 0) throw new CodecError('BAD_STRING', `${what} must not be empty`);
  return bytes;
}

function encodeWith<T>(codec: PayloadCodec<T>, value: T, max: number, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(value);
  } catch (cause) {
    if (cause instanceof CodecError && cause.code === 'BAD_PAYLOAD') throw cause;
    throw new CodecError('BAD_PAYLOAD', `${what} encode failed: ${String(cause)}`, { cause });
  }
  if (!(bytes instanceof Uint8Array)) throw new CodecError('BAD_PAYLOAD', `${what} codec returned no bytes`);
  if (bytes.length > max) throw new CodecError('TOO_LARGE', `${what}: ${bytes.length} bytes > limit ${max}`);
  return bytes;
}

class Encoder<E> implements FrameEncoder<E> {
  private readonly w = new Writer();
  private readonly ids = new Map<string, number>();
  private readonly order: string[] = [];

  constructor(
    private readonly limits: Readonly<CodecLimits>,
    private readonly payload: PayloadCodec<E>,
    private readonly presence: PayloadCodec<unknown>,
  ) {}

  get sourceCount(): number {
    return this.order.length;
  }

  encode(frame: Frame<E>): Uint8Array {
    const w = this.w;
    const mark = this.order.length;
    w.reset();
    try {
      if (frame === null || typeof frame !== 'object') throw new CodecError('BAD_FRAME', 'not a frame');
      const code = FRAME_TYPE_CODES[frame.type];
      if (code === undefined || !Object.hasOwn(FRAME_TYPE_CODES, frame.type)) {
        throw new CodecError('BAD_FRAME', `unknown frame type ${String(frame.type)}`);
      }
      if (frame.type === 'hello') w.u8(checkUint(frame.version, 'hello.version', 1, 255));
      else w.u8(PROTOCOL_VERSION);
      w.u8(code);
      switch (frame.type) {
        case 'hello':
          this.hello(frame);
          break;
        case 'frontier':
          this.frontier(frame);
          break;
        case 'events':
          this.events(frame);
          break;
        case 'request':
          this.request(frame);
          break;
        case 'sync':
          this.sync(frame);
          break;
        case 'hash':
          this.hash(frame);
          break;
        case 'presence':
          this.presenceFrame(frame);
          break;
        case 'snapshot-request':
          break;
        case 'snapshot':
          this.snapshot(frame);
          break;
        case 'bye':
          this.bye(frame);
          break;
        case 'challenge':
          encodeChallenge(w, frame);
          break;
        case 'auth':
          encodeAuth(w, frame, this.limits);
          break;
        case 'evidence':
          encodeEvidence(w, frame, this.limits, (value) =>
            encodeWith(this.payload, value, this.limits.maxPayloadBytes, 'evidence.payload'),
          );
          break;
      }
      if (w.pos > this.limits.maxFrameBytes) {
        throw new CodecError('TOO_LARGE', `frame of ${w.pos} bytes > limit ${this.limits.maxFrameBytes}`);
      }
      return w.finish();
    } catch (err) {
      // Forget ids defined by the frame that was never produced.
      for (let i = mark; i < this.order.length; i++) this.ids.delete(this.order[i]!);
      this.order.length = mark;
      if (err instanceof CodecError) throw err;
      throw new CodecError('BAD_FRAME', `cannot encode frame: ${String(err)}`, { cause: err });
    }
  }

  private str(bytes: Uint8Array): void {
    this.w.varint(bytes.length);
    this.w.bytes(bytes);
  }

  private peer(id: string, what: string): void {
    const index = this.ids.get(id);
    if (index !== undefined) {
      this.w.varint(index * 2);
      return;
    }
    const bytes = stringBytes(id, this.limits.maxIdLength, what, false);
    this.w.varint(bytes.length * 2 + 1);
    this.w.bytes(bytes);
    if (this.order.length < SOURCE_TABLE_SIZE) {
      this.ids.set(id, this.order.length);
      this.order.push(id);
    }
  }

  private hello(f: HelloFrame): void {
    const l = this.limits;
    this.str(stringBytes(f.room, l.maxIdLength, 'hello.room', true));
    this.w.varint(checkUint(f.fps, 'hello.fps', 1, l.maxFps));
    this.str(stringBytes(f.peerId, l.maxIdLength, 'hello.peerId', false));
    this.w.varint(checkUint(f.capabilities, 'hello.capabilities', 0, 0xffff_ffff));
    this.str(stringBytes(f.appId, l.maxIdLength, 'hello.appId', true));
  }

  private frontier(f: FrontierFrame): void {
    const entries = checkArray(f.entries, this.limits.maxFrontierEntries, 'frontier.entries');
    const seen = new Set<string>();
    this.w.varint(entries.length);
    for (const e of entries) {
      if (seen.has(e.source)) throw new CodecError('DUPLICATE', `frontier lists ${e.source} twice`);
      seen.add(e.source);
      this.peer(e.source, 'frontier.source');
      this.w.varint(checkUint(e.seq, 'frontier.seq'));
    }
  }

  private events(f: EventsFrame<E>): void {
    const l = this.limits;
    const w = this.w;
    const events = checkArray(f.events, l.maxBatchEvents, 'events');
    const n = events.length;
    w.varint(n);
    const lastSeq = n > 1 ? new Map<string, number>() : undefined;
    let prevSource: string | undefined;
    let prevSeq = 0;
    let prevTick = 0;
    for (let i = 0; i < n; i++) {
      const ev = events[i]!;
      const source = ev.source;
      const seq = checkUint(ev.seq, 'event.seq', 1);
      const tick = checkUint(ev.tick, 'event.tick');
      const body = encodeWith(this.payload, ev.payload, l.maxPayloadBytes, 'event.payload');
      const sig =
        ev.signature === undefined ? undefined : checkBytes(ev.signature, l.maxSignatureBytes, 'signature');
      const same = i > 0 && source === prevSource;
      let h = same ? 0 : EV_SOURCE;
      const last = same ? prevSeq : lastSeq?.get(source);
      if (last !== undefined && seq === last + 1) h |= EV_NEXT_SEQ;
      if (sig !== undefined) h |= EV_SIGNED;
      if (body.length <= INLINE_PAYLOAD_MAX) h |= (body.length + 1) << 4;
      w.u8(h);
      if (!same) this.peer(source, 'event.source');
      if ((h & EV_NEXT_SEQ) === 0) w.varint(seq);
      if (i === 0) w.varint(tick);
      else w.zigzag(tick - prevTick);
      if (body.length > INLINE_PAYLOAD_MAX) w.varint(body.length);
      w.bytes(body);
      if (sig !== undefined) {
        w.varint(sig.length);
        w.bytes(sig);
      }
      lastSeq?.set(source, seq);
      prevSource = source;
      prevSeq = seq;
      prevTick = tick;
    }
  }

  private request(f: RequestFrame): void {
    const ranges = checkArray(f.ranges, this.limits.maxRanges, 'request.ranges');
    this.w.varint(ranges.length);
    for (const r of ranges) {
      const from = checkUint(r.fromSeq, 'request.fromSeq', 1);
      const to = checkUint(r.toSeq, 'request.toSeq', from);
      this.peer(r.source, 'request.source');
      this.w.varint(from);
      this.w.varint(to - from);
    }
  }

  private sync(f: SyncFrame): void {
    const finite = (v: number, what: string, min = -Infinity) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw outOfRange(what, v);
      return v;
    };
    const w = this.w;
    const echo = f.echo;
    w.u8(echo === undefined ? 0 : SYNC_ECHO);
    w.f64(finite(f.time, 'sync.time'));
    w.f64(finite(f.tick, 'sync.tick', 0));
    if (echo !== undefined) {
      w.f64(finite(echo.time, 'sync.echo.time'));
      w.f64(finite(echo.holdMs, 'sync.echo.holdMs', 0));
    }
  }

  private hash(f: HashFrame): void {
    const reports = checkArray(f.reports, this.limits.maxHashReports, 'hash.reports');
    const w = this.w;
    w.varint(reports.length);
    let prevTick = 0;
    for (let i = 0; i < reports.length; i++) {
      const r = reports[i]!;
      const tick = checkUint(r.tick, 'hash.tick');
      if (typeof r.hash !== 'string' || !HASH_RE.test(r.hash))
        throw outOfRange('hash (16 lowercase hex)', r.hash);
      if (i === 0) w.varint(tick);
      else w.zigzag(tick - prevTick);
      prevTick = tick;
      w.ensure(8);
      for (let j = 0; j < 16; j += 2) w.u8(Number.parseInt(r.hash.slice(j, j + 2), 16));
    }
  }

  private presenceFrame(f: PresenceFrame): void {
    const l = this.limits;
    this.peer(f.source, 'presence.source');
    this.w.varint(checkUint(f.seq, 'presence.seq'));
    this.w.varint(checkUint(f.hops, 'presence.hops', 0, l.maxPresenceHops));
    this.str(encodeWith(this.presence, f.data, l.maxPresenceBytes, 'presence.data'));
  }

  private snapshot(f: SnapshotChunkFrame): void {
    const l = this.limits;
    const count = checkUint(f.count, 'snapshot.count', 1, l.maxSnapshotChunks);
    this.w.varint(checkUint(f.tick, 'snapshot.tick'));
    this.w.varint(checkUint(f.index, 'snapshot.index', 0, count - 1));
    this.w.varint(count);
    this.str(checkBytes(f.data, l.maxSnapshotChunkBytes, 'snapshot.data'));
  }

  private bye(f: ByeFrame): void {
    this.str(stringBytes(f.reason, this.limits.maxReasonBytes, 'bye.reason', true));
  }
}

class Decoder<E> implements FrameDecoder<E> {
  private readonly r = new Reader();
  private readonly table: string[] = [];
  private payloadError: CodecError | undefined;

  constructor(
    private readonly limits: Readonly<CodecLimits>,
    private readonly payload: PayloadCodec<E>,
    private readonly presence: PayloadCodec<unknown>,
  ) {}

  get sourceCount(): number {
    return this.table.length;
  }

  decode(bytes: Uint8Array): Frame<E> {
    const mark = this.table.length;
    this.payloadError = undefined;
    try {
      if (!(bytes instanceof Uint8Array)) throw new CodecError('BAD_FRAME', 'decode needs a Uint8Array');
      const frame = this.frame(bytes);
      const payloadError = this.payloadError;
      if (payloadError !== undefined) throw payloadError; // the table stays committed: not fatal
      return frame;
    } catch (err) {
      if (err instanceof CodecError) {
        if (err.fatal) this.table.length = mark;
        throw err;
      }
      this.table.length = mark;
      throw new CodecError('INTERNAL', `unexpected decoder failure: ${String(err)}`, { cause: err });
    } finally {
      this.payloadError = undefined;
      this.r.release();
    }
  }

  private frame(bytes: Uint8Array): Frame<E> {
    const l = this.limits;
    if (bytes.length > l.maxFrameBytes) {
      throw new CodecError('TOO_LARGE', `frame of ${bytes.length} bytes > limit ${l.maxFrameBytes}`);
    }
    const r = this.r;
    r.reset(bytes);
    const version = r.u8();
    const type = r.u8();
    if (version === 0) throw new CodecError('BAD_VERSION', 'version 0');
    // hello and bye keep their v1 layout in every version (extra trailing fields allowed above v1).
    const frozen = type === 0x01 || type === 0x0a;
    if (version !== PROTOCOL_VERSION && !frozen) {
      throw new CodecError('BAD_VERSION', `frame version ${version}, this codec speaks ${PROTOCOL_VERSION}`);
    }
    let frame: Frame<E>;
    switch (type) {
      case 0x01:
        frame = this.hello(version);
        break;
      case 0x02:
        frame = this.frontier();
        break;
      case 0x03:
        frame = this.events();
        break;
      case 0x04:
        frame = this.request();
        break;
      case 0x05:
        frame = this.sync();
        break;
      case 0x06:
        frame = this.hash();
        break;
      case 0x07:
        frame = this.presenceFrame();
        break;
      case 0x08:
        frame = { type: 'snapshot-request' };
        break;
      case 0x09:
        frame = this.snapshot();
        break;
      case 0x0a:
        frame = { type: 'bye', reason: r.string(l.maxReasonBytes, 'bye.reason') };
        break;
      case 0x0b:
        frame = decodeChallenge(r);
        break;
      case 0x0c:
        frame = decodeAuth(r, l);
        break;
      case 0x0d:
        frame = decodeEvidence(
          r,
          l,
          (bytes) => this.decodeWith(this.payload, bytes, 'evidence.payload') as E,
        );
        break;
      default:
        throw new CodecError('UNKNOWN_TYPE', `unknown frame type 0x${HEX[type]}`);
    }
    if (r.pos !== r.end && !(frozen && version > PROTOCOL_VERSION)) {
      throw new CodecError('TRAILING_BYTES', `${r.end - r.pos} bytes after a complete ${frame.type} frame`);
    }
    return frame;
  }

  private peer(what: string): string {
    const r = this.r;
    const ref = r.varint();
    if (ref % 2 === 0) {
      const id = this.table[ref / 2];
      if (id === undefined) throw new CodecError('UNKNOWN_SOURCE', `${what}: index ${ref / 2} not defined`);
      return id;
    }
    const n = (ref - 1) / 2;
    if (n > this.limits.maxIdLength) {
      throw new CodecError('TOO_LARGE', `${what}: ${n} bytes > limit ${this.limits.maxIdLength}`);
    }
    if (n === 0) throw new CodecError('BAD_STRING', `${what} must not be empty`);
    const id = r.utf8(n);
    if (this.table.length < SOURCE_TABLE_SIZE) this.table.push(id);
    return id;
  }

  private decodeWith<T>(codec: PayloadCodec<T>, bytes: Uint8Array, what: string): T | undefined {
    try {
      return codec.decode(bytes);
    } catch (cause) {
      this.payloadError ??=
        cause instanceof CodecError && cause.code === 'BAD_PAYLOAD'
          ? cause
          : new CodecError('BAD_PAYLOAD', `${what} decode failed: ${String(cause)}`, { cause });
      return undefined;
    }
  }

  private hello(version: number): HelloFrame {
    const r = this.r;
    const l = this.limits;
    const room = r.string(l.maxIdLength, 'hello.room');
    const fps = r.varint();
    if (fps < 1 || fps > l.maxFps) throw outOfRange('hello.fps', fps);
    const peerId = r.string(l.maxIdLength, 'hello.peerId');
    if (peerId.length === 0) throw new CodecError('BAD_STRING', 'hello.peerId must not be empty');
    const capabilities = r.varint();
    if (capabilities > 0xffff_ffff) throw outOfRange('hello.capabilities', capabilities);
    const appId = r.string(l.maxIdLength, 'hello.appId');
    return { type: 'hello', version, room, fps, peerId, capabilities, appId };
  }

  private frontier(): FrontierFrame {
    const r = this.r;
    const n = r.count(this.limits.maxFrontierEntries, 2, 'frontier.entries');
    const entries: FrontierEntry[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const source = this.peer('frontier.source');
      if (seen.has(source)) throw new CodecError('DUPLICATE', `frontier lists ${source} twice`);
      seen.add(source);
      entries.push({ source, seq: r.uint('frontier.seq') });
    }
    return { type: 'frontier', entries };
  }

  private events(): EventsFrame<E> {
    const r = this.r;
    const l = this.limits;
    const codec = this.payload;
    const n = r.count(l.maxBatchEvents, 2, 'events');
    const events: WireEvent<E>[] = [];
    const lastSeq = n > 1 ? new Map<string, number>() : undefined;
    let prevSource: string | undefined;
    let prevSeq = 0;
    let prevTick = 0;
    for (let i = 0; i < n; i++) {
      const h = r.u8();
      if ((h & EV_RESERVED) !== 0)
        throw new CodecError('BAD_FLAGS', `event header 0x${HEX[h]}: reserved bit`);
      let source: string;
      if ((h & EV_SOURCE) !== 0) source = this.peer('event.source');
      else if (prevSource !== undefined) source = prevSource;
      else throw new CodecError('UNKNOWN_SOURCE', 'first event of a batch must name its source');
      let seq: number;
      if ((h & EV_NEXT_SEQ) !== 0) {
        const last = source === prevSource ? prevSeq : lastSeq?.get(source);
        if (last === undefined) throw new CodecError('BAD_FLAGS', 'next-seq flag without an earlier event');
        seq = last + 1;
        if (seq > MAX_WIRE_INTEGER) throw outOfRange('event.seq', seq);
      } else {
        seq = r.uint('event.seq');
        if (seq === 0) throw outOfRange('event.seq', 0);
      }
      let tick: number;
      if (i === 0) tick = r.uint('event.tick');
      else {
        tick = prevTick + r.zigzag();
        if (tick < 0 || tick > MAX_WIRE_INTEGER) throw outOfRange('event.tick', tick);
      }
      let len = h >>> 4;
      if (len === 0) len = r.length(l.maxPayloadBytes, 'event.payload');
      else len -= 1;
      const payload = this.decodeWith(codec, r.view(len), 'event.payload') as E;
      if ((h & EV_SIGNED) !== 0) {
        const signature = r.view(r.length(l.maxSignatureBytes, 'event.signature')).slice();
        events.push({ source, seq, tick, payload, signature });
      } else {
        events.push({ source, seq, tick, payload });
      }
      lastSeq?.set(source, seq);
      prevSource = source;
      prevSeq = seq;
      prevTick = tick;
    }
    return { type: 'events', events };
  }

  private request(): RequestFrame {
    const r = this.r;
    const n = r.count(this.limits.maxRanges, 3, 'request.ranges');
    const ranges: { source: string; fromSeq: number; toSeq: number }[] = [];
    for (let i = 0; i < n; i++) {
      const source = this.peer('request.source');
      const fromSeq = r.uint('request.fromSeq');
      if (fromSeq === 0) throw outOfRange('request.fromSeq', 0);
      const toSeq = fromSeq + r.uint('request span');
      if (toSeq > MAX_WIRE_INTEGER) throw outOfRange('request.toSeq', toSeq);
      ranges.push({ source, fromSeq, toSeq });
    }
    return { type: 'request', ranges };
  }

  private sync(): SyncFrame {
    const r = this.r;
    const flags = r.u8();
    if ((flags & ~SYNC_ECHO) !== 0) throw new CodecError('BAD_FLAGS', `sync flags 0x${HEX[flags]}`);
    const time = r.f64('sync.time');
    const tick = r.f64('sync.tick');
    if (tick < 0) throw outOfRange('sync.tick', tick);
    if ((flags & SYNC_ECHO) === 0) return { type: 'sync', time, tick };
    const echoTime = r.f64('sync.echo.time');
    const holdMs = r.f64('sync.echo.holdMs');
    if (holdMs < 0) throw outOfRange('sync.echo.holdMs', holdMs);
    return { type: 'sync', time, tick, echo: { time: echoTime, holdMs } };
  }

  private hash(): HashFrame {
    const r = this.r;
    const n = r.count(this.limits.maxHashReports, 9, 'hash.reports');
    const reports: { tick: number; hash: string }[] = [];
    let prevTick = 0;
    for (let i = 0; i < n; i++) {
      let tick: number;
      if (i === 0) tick = r.uint('hash.tick');
      else {
        tick = prevTick + r.zigzag();
        if (tick < 0 || tick > MAX_WIRE_INTEGER) throw outOfRange('hash.tick', tick);
      }
      const b = r.view(8);
      const hash =
        HEX[b[0]!]! +
        HEX[b[1]!]! +
        HEX[b[2]!]! +
        HEX[b[3]!]! +
        HEX[b[4]!]! +
        HEX[b[5]!]! +
        HEX[b[6]!]! +
        HEX[b[7]!]!;
      reports.push({ tick, hash });
      prevTick = tick;
    }
    return { type: 'hash', reports };
  }

  private presenceFrame(): PresenceFrame {
    const r = this.r;
    const l = this.limits;
    const source = this.peer('presence.source');
    const seq = r.uint('presence.seq');
    const hops = r.varint();
    if (hops > l.maxPresenceHops) throw outOfRange('presence.hops', hops);
    const bytes = r.view(r.length(l.maxPresenceBytes, 'presence.data'));
    const data = this.decodeWith(this.presence, bytes, 'presence.data');
    return { type: 'presence', source, seq, hops, data };
  }

  private snapshot(): SnapshotChunkFrame {
    const r = this.r;
    const l = this.limits;
    const tick = r.uint('snapshot.tick');
    const index = r.varint();
    const count = r.varint();
    if (count < 1 || count > l.maxSnapshotChunks) throw outOfRange('snapshot.count', count);
    if (index >= count) throw outOfRange('snapshot.index', index);
    const data = r.view(r.length(l.maxSnapshotChunkBytes, 'snapshot.data')).slice();
    return { type: 'snapshot', tick, index, count, data };
  }
}
