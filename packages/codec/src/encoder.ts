/** The frame encoder: frames to bytes, one per link (it interns source ids). */

import { checkArray, checkBytes, checkUint, encodeWith, outOfRange, stringBytes } from './checks.js';
import type { FrameEncoder } from './codec.js';
import { CodecError } from './errors.js';
import type {
  ByeFrame,
  EventsFrame,
  Frame,
  FrontierFrame,
  FrontierPrint,
  HashFrame,
  HelloFrame,
  PresenceFrame,
  RequestFrame,
  SnapshotChunkFrame,
  SyncFrame,
} from './frames.js';
import { MAX_FRONTIER_PRINTS, PROTOCOL_VERSION } from './frames.js';
import {
  EV_NEXT_SEQ,
  EV_RESTAMP,
  EV_SIGNED,
  EV_SOURCE,
  FRAME_TYPE_CODES,
  HASH_RE,
  INLINE_PAYLOAD_MAX,
  SYNC_ECHO,
} from './layout.js';
import type { CodecLimits } from './limits.js';
import type { PayloadCodec } from './payload.js';
import { encodeAuth, encodeChallenge, encodeEvidence } from './security.js';
import { SourceTable } from './source-table.js';
import { Writer } from './wire.js';

/**
 * The writer every encoder of the process writes its frames into (each frame is copied out
 * when done): encoding is synchronous, so one buffer, warm in the cache, serves every link,
 * where a buffer per link would be cold at each frame. An encode that starts while another is
 * in progress (a payload codec that encodes frames) uses a writer of its encoder's own.
 */
const sharedWriter = new Writer();
let sharedWriterBusy = false;

/** The type byte of an `events` frame. */
const EVENTS_CODE = FRAME_TYPE_CODES.events;

/** Event payload values whose bytes are kept per payload codec (a power of two). */
const PAYLOAD_MEMO = 8;

/**
 * The bytes of recent number and boolean event payloads of one payload codec, direct-mapped by
 * the value's low bits: links relay the same few values (an app's keys) over and over, and a
 * payload codec is deterministic, so each value is encoded once, not once per event and link.
 * The bytes are only ever copied into frames.
 */
interface PayloadMemo {
  readonly values: unknown[];
  readonly bytes: (Uint8Array | undefined)[];
}

const memos = new WeakMap<PayloadCodec<unknown>, PayloadMemo>();

/** The value of a lowercase hex digit's character code (the string was checked by HASH_RE). */
function hexDigit(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x57;
}

/** The memo of `codec` (made at its first encoder). */
function memoOf(codec: PayloadCodec<unknown>): PayloadMemo {
  let memo = memos.get(codec);
  if (memo === undefined) {
    memo = {
      values: new Array<unknown>(PAYLOAD_MEMO).fill(undefined),
      bytes: new Array<Uint8Array | undefined>(PAYLOAD_MEMO).fill(undefined),
    };
    memos.set(codec, memo);
  }
  return memo;
}

/** One link's frame encoder (its own source-id table). */
export class Encoder<E> implements FrameEncoder<E> {
  /** The writer of the frame in progress (the shared one, or {@link own} inside another encode). */
  private w: Writer = sharedWriter;
  /** This encoder's writer, made for an encode started while the shared writer is in use. */
  private own: Writer | undefined;
  private readonly table: SourceTable;
  /** Last seq of each source in the `events` frame being encoded (cleared per frame). */
  private readonly lastSeq = new Map<string, number>();
  /** Bytes of recent number and boolean payloads (shared by the encoders of one payload codec). */
  private readonly memo: PayloadMemo;

  /**
   * @param table the peer-id table (a fresh one by default; tests give a small one)
   */
  constructor(
    private readonly limits: Readonly<CodecLimits>,
    private readonly payload: PayloadCodec<E>,
    private readonly presence: PayloadCodec<unknown>,
    table?: SourceTable,
  ) {
    this.table = table ?? new SourceTable(true);
    this.memo = memoOf(payload);
  }

  get sourceCount(): number {
    return this.table.size;
  }

  dispose(): void {
    this.table.dispose();
  }

  encode(frame: Frame<E>): Uint8Array {
    const took = !sharedWriterBusy;
    let w = sharedWriter;
    if (took) sharedWriterBusy = true;
    else w = this.own ??= new Writer();
    this.w = w;
    this.table.begin();
    w.reset();
    try {
      if (frame === null || typeof frame !== 'object') throw new CodecError('BAD_FRAME', 'not a frame');
      if (frame.type === 'events') {
        // Most frames: no table look-up of the type needed.
        w.u8(PROTOCOL_VERSION);
        w.u8(EVENTS_CODE);
        this.events(frame);
        return this.finish();
      }
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
        case 'prints':
          this.prints(frame.prints, 'prints');
          break;
        case 'evidence':
          encodeEvidence(w, frame, this.limits, (value) =>
            encodeWith(this.payload, value, this.limits.maxPayloadBytes, 'evidence.payload'),
          );
          break;
      }
      return this.finish();
    } catch (err) {
      // Undo what the frame that was never produced did to the table.
      this.table.rollback();
      if (err instanceof CodecError) throw err;
      throw new CodecError('BAD_FRAME', `cannot encode frame: ${String(err)}`, { cause: err });
    } finally {
      if (took) sharedWriterBusy = false;
    }
  }

  /** The frame written, once it is known to be within the frame limit. */
  private finish(): Uint8Array {
    const w = this.w;
    if (w.pos > this.limits.maxFrameBytes) {
      throw new CodecError('TOO_LARGE', `frame of ${w.pos} bytes > limit ${this.limits.maxFrameBytes}`);
    }
    return w.finish();
  }

  private str(bytes: Uint8Array): void {
    this.w.varint(bytes.length);
    this.w.bytes(bytes);
  }

  private peer(id: string, what: string): void {
    const index = this.table.lookup(id);
    if (index >= 0) {
      this.w.varint(index * 2);
      return;
    }
    if (!this.w.asciiId(id, this.limits.maxIdLength)) {
      const bytes = stringBytes(id, this.limits.maxIdLength, what, false);
      this.w.varint(bytes.length * 2 + 1);
      this.w.bytes(bytes);
    }
    this.table.define(id);
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
      const above = e.above ?? [];
      if (above.length % 2 !== 0 || above.length / 2 > this.limits.maxFrontierRanges)
        throw outOfRange('frontier.above', above.length);
      this.w.varint(above.length / 2);
      let prev = e.seq;
      for (let i = 0; i < above.length; i += 2) {
        const from = checkUint(above[i]!, 'frontier.above', prev + 2);
        const to = checkUint(above[i + 1]!, 'frontier.above', from);
        this.w.varint(from - prev - 2);
        this.w.varint(to - from);
        prev = to;
      }
    }
    const prints = f.prints ?? [];
    if (prints.length > 0) this.prints(prints, 'frontier.prints');
  }

  private prints(prints: readonly FrontierPrint[], what: string): void {
    checkArray(prints, MAX_FRONTIER_PRINTS, what);
    if (prints.length === 0) throw outOfRange(what, 0);
    this.w.varint(prints.length);
    for (const p of prints) {
      this.w.varint(checkUint(p.tick, `${what}.tick`));
      this.w.varint(checkUint(p.count, `${what}.count`));
      this.w.varint(checkUint(p.digest, `${what}.digest`, 0, 2 ** 48 - 1));
    }
  }

  private events(f: EventsFrame<E>): void {
    const l = this.limits;
    const w = this.w;
    const events = checkArray(f.events, l.maxBatchEvents, 'events');
    const n = events.length;
    w.varint(n);
    const lastSeq = n > 1 ? this.lastSeq : undefined;
    lastSeq?.clear();
    let prevSource: string | undefined;
    let prevSeq = 0;
    let prevTick = 0;
    for (let i = 0; i < n; i++) {
      const ev = events[i]!;
      const source = ev.source;
      const seq = checkUint(ev.seq, 'event.seq', 1);
      const tick = checkUint(ev.tick, 'event.tick');
      const body = this.payloadBytes(ev.payload);
      const sig =
        ev.signature === undefined ? undefined : checkBytes(ev.signature, l.maxSignatureBytes, 'signature');
      const same = i > 0 && source === prevSource;
      let h = same ? 0 : EV_SOURCE;
      const last = same ? prevSeq : lastSeq?.get(source);
      if (last !== undefined && seq === last + 1) h |= EV_NEXT_SEQ;
      if (sig !== undefined) h |= EV_SIGNED;
      const restamps =
        ev.restamps === undefined ? undefined : checkUint(ev.restamps, 'event.restamps', 1, seq - 1);
      if (restamps !== undefined) h |= EV_RESTAMP;
      if (body.length <= INLINE_PAYLOAD_MAX) h |= (body.length + 1) << 4;
      w.u8(h);
      if (!same) this.peer(source, 'event.source');
      if ((h & EV_NEXT_SEQ) === 0) w.varint(seq);
      if (i === 0) w.varint(tick);
      else w.zigzag(tick - prevTick);
      if (restamps !== undefined) w.varint(seq - restamps);
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
    lastSeq?.clear(); // no frame's sources kept between frames
  }

  /** An event payload's bytes (from the memo for numbers and booleans seen lately). */
  private payloadBytes(payload: E): Uint8Array {
    const max = this.limits.maxPayloadBytes;
    const kind = typeof payload;
    if (kind !== 'number' && kind !== 'boolean')
      return encodeWith(this.payload, payload, max, 'event.payload');
    const memo = this.memo;
    const i = ((payload as number) | 0) & (PAYLOAD_MEMO - 1);
    const known = memo.bytes[i];
    if (known !== undefined && Object.is(memo.values[i], payload) && known.length <= max) return known;
    const bytes = encodeWith(this.payload, payload, max, 'event.payload');
    memo.values[i] = payload;
    memo.bytes[i] = bytes;
    return bytes;
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
      const hash = r.hash;
      for (let j = 0; j < 16; j += 2)
        w.u8((hexDigit(hash.charCodeAt(j)) << 4) | hexDigit(hash.charCodeAt(j + 1)));
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
