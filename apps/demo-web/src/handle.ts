import type { RectangleKey } from '@symmetric/core';
import type { DemoAppName } from '@symmetric/demo-node/apps';
import type { Peer, PeerStats } from '@symmetric/peer';
import type { PageConfig } from './config.js';
import type { Cursor } from './draw.js';
import type { PlotSample } from './plot.js';
import type { CrossCheck, RosterEntry } from './roster.js';

/** What the page exposes as `window.symmetric` (for tests and the curious, in the console). */
export interface DemoHandle {
  readonly config: PageConfig;
  readonly app: DemoAppName;
  readonly peer: Peer<unknown, RectangleKey>;
  /** This peer's id. */
  id(): string;
  /** The name the other peers list this page under. */
  name(): string;
  tick(): number;
  status(): string;
  state(): unknown;
  /** Hash of the state at a recorded tick (multiples of 10), for comparing peers. */
  hashAt(tick: number): string | undefined;
  stats(): PeerStats;
  /** Peers whose cursors are currently shown. */
  cursors(): Cursor[];
  /** The other peers as the panel lists them. */
  roster(): RosterEntry[];
  /** The cross-peer check shown in the panel. */
  crossCheck(): CrossCheck;
  /** The timeline plot's samples, oldest first. */
  plot(): readonly PlotSample[];
  /** Artificial lag of this page's sends, in ms (the slider). */
  lagMs(): number;
  setLagMs(ms: number): void;
  /** The join link shown on the page. */
  joinLink(): string;
  /** Tick of this page's newest own event (-1 before any). */
  lastEmitTick(): number;
}

declare global {
  interface Window {
    symmetric?: DemoHandle;
  }
}
