import type { App, EventContext } from '@symmetric/core';
import { host } from './context.js';
import { PeerError } from './errors.js';

/** Separates the peer id from the incarnation in an event source id. */
const INCARNATION_SEPARATOR = '~';
const INCARNATION = /^[0-9A-Za-z_-]{1,32}$/;

/** 16 random hex chars (the default peer id and incarnation). @internal */
export function randomId(): string {
  const bytes = new Uint8Array(8);
  host.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * The peer id of an event source id (`<peerId>~<incarnation>`): what the app sees as
 * `ctx.source`. A string without an incarnation is returned unchanged.
 *
 * @example
 * ```ts
 * peerIdOf('alice~5f3a9c'); // 'alice'
 * ```
 */
export function peerIdOf(source: string): string {
  const at = source.lastIndexOf(INCARNATION_SEPARATOR);
  return at < 0 ? source : source.slice(0, at);
}

/**
 * Check the peer id and incarnation and return the event source id `<peerId>~<incarnation>`.
 * @throws {@link PeerError} `INVALID_OPTION`
 * @internal
 */
export function sourceId(peerId: string, incarnation: string): string {
  if (typeof peerId !== 'string' || peerId.length === 0)
    throw new PeerError('INVALID_OPTION', 'peerId must be a non-empty string');
  if (typeof incarnation !== 'string' || !INCARNATION.test(incarnation))
    throw new PeerError('INVALID_OPTION', 'incarnation must be 1 to 32 characters of [0-9A-Za-z_-]');
  return `${peerId}${INCARNATION_SEPARATOR}${incarnation}`;
}

/**
 * Check that `source` fits the codec's id length limit.
 * @throws {@link PeerError} `INVALID_OPTION`
 * @internal
 */
export function checkSourceLength(source: string, maxIdLength: number): void {
  if (utf8Length(source) > maxIdLength)
    throw new PeerError(
      'INVALID_OPTION',
      `peerId + incarnation ('${source}') is longer than the codec's maxIdLength`,
    );
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * The app as the timeline runs it: `ctx.source` of an event is the peer id of its source (the
 * incarnation is an identity detail of the runtime), everything else is the app's own.
 * @internal
 */
export function withPeerIdSources<S, E>(app: App<S, E>): App<S, E> {
  const ctx = { tick: 0, random: undefined as unknown as EventContext['random'], source: '', seq: 0 };
  const wrapped = Object.create(app) as App<S, E>;
  wrapped.event = (state, event, inner) => {
    ctx.tick = inner.tick;
    ctx.random = inner.random;
    ctx.source = peerIdOf(inner.source);
    ctx.seq = inner.seq;
    return app.event(state, event, ctx);
  };
  return wrapped;
}
