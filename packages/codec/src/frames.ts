/**
 * Every frame that crosses a Symmetric transport, as plain objects. `@symmetric/codec` turns
 * these into bytes and back; the peer runtime produces and consumes them. Peer ids are full
 * strings here: the wire format interns them per link so long ids are not repeated.
 *
 * Generic parameter `E` is the app's event payload type (encoded by a pluggable
 * payload codec); presence data is any JSON-like value.
 */

/** Protocol version carried in every handshake and frame envelope. */
export const PROTOCOL_VERSION = 5;

/** Capability bits announced in the handshake. */
export const Capability = {
  /** Can serve a snapshot to a joining peer. */
  SnapshotServe: 1,
  /** Wants to join from a snapshot rather than replaying full history. */
  SnapshotJoin: 2,
  /**
   * Authenticated: proves possession of the key its peer id is derived from (`challenge` and
   * `auth` follow its hello), signs its events, and floods `evidence` of equivocation.
   */
  SignedEvents: 4,
  /** Keeps full history (the paper's mode, no compaction). */
  FullHistory: 8,
} as const;

/** First frame on every link, both directions. */
export interface HelloFrame {
  readonly type: 'hello';
  /** Protocol version of the sender. */
  readonly version: number;
  /** Room (app session) id; peers in different rooms never talk. */
  readonly room: string;
  /** Ticks per second; must match between peers. */
  readonly fps: number;
  /** Sender's peer id. */
  readonly peerId: string;
  /** Bitwise OR of {@link Capability} flags. */
  readonly capabilities: number;
  /** Hash of the app's code/version so mismatched apps never share a room (may be empty). */
  readonly appId: string;
}

/**
 * One source's position: the highest contiguous `seq` held from `source` (0 = none), and the
 * seqs held beyond a hole above it.
 */
export interface FrontierEntry {
  readonly source: string;
  readonly seq: number;
  /**
   * Seqs held above `seq + 1` (so past a hole), as `[from, to]` pairs: ascending, each `from` at
   * least two above the previous `to` (or above `seq`), `from <= to`. Absent when none; at most
   * `maxFrontierRanges` pairs.
   */
  readonly above?: readonly number[];
}

/**
 * A print of the sender's history at a mark: how many events it settled with a tick before
 * `tick`, and a digest of their identities (below 2^48).
 */
export interface FrontierPrint {
  readonly tick: number;
  readonly count: number;
  readonly digest: number;
}

/**
 * Most prints one `frontier` or `prints` frame carries: as many as a timeline keeps (core's
 * `KEPT_PRINTS`), so a neighbour can compare two histories from the oldest mark both kept.
 */
export const MAX_FRONTIER_PRINTS = 64;

/** The sender's frontier vector; sent on every (re)connection and when asked. */
export interface FrontierFrame {
  readonly type: 'frontier';
  readonly entries: readonly FrontierEntry[];
  /**
   * Prints of the sender's history at its newest marks, oldest first (at most
   * {@link MAX_FRONTIER_PRINTS}): what two histories are compared on once the sources that tell
   * them apart are forgotten. Absent when it has none.
   */
  readonly prints?: readonly FrontierPrint[];
}

/** One application event, identified by `(source, seq)`, applied at `tick`. */
export interface WireEvent<E> {
  readonly source: string;
  /** The source's own counter, starting at 1. */
  readonly seq: number;
  readonly tick: number;
  readonly payload: E;
  /**
   * A re-stamp: the seq (below `seq`) of the same source's event whose user action this one
   * carries again, after a re-base dropped that event. Covered by the signature.
   */
  readonly restamps?: number;
  /** Optional signature over the event by the source's key. */
  readonly signature?: Uint8Array;
}

/** A batch of events (new ones being flooded, or a repair). */
export interface EventsFrame<E> {
  readonly type: 'events';
  readonly events: readonly WireEvent<E>[];
}

/** Ask for events `fromSeq..toSeq` (inclusive) of each listed source. */
export interface RequestFrame {
  readonly type: 'request';
  readonly ranges: readonly { readonly source: string; readonly fromSeq: number; readonly toSeq: number }[];
}

/**
 * Clock SYNC (see `@symmetric/clock-sync`). `time` is the sender's local monotonic clock in ms
 * when sent; `tick` the sender's (fractional) tick at that moment; `echo`, when present,
 * returns the `time` of the last SYNC received from the receiver and how long the sender held
 * it before replying, so the receiver can compute the round trip.
 */
export interface SyncFrame {
  readonly type: 'sync';
  readonly time: number;
  readonly tick: number;
  readonly echo?: { readonly time: number; readonly holdMs: number };
}

/** State-hash reports for settled ticks, for desync detection. Hash: 16 lowercase hex chars. */
export interface HashFrame {
  readonly type: 'hash';
  readonly reports: readonly { readonly tick: number; readonly hash: string }[];
}

/** Ephemeral data (presence, cursors) that never enters the timeline. */
export interface PresenceFrame {
  readonly type: 'presence';
  /** Peer the data is about. */
  readonly source: string;
  /** Per-source counter; newer replaces older, used for dedup when relayed. */
  readonly seq: number;
  /** Remaining relay hops (0 = do not forward). */
  readonly hops: number;
  /** Any JSON-like value; `null` means the source went away. */
  readonly data: unknown;
}

/** Ask the neighbour for its newest settled snapshot. */
export interface SnapshotRequestFrame {
  readonly type: 'snapshot-request';
}

/** One chunk of a snapshot blob; chunks `0..count-1` concatenated give the blob. */
export interface SnapshotChunkFrame {
  readonly type: 'snapshot';
  /** Tick the snapshot is of; identifies the transfer together with the link. */
  readonly tick: number;
  readonly index: number;
  readonly count: number;
  readonly data: Uint8Array;
}

/** Last frame before a deliberate close. */
export interface ByeFrame {
  readonly type: 'bye';
  readonly reason: string;
}

/**
 * Sent right behind the hello by a peer announcing {@link Capability.SignedEvents}: fresh random
 * bytes the neighbour must sign (in its `auth`) together with its own nonce and the room.
 */
export interface ChallengeFrame {
  readonly type: 'challenge';
  /** 16 to 64 random bytes, never reused. */
  readonly nonce: Uint8Array;
}

/**
 * Proof of possession: the sender's signature over {@link authSignedBytes} of the room, both
 * peer ids and both nonces, by the key its peer id is derived from; `mac` is the room's admission
 * code over the same bytes (empty when the room has no shared secret).
 */
export interface AuthFrame {
  readonly type: 'auth';
  readonly signature: Uint8Array;
  readonly mac: Uint8Array;
}

/**
 * Proof that `events[0].source` equivocated: two events with the same `(source, seq)`, different
 * content, both validly signed by the source. Flooded once per source and seq.
 */
export interface EvidenceFrame<E> {
  readonly type: 'evidence';
  readonly events: readonly [WireEvent<E>, WireEvent<E>];
}

/**
 * The sender's history prints at its newest marks, oldest first (1 to
 * {@link MAX_FRONTIER_PRINTS}): sent to every neighbour when its base passes a mark, so two
 * histories on a long-open link are compared on fresh prints.
 */
export interface PrintsFrame {
  readonly type: 'prints';
  readonly prints: readonly FrontierPrint[];
}

/** Any frame. */
export type Frame<E = unknown> =
  | HelloFrame
  | FrontierFrame
  | EventsFrame<E>
  | RequestFrame
  | SyncFrame
  | HashFrame
  | PresenceFrame
  | SnapshotRequestFrame
  | SnapshotChunkFrame
  | ByeFrame
  | ChallengeFrame
  | AuthFrame
  | EvidenceFrame<E>
  | PrintsFrame;

/** The `type` tag of a frame. */
export type FrameType = Frame['type'];
