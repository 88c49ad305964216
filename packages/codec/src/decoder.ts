/** The frame decoder: bytes to frames, strictly validated, one per link. */

import { outOfRange } from './checks.js';
import type { FrameDecoder } from './codec.js';
import { CodecError } from './errors.js';
import type {
  EventsFrame,
  Frame,
  FrontierEntry,
  FrontierFrame,
  FrontierPrint,
  HashFrame,
  HelloFrame,
  PresenceFrame,
  RequestFrame,
  SnapshotChunkFrame,
  SyncFrame,
  WireEvent,
} from './frames.js';
import { MAX_FRONTIER_PRINTS, PROTOCOL_VERSION } from './frames.js';
import { EV_NEXT_SEQ, EV_RESTAMP, EV_SIGNED, EV_SOURCE, SYNC_ECHO } from './layout.js';
import type { CodecLimits } from './limits.js';
import { MAX_WIRE_INTEGER } from './limits.js';
import type { PayloadCodec } from './payload.js';
import { decodeAuth, decodeChallenge, decodeEvidence } from './security.js';
import { SourceTable } from './source-table.js';
import { HEX, Reader } from './wire.js';

/** One link's frame decoder (its own source-id table). */
export class Decoder<E> implements FrameDecoder<E> {
  private readonly r = new Reader();
  private readonly table: SourceTable;
  private payloadError: CodecError | undefined;
  /** Last seq of each source in the `events` frame being decoded (cleared per frame). */
  private readonly lastSeq = new Map<string, number>();

  /**
   * @param table the peer-id table (a fresh one by default; tests give a small one)
   */
  constructor(
    private readonly limits: Readonly<CodecLimits>,
    private readonly payload: PayloadCodec<E>,
    private readonly presence: PayloadCodec<unknown>,
    table?: SourceTable,
  ) {
    this.table = table ?? new SourceTable(false);
  }

  get sourceCount(): number {
    return this.table.size;
  }

  dispose(): void {
    this.table.dispose();
  }

  decode(bytes: Uint8Array): Frame<E> {
    this.table.begin();
    this.payloadError = undefined;
    try {
      if (!(bytes instanceof Uint8Array)) throw new CodecError('BAD_FRAME', 'decode needs a Uint8Array');
      const frame = this.frame(bytes);
      const payloadError = this.payloadError;
      if (payloadError !== undefined) throw payloadError; // the table stays committed: not fatal
      return frame;
    } catch (err) {
      if (err instanceof CodecError) {
        if (err.fatal) this.table.rollback();
        throw err;
      }
      this.table.rollback();
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
      case 0x0e:
        frame = { type: 'prints', prints: this.prints('prints') };
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
      const id = this.table.at(ref / 2);
      if (id === undefined) throw new CodecError('UNKNOWN_SOURCE', `${what}: index ${ref / 2} not defined`);
      return id;
    }
    const n = (ref - 1) / 2;
    if (n > this.limits.maxIdLength) {
      throw new CodecError('TOO_LARGE', `${what}: ${n} bytes > limit ${this.limits.maxIdLength}`);
    }
    if (n === 0) throw new CodecError('BAD_STRING', `${what} must not be empty`);
    return this.table.define(r.utf8(n));
  }

  private decodeWith<T>(codec: PayloadCodec<T>, bytes: Uint8Array, what: string): T | undefined {
    try {
      return codec.decode(bytes);
    } catch (cause) {
      this.payloadFailed(cause, what);
      return undefined;
    }
  }

  /** The next `len` bytes through `codec`, read in place when the codec can. */
  private payloadOf(codec: PayloadCodec<E>, len: number, what: string): E | undefined {
    const r = this.r;
    if (codec.decodeAt === undefined) return this.decodeWith(codec, r.view(len), what);
    const start = r.skip(len);
    try {
      return codec.decodeAt(r.buf, start, start + len);
    } catch (cause) {
      this.payloadFailed(cause, what);
      return undefined;
    }
  }

  /** Record the frame's first payload failure (thrown once the frame is decoded: not fatal). */
  private payloadFailed(cause: unknown, what: string): void {
    this.payloadError ??=
      cause instanceof CodecError && cause.code === 'BAD_PAYLOAD'
        ? cause
        : new CodecError('BAD_PAYLOAD', `${what} decode failed: ${String(cause)}`, { cause });
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
    const n = r.count(this.limits.maxFrontierEntries, 3, 'frontier.entries');
    const entries: FrontierEntry[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const source = this.peer('frontier.source');
      if (seen.has(source)) throw new CodecError('DUPLICATE', `frontier lists ${source} twice`);
      seen.add(source);
      const seq = r.uint('frontier.seq');
      const pairs = r.count(this.limits.maxFrontierRanges, 2, 'frontier.above');
      if (pairs === 0) {
        entries.push({ source, seq });
        continue;
      }
      const above: number[] = [];
      let prev = seq;
      for (let k = 0; k < pairs; k++) {
        const from = prev + 2 + r.uint('frontier.above');
        const to = from + r.uint('frontier.above');
        if (to > MAX_WIRE_INTEGER) throw outOfRange('frontier.above', to);
        above.push(from, to);
        prev = to;
      }
      entries.push({ source, seq, above });
    }
    if (r.pos === r.end) return { type: 'frontier', entries };
    return { type: 'frontier', entries, prints: this.prints('frontier.prints') };
  }

  private prints(what: string): FrontierPrint[] {
    const r = this.r;
    const m = r.count(MAX_FRONTIER_PRINTS, 3, what);
    if (m === 0) throw outOfRange(what, 0);
    const prints: FrontierPrint[] = [];
    for (let i = 0; i < m; i++) {
      const tick = r.uint(`${what}.tick`);
      const count = r.uint(`${what}.count`);
      const digest = r.uint(`${what}.digest`);
      if (digest >= 2 ** 48) throw outOfRange(`${what}.digest`, digest);
      prints.push({ tick, count, digest });
    }
    return prints;
  }

  private events(): EventsFrame<E> {
    const r = this.r;
    const l = this.limits;
    const codec = this.payload;
    const n = r.count(l.maxBatchEvents, 2, 'events');
    const events: WireEvent<E>[] = [];
    const lastSeq = n > 1 ? this.lastSeq : undefined;
    lastSeq?.clear();
    let prevSource: string | undefined;
    let prevSeq = 0;
    let prevTick = 0;
    for (let i = 0; i < n; i++) {
      const h = r.u8();
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
      let restamps: number | undefined;
      if ((h & EV_RESTAMP) !== 0) {
        const back = r.uint('event.restamps');
        if (back === 0 || back >= seq) throw outOfRange('event.restamps', seq - back);
        restamps = seq - back;
      }
      let len = h >>> 4;
      if (len === 0) len = r.length(l.maxPayloadBytes, 'event.payload');
      else len -= 1;
      const payload = this.payloadOf(codec, len, 'event.payload') as E;
      const ev: {
        source: string;
        seq: number;
        tick: number;
        payload: E;
        restamps?: number;
        signature?: Uint8Array;
      } = { source, seq, tick, payload };
      if (restamps !== undefined) ev.restamps = restamps;
      if ((h & EV_SIGNED) !== 0) ev.signature = r.copy(r.length(l.maxSignatureBytes, 'event.signature'));
      events.push(ev);
      lastSeq?.set(source, seq);
      prevSource = source;
      prevSeq = seq;
      prevTick = tick;
    }
    lastSeq?.clear(); // no frame's sources kept between frames
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
    const data = r.copy(r.length(l.maxSnapshotChunkBytes, 'snapshot.data'));
    return { type: 'snapshot', tick, index, count, data };
  }
}
