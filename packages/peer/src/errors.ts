/**
 * Machine-readable reason of a {@link PeerError}.
 *
 * Boundary errors (one link misbehaved; at most that link is closed, the peer keeps running):
 * - `CODEC`: a frame could not be decoded (`cause` is the `CodecError`, `codecCode` its code).
 *   Fatal codec errors close the link; `BAD_PAYLOAD` / `UNKNOWN_TYPE` only drop the frame.
 * - `VERSION_MISMATCH`, `ROOM_MISMATCH`, `FPS_MISMATCH`, `APP_MISMATCH`: the neighbour's hello
 *   does not match this peer (protocol version, room, ticks per second, app id). Link closed.
 * - `SELF_LINK`: the neighbour has this peer's own id (a link to itself, or an id clash). Closed.
 * - `PEER_ID_MISMATCH`: the transport authenticated the neighbour (e.g. libp2p) under another id
 *   than its hello claims (see `verifyPeerIds`). Closed.
 * - `PROTOCOL`: a frame that is valid on the wire but not here (anything before `hello`, a
 *   second `hello`, a snapshot chunk nobody asked for, inconsistent chunk numbering). Closed.
 * - `OUT_OF_RANGE`: an event stamped absurdly far in the future: the offending frame is dropped
 *   and the link closed. Also thrown by `emit` when no event can be stamped (the clock is out of
 *   range). A request for a huge seq range is served in part, never closed on.
 * - `CLOCK_LIE`: a neighbour's SYNC claims a clock far ahead of the room's (beyond the clock's
 *   `lieThresholdMs`) and no other neighbour or signed event comes near it. Nothing is adopted;
 *   the link is closed.
 * - `HANDSHAKE_TIMEOUT`: no `hello` arrived within `handshakeTimeoutMs`. Closed.
 * - `OVERSIZED`: a frame this peer wanted to send exceeded the transport's or codec's limit
 *   even after splitting; the frame is dropped (repair will fetch the content later).
 * - `SNAPSHOT`: a snapshot received while joining could not be decoded or restored; the peer
 *   asks another neighbour. Also a snapshot refused before adoption (beyond `quotas.maxSnapshotBytes`
 *   or `maxSnapshotChunks`, or a frontier nobody else vouches for): the sender's link is closed.
 * - `QUOTA`: a neighbour went beyond one of the peer's `quotas` (event or presence rate, new
 *   sources, links). The link is closed (or, for a room-wide limit, the excess dropped).
 * - `TRANSPORT`: a transport reported a background failure (`cause` is its `TransportError`).
 * - `DIAL_FAILED`: dialling a configured address failed (the peer retries with back-off).
 * - `SEQ_CONFLICT`: a neighbour holds or sent events under this incarnation's source id that it
 *   never stamped (another peer runs with the same peer id and incarnation). Reported once per
 *   link; the events are taken like any other and own seqs continue above them.
 * - `AUTH_FAILED`: the neighbour did not prove its peer id (an id not derived from an Ed25519
 *   key, no `SignedEvents` capability, no `auth`, or an `auth` signature that does not verify
 *   over both nonces). Closed; `bye` says why.
 * - `NOT_ADMITTED`: the neighbour is not admitted to the room (wrong or missing shared secret,
 *   key not in `admission.allowedPeers`). Closed; `bye` says why.
 * - `REFUSED`: the neighbour refused this peer at the handshake (its `bye` reason is in the
 *   message). Reported once per address; the address is then redialled at the slowest pace.
 * - `BAD_SIGNATURE`: an event (or evidence) whose signature does not verify under its source's
 *   key. The frame is dropped and the link that sent it closed.
 * - `EQUIVOCATION`: a source signed two different events with the same seq. The source is
 *   excluded from that seq on (see the `peer:excluded` event); reported once per source.
 * - `BROADCAST`: a message from a transport's broadcast channel (`dissemination: 'broadcast'`)
 *   was malformed, undecodable (`codecCode`) or from another room, app or fps. Dropped (there
 *   is no link to close); counted in `stats().broadcast.rejected`.
 *
 * Local storage:
 * - `STORE`: the peer's store cannot be resumed from (unreadable, damaged, of another room, app
 *   or peer: `openPeer` rejects with it, `cause` is the store's `StoreError` when it raised
 *   one), a damaged record was dropped while loading (reported after attach), or a write
 *   failed (reported; own events are no longer sent, `emit` throws it).
 *
 * Local misuse (thrown synchronously to the caller, also counted):
 * - `INVALID_PAYLOAD`: `emit` got a payload the payload codec cannot encode.
 * - `INVALID_OPTION`: `createPeer` got an option out of range.
 * - `STOPPED`: `emit`/`step` after `stop()`.
 * - `INTERNAL`: an unexpected exception inside the runtime or a listener (a bug: reported, not thrown).
 */
export type PeerErrorCode =
  | 'CODEC'
  | 'VERSION_MISMATCH'
  | 'ROOM_MISMATCH'
  | 'FPS_MISMATCH'
  | 'APP_MISMATCH'
  | 'SELF_LINK'
  | 'PEER_ID_MISMATCH'
  | 'PROTOCOL'
  | 'OUT_OF_RANGE'
  | 'CLOCK_LIE'
  | 'QUOTA'
  | 'HANDSHAKE_TIMEOUT'
  | 'OVERSIZED'
  | 'SNAPSHOT'
  | 'TRANSPORT'
  | 'DIAL_FAILED'
  | 'SEQ_CONFLICT'
  | 'AUTH_FAILED'
  | 'NOT_ADMITTED'
  | 'REFUSED'
  | 'BAD_SIGNATURE'
  | 'EQUIVOCATION'
  | 'BROADCAST'
  | 'STORE'
  | 'INVALID_PAYLOAD'
  | 'INVALID_OPTION'
  | 'STOPPED'
  | 'INTERNAL';

/** The one error type of the peer runtime: reported through the `error` event and counted in `stats().errors`. */
export class PeerError extends Error {
  /** What went wrong, for programs. */
  readonly code: PeerErrorCode;
  /** The link concerned, when there is one. */
  readonly linkId: string | undefined;
  /** The neighbour concerned, when known. */
  readonly peerId: string | undefined;
  /** For `CODEC`: the `CodecError` code (e.g. `TRUNCATED`). */
  readonly codecCode: string | undefined;

  /**
   * @param code machine-readable reason
   * @param message human-readable detail
   * @param options the link / neighbour concerned, the codec code, the underlying error
   */
  constructor(
    code: PeerErrorCode,
    message: string,
    options?: {
      linkId?: string | undefined;
      peerId?: string | undefined;
      codecCode?: string;
      cause?: unknown;
    },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PeerError';
    this.code = code;
    this.linkId = options?.linkId;
    this.peerId = options?.peerId;
    this.codecCode = options?.codecCode;
    // Format the stack now: until it is read, the engine keeps every frame's receiver (the
    // peer's components, a stopped peer's whole timeline) alive for as long as the error is kept.
    void this.stack;
    if (options?.cause instanceof Error) void options.cause.stack;
  }
}

/** `true` when `value` is a {@link PeerError} (optionally with the given code). */
export function isPeerError(value: unknown, code?: PeerErrorCode): value is PeerError {
  return (
    value instanceof Error &&
    (value as { name?: unknown }).name === 'PeerError' &&
    (code === undefined || (value as PeerError).code === code)
  );
}
