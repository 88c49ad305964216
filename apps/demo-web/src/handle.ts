import type { RectangleKey, RectangleState } from '@symmetric/core';
import type { Peer, PeerStats } from '@symmetric/peer';
import type { PageConfig } from './config.js';
import type { Cursor } from './draw.js';

/** What the page exposes as `window.symmetric` (for tests and the curious, in the console). */
export interface DemoHandle {
  readonly config: PageConfig;
  readonly peer: Peer<RectangleState, RectangleKey>;
  /** This peer's id. */
  id(): string;
  tick(): number;
  status(): string;
  state(): RectangleState;
  /** Hash of the state at a recorded tick (multiples of 10), for comparing peers. */
  hashAt(tick: number): string | undefined;
  stats(): PeerStats;
  /** Peers whose cursors are currently shown. */
  cursors(): Cursor[];
  /** Tick of this page's newest own event (-1 before any). */
  lastEmitTick(): number;
}

declare global {
  interface Window {
    symmetric?: DemoHandle;
  }
}

/** Presence data a page sends: its cursor on the board (0..1 each axis), or `null` when outside. */
export interface PresenceData {
  readonly cursor: { readonly x: number; readonly y: number } | null;
}
