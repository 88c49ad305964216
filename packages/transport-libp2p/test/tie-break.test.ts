import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHandshake, encodeReject } from '../src/handshake.js';
import { decideInbound } from '../src/inbound.js';

const LOW = 'peer-a';
const HIGH = 'peer-b';

describe('decideInbound (the tie-break for a HELLO)', () => {
  it('accepts a first stream from a neighbour', () => {
    expect(decideInbound(LOW, HIGH, 'n1', undefined, false)).toEqual({ kind: 'accept' });
    expect(decideInbound(HIGH, LOW, 'n1', undefined, false)).toEqual({ kind: 'accept' });
  });

  it('simultaneous dial: the lower peer id refuses, the higher accepts', () => {
    expect(decideInbound(LOW, HIGH, 'n1', undefined, true)).toMatchObject({
      kind: 'refuse',
      reason: expect.stringContaining('simultaneous dial'),
    });
    expect(decideInbound(HIGH, LOW, 'n1', undefined, true)).toEqual({ kind: 'accept' });
  });

  it('a linked neighbour with a new instance nonce restarted: its stale link is replaced', () => {
    for (const direction of ['inbound', 'outbound'] as const) {
      for (const [local, remote] of [
        [LOW, HIGH],
        [HIGH, LOW],
      ] as const) {
        expect(decideInbound(local, remote, 'new', { direction, remoteNonce: 'old' }, true)).toEqual({
          kind: 'replace',
          reason: 'neighbour restarted; replaced by its new link',
        });
      }
    }
  });

  it('same instance: a link the lower peer dialled is kept; otherwise the new stream replaces it', () => {
    const kept = (direction: 'inbound' | 'outbound') => ({ direction, remoteNonce: 'n1' });
    expect(decideInbound(LOW, HIGH, 'n1', kept('outbound'), false)).toEqual({
      kind: 'refuse',
      reason: 'a link to you already exists',
    });
    expect(decideInbound(HIGH, LOW, 'n1', kept('outbound'), false)).toMatchObject({ kind: 'replace' });
    // The neighbour dialled the kept link and dials again: it gave the old one up.
    expect(decideInbound(LOW, HIGH, 'n1', kept('inbound'), false)).toEqual({
      kind: 'replace',
      reason: 'neighbour re-dialled; replaced by its new link',
    });
    expect(decideInbound(HIGH, LOW, 'n1', kept('inbound'), false)).toMatchObject({ kind: 'replace' });
  });

  it('when both dial at once, exactly one of the two streams survives, on both sides', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (x, y) => {
        fc.pre(x !== y);
        // Each side receives the other's HELLO while its own dial is under way.
        const atX = decideInbound(x, y, 'ny', undefined, true).kind;
        const atY = decideInbound(y, x, 'nx', undefined, true).kind;
        expect([atX, atY].sort()).toEqual(['accept', 'refuse']);
        // The surviving stream is the one dialled by the lower id.
        const lower = x < y ? x : y;
        expect(atX === 'accept' ? y : x).toBe(lower);
      }),
    );
  });
});

describe('REJECT codes on the wire', () => {
  it('round-trip by name; an unknown byte decodes as UNKNOWN', () => {
    for (const code of ['DUPLICATE', 'STOPPING', 'UNSUPPORTED_VERSION'] as const) {
      expect(decodeHandshake(encodeReject(code, 'why'))).toEqual({
        kind: 'reject',
        version: 1,
        code,
        reason: 'why',
      });
    }
    const frame = encodeReject('DUPLICATE', '');
    expect(frame[5]).toBe(1);
    frame[5] = 200;
    expect(decodeHandshake(frame)).toMatchObject({ kind: 'reject', code: 'UNKNOWN' });
  });
});
