/**
 * The page's transport for the transport it picked: the browser WebSocket transport to the hub,
 * or the browser libp2p transport (loaded only then) dialling the hub's libp2p WebSocket
 * listener, with a relay reservation on the hub for WebRTC.
 */
import type { PeerOptions } from '@symmetric/peer';
import { WebSocketTransport } from '@symmetric/transport-ws';
import type { PageConfig } from './config.js';

type Transport = PeerOptions<unknown, unknown>['transports'][number];

/** The key a libp2p transport authenticates with; the peer must use it as its identity. */
export type PageIdentity = NonNullable<PeerOptions<unknown, unknown>['identity']>;

/** The page's transport and what the peer and the panel need to know about it. */
export interface PageTransport {
  /** The transport to hand to the peer (unwrapped: the page adds its send lag). */
  readonly transport: Transport;
  /** libp2p: the key the peer must sign with; ws: `undefined` (the peer makes its own). */
  readonly identity: PageIdentity | undefined;
  /** The hub's peer id when the address names it (libp2p), else `undefined`. */
  readonly hubPeerId: string | undefined;
  /** This page's `/p2p-circuit/webrtc` address, once the hub's relay holds a reservation (webrtc). */
  webrtcAddress(): string | undefined;
  /** Remote addresses of the transport's open links, for the panel and the tests. */
  linkAddresses(): { readonly peerId: string | undefined; readonly address: string }[];
}

/** True for a hostname on this machine or a private network (no public STUN needed there). */
export function isLocalHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    /^127\.|^10\.|^192\.168\.|^172\.(1[6-9]|2\d|3[01])\.|^169\.254\./.test(hostname) ||
    hostname === '::1' ||
    hostname === '[::1]'
  );
}

/** The host part of a multiaddr (`/ip4/1.2.3.4/…` → `1.2.3.4`), or `''`. */
function hostOf(multiaddr: string): string {
  return /^\/(?:ip4|ip6|dns4|dns6|dns)\/([^/]+)/.exec(multiaddr)?.[1] ?? '';
}

/**
 * What the panel calls a direct link: `WebRTC` for a link over WebRTC, else the page's transport
 * (`WebSocket`, or `libp2p` for the hub link of a libp2p or WebRTC page).
 */
export function linkLabel(kind: PageConfig['transport'], remoteAddress: string | undefined): string {
  if (remoteAddress?.includes('/webrtc') === true) return 'WebRTC';
  return kind === 'ws' ? 'WebSocket' : 'libp2p';
}

/**
 * Makes (does not start) the page's transport for `config.transport`; the peer starts it.
 * `keptSeed` is the 32-byte key seed of the peer the page keeps (its store's identity), so a
 * libp2p page resumes with the same libp2p peer id; without it libp2p makes a new key.
 */
export async function openPageTransport(config: PageConfig, keptSeed?: Uint8Array): Promise<PageTransport> {
  if (config.transport === 'ws') {
    const transport = new WebSocketTransport({ idleTimeoutMs: 5_000 });
    return {
      transport,
      identity: undefined,
      hubPeerId: undefined,
      webrtcAddress: () => undefined,
      linkAddresses: () =>
        transport.links().map((l) => ({ peerId: l.remotePeerId, address: l.remoteAddress })),
    };
  }
  const { createLibp2pTransport, identityFromSeed } = await import('@symmetric/transport-libp2p');
  const webrtc = config.transport === 'webrtc';
  const transport = await createLibp2pTransport({
    ...(keptSeed !== undefined ? { privateKey: await identityFromSeed(keptSeed) } : {}),
    // A hub on this machine or the LAN is a `ws://` private address, which libp2p refuses by default.
    allowPrivateAddresses: true,
    relays: webrtc ? [config.hub] : [],
    // On a LAN, host candidates are enough; elsewhere libp2p's public STUN servers.
    webrtc: webrtc ? (isLocalHost(hostOf(config.hub)) ? { iceServers: [] } : true) : false,
    redial: { initialMs: 500, maxMs: 3_000 },
    dialTimeoutMs: 10_000,
  });
  return {
    transport,
    identity: transport.identity,
    hubPeerId: /\/p2p\/([^/]+)$/.exec(config.hub)?.[1],
    webrtcAddress: () => transport.addresses().find((a) => a.includes('/p2p-circuit/webrtc/')),
    linkAddresses: () => transport.links().map((l) => ({ peerId: l.remotePeerId, address: l.remoteAddress })),
  };
}
