import type { RectangleKey } from '@symmetric/core';
import type { DemoAppName } from '@symmetric/demo-node/apps';
import type { Peer, PeerStats } from '@symmetric/peer';
import type { PageConfig, PageTransportKind } from './config.js';
import type { Cursor } from './draw.js';
import type { MeshStats } from './mesh.js';
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
  /** Δ in ticks, as the header shows it (`delay: 'auto'` follows the measured delays). */
  delayTicks(): number;
  /** The transport in use and its links. */
  transport(): PageTransportInfo;
}

/** What {@link DemoHandle.transport} tells about the page's transport. */
export interface PageTransportInfo {
  readonly kind: PageTransportKind;
  /** The hub's address (WebSocket URL or libp2p multiaddr). */
  readonly hub: string;
  /** A dial of the hub failed and it has not come back yet. */
  readonly hubUnreachable: boolean;
  /** WebRTC: this page's `/p2p-circuit/webrtc` address, once the relay holds a reservation. */
  readonly webrtcAddress: string | undefined;
  /** The transport's open links (remote peer id and address). */
  readonly links: readonly { readonly peerId: string | undefined; readonly address: string }[];
  /** WebRTC: dials of other pages, with every failure. */
  readonly mesh: MeshStats | undefined;
}

declare global {
  interface Window {
    symmetric?: DemoHandle;
  }
}
