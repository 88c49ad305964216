import { describe, expect, it } from 'vitest';
import { Encoder } from '../src/encoder.js';
import type { Frame, PayloadCodec } from '../src/index.js';
import { createCodec, DEFAULT_LIMITS, msgpackPayloadCodec, rectangleKeyCodec } from '../src/index.js';
import { SourceTable } from '../src/source-table.js';
import { KEPT_BUFFER_BYTES, Writer } from '../src/wire.js';

/** A frontier naming `n` sources, each with a 60-character id (a key-derived id and an incarnation). */
function frontier(n: number): Frame<number> {
  const entries = Array.from({ length: n }, (_, i) => ({
    source: `12D3KooW${String(i).padStart(44, '0')}~${i}`,
    seq: i + 1,
  }));
  return { type: 'frontier', entries };
}

describe('an encoder keeps no buffer sized to the longest frame it sent', () => {
  it('a writer drops a buffer grown past what it keeps when the next frame starts', () => {
    const w = new Writer();
    w.bytes(new Uint8Array(100_000));
    expect(w.buf.length).toBeGreaterThanOrEqual(100_000);
    w.reset();
    expect(w.buf.length).toBeLessThanOrEqual(KEPT_BUFFER_BYTES);
    w.bytes(new Uint8Array(KEPT_BUFFER_BYTES));
    const kept = w.buf;
    w.reset();
    expect(w.buf).toBe(kept);
  });

  it('after a frontier naming 1,000 sources, the link keeps a small buffer and journal', () => {
    const table = new SourceTable(true);
    const tx = new Encoder<number>(DEFAULT_LIMITS, rectangleKeyCodec, msgpackPayloadCodec, table);
    const big = tx.encode(frontier(1000));
    expect(big.length).toBeGreaterThan(50_000);
    tx.encode({ type: 'frontier', entries: [] });
    const writer = Reflect.get(tx, 'w') as Writer;
    expect(writer.buf.length).toBeLessThanOrEqual(KEPT_BUFFER_BYTES);
    expect((Reflect.get(table, 'log') as Int32Array).length).toBeLessThanOrEqual(192);
    expect(table.size).toBe(1000);
  });
});

describe('encoders share one writer', () => {
  it('an encode started inside another (a payload codec that encodes frames) leaves both frames whole', () => {
    const inner = createCodec({ payload: rectangleKeyCodec });
    const innerTx = inner.encoder();
    const innerFrame = (seq: number): Frame<number> => ({
      type: 'events',
      events: [{ source: `inner-source-${seq}`, seq, tick: 1000 + seq, payload: seq % 5 }],
    });
    // Payloads are inner frames, encoded while the outer frame is being written.
    const nesting: PayloadCodec<number> = {
      encode: (seq) => innerTx.encode(innerFrame(seq)),
      decode: (bytes) => bytes.length,
    };
    const outerFrame: Frame<number> = {
      type: 'events',
      events: [1, 2, 3].map((seq) => ({ source: `outer-source-${seq}`, seq, tick: seq, payload: seq })),
    };
    const bytes = createCodec({ payload: nesting }).encoder().encode(outerFrame);
    // The same frame with the inner frames' bytes given outright (no encode inside an encode).
    const refTx = createCodec({ payload: rectangleKeyCodec }).encoder();
    const innerBytes = [1, 2, 3].map((seq) => refTx.encode(innerFrame(seq)));
    const flat: PayloadCodec<number> = { encode: (seq) => innerBytes[seq - 1]!, decode: (b) => b.length };
    expect(bytes).toEqual(createCodec({ payload: flat }).encoder().encode(outerFrame));
    expect(innerBytes[1]!.length).toBeGreaterThan(10);
    // The shared writer is free again: frames encoded afterwards are whole.
    const after = createCodec({ payload: rectangleKeyCodec }).encoder();
    expect(
      createCodec({ payload: rectangleKeyCodec })
        .decoder()
        .decode(after.encode(innerFrame(4))),
    ).toEqual(innerFrame(4));
  });
});
