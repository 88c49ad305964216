import { LoopbackError } from './errors.js';
import { type LatencyModel, validateLatency } from './latency.js';

/** Options of a {@link LoopbackNetwork}. */
export interface LoopbackNetworkOptions {
  /**
   * `'real'` (default): frames are delivered by `setTimeout` on the wall clock.
   * `'virtual'`: nothing happens on its own; {@link LoopbackNetwork.runUntil} delivers
   * what is due, calling handlers synchronously (for the simulator).
   */
  time?: 'real' | 'virtual';
  /** Seed of the latency-sampling PRNG; the same seed gives the same samples. Default 1. */
  seed?: number;
  /** Latency of every link without its own {@link LoopbackNetwork.setLatency}. Default constant 0. */
  latency?: LatencyModel;
  /** Largest frame `send` accepts; larger ones throw `FRAME_TOO_LARGE`. Default 16 MiB. */
  maxFrameBytes?: number;
  /**
   * When `true`, a dialled link opens after one latency sample (inside `runUntil` in virtual
   * time) instead of at once, inside `dial`. Default `false`.
   */
  connectLatency?: boolean;
  /**
   * `true` (default): `send` keeps a copy of each frame, so a sender may reuse its buffer at
   * once. `false`: the frame itself is delivered, for senders that never change a frame once
   * sent (the simulator's peers hand over a fresh array per frame): one allocation and copy
   * less per frame.
   */
  copyFrames?: boolean;
  /**
   * Observation hook: called for every frame `send` accepts, with the latency drawn for it and
   * the instant it is due (FIFO included). It only observes: delivery order and timing, and the
   * latency samples, are the same with or without it. It must not throw.
   */
  onFrameSent?: (frame: SentFrame) => void;
}

/** What {@link LoopbackNetworkOptions.onFrameSent} reports of one frame. */
export interface SentFrame {
  /** Address of the sending transport. */
  readonly from: string;
  /** Address of the receiving transport. */
  readonly to: string;
  /** Id of the sending link end (a new link between the same pair has a new id). */
  readonly linkId: string;
  /** Number of the sending link end on its network (its `LoopbackLink.index`): dense from 0. */
  readonly linkIndex: number;
  /** Network time the frame was sent at, ms. */
  readonly sentAt: number;
  /** Latency drawn for this frame, ms. */
  readonly delayMs: number;
  /** Network time the frame is due at: `sentAt + delayMs`, or the previous frame's due time if later (FIFO). */
  readonly dueAt: number;
  /** Frame size in bytes. */
  readonly bytes: number;
}

/** Counters of a {@link LoopbackNetwork} (since it was created). */
export interface LoopbackStats {
  /** Frames accepted by `send`. */
  framesSent: number;
  /** Bytes accepted by `send`. */
  bytesSent: number;
  /** Frames handed to an `onFrame` handler. */
  framesDelivered: number;
  /** Frames that came due on a link end that had closed meanwhile (counted when they come due). */
  framesDropped: number;
  /** `send` calls refused with `FRAME_TOO_LARGE` or a non-`Uint8Array` frame. */
  framesRejected: number;
  /** Links opened (each counted once, not per end). */
  linksOpened: number;
  /** Dials that failed (`DIAL_FAILED`: nothing listening, pair cut, either side stopped). */
  dialsFailed: number;
  /** Exceptions thrown by handler callbacks (reported to that transport's `onError`). */
  handlerErrors: number;
}

/**
 * What a {@link LoopbackNetwork} holds right now (see {@link LoopbackNetwork.footprint}). A
 * stopped transport is released at once: in a long churn run these counts follow the peers
 * online, not every incarnation ever started.
 */
export interface LoopbackFootprint {
  /** Transports the network holds: the started ones (with their handlers). */
  transports: number;
  /** Open link ends over those transports. */
  linkEnds: number;
  /** Link directions with events still in flight, and dials waiting for their connect latency. */
  queued: number;
  /** Address pairs with a latency or cut state of their own. */
  pairs: number;
}

/** Every network option resolved to a checked value. */
export interface ResolvedNetworkOptions {
  readonly time: 'real' | 'virtual';
  readonly seed: number;
  readonly maxFrameBytes: number;
  readonly connectLatency: boolean;
  readonly copyFrames: boolean;
  readonly latency: LatencyModel;
  readonly onFrameSent: ((frame: SentFrame) => void) | undefined;
}

const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;

/** Fills defaults in and checks every option; throws {@link LoopbackError} `BAD_OPTIONS` or `BAD_LATENCY`. */
export function resolveNetworkOptions(options: LoopbackNetworkOptions): ResolvedNetworkOptions {
  const time = options.time ?? 'real';
  if (time !== 'real' && time !== 'virtual') {
    throw new LoopbackError('BAD_OPTIONS', `time must be 'real' or 'virtual', got ${String(time)}`);
  }
  const seed = options.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new LoopbackError('BAD_OPTIONS', `seed must be a finite number, got ${String(seed)}`);
  }
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME;
  if (typeof maxFrameBytes !== 'number' || !Number.isInteger(maxFrameBytes) || maxFrameBytes < 1) {
    throw new LoopbackError(
      'BAD_OPTIONS',
      `maxFrameBytes must be a positive integer, got ${String(maxFrameBytes)}`,
    );
  }
  const connectLatency = options.connectLatency ?? false;
  if (typeof connectLatency !== 'boolean') {
    throw new LoopbackError('BAD_OPTIONS', `connectLatency must be a boolean, got ${String(connectLatency)}`);
  }
  const copyFrames = options.copyFrames ?? true;
  if (typeof copyFrames !== 'boolean') {
    throw new LoopbackError('BAD_OPTIONS', `copyFrames must be a boolean, got ${String(copyFrames)}`);
  }
  const latency = validateLatency(options.latency ?? { dist: 'constant', ms: 0 });
  const onFrameSent = options.onFrameSent;
  if (onFrameSent !== undefined && typeof onFrameSent !== 'function') {
    throw new LoopbackError('BAD_OPTIONS', 'onFrameSent must be a function');
  }
  return { time, seed, maxFrameBytes, connectLatency, copyFrames, latency, onFrameSent };
}
