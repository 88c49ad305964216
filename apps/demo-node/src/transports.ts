import type { Server } from 'node:http';
import type { Transport } from '@symmetric/transport';
import { createLibp2pTransport } from '@symmetric/transport-libp2p';
import { WebSocketTransport } from '@symmetric/transport-ws';
import { DemoError } from './errors.js';

/** The transports the demo can run on. */
export const TRANSPORT_KINDS = ['ws', 'libp2p'] as const;

/** One of {@link TRANSPORT_KINDS}: `ws` (WebSocket) or `libp2p` (Noise + yamux over TCP). */
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

/** A transport made by {@link createDemoTransport}, with what the peer needs to know about it. */
export interface DemoTransport {
  /** Which kind it is. */
  readonly kind: TransportKind;
  /** The transport to hand to `createPeer`. */
  readonly transport: Transport;
  /**
   * The key the transport authenticates with (libp2p: the peer must use it as its identity), or
   * `undefined` (ws: the peer generates its own key).
   */
  readonly identity:
    | { readonly peerId: string; readonly publicKey: Uint8Array; readonly secretKey: Uint8Array }
    | undefined;
  /** Addresses other peers dial to reach this one (available once the peer has started). */
  addresses(): string[];
}

/** Where a {@link createDemoTransport} transport listens. */
export interface DemoListenOptions {
  /** TCP port, `0` for a free one. Omit to only dial. */
  readonly port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  readonly host?: string;
  /** ws only: answer WebSocket upgrades of this existing HTTP server instead of a port of its own. */
  readonly server?: Server;
  /** ws with `server` only: answer upgrades on this path only (default: every path). */
  readonly path?: string;
}

/** Validates a `--transport` value. */
export function parseTransportKind(value: string): TransportKind {
  if ((TRANSPORT_KINDS as readonly string[]).includes(value)) return value as TransportKind;
  throw new DemoError(
    'INVALID_OPTION',
    `--transport must be one of ${TRANSPORT_KINDS.join(', ')}, got "${value}"`,
    {
      option: 'transport',
    },
  );
}

/**
 * Creates a (not yet started) transport of `kind`: `ws` listens on `listen.server` or
 * `listen.port` (WebSocket, heartbeat 2 s); `libp2p` listens on `/ip4/<host>/tcp/<port>` with a
 * fresh Ed25519 identity. The peer runtime starts and stops it.
 */
export async function createDemoTransport(
  kind: TransportKind,
  listen: DemoListenOptions = {},
): Promise<DemoTransport> {
  const host = listen.host ?? '127.0.0.1';
  if (kind === 'ws') {
    const transport =
      listen.server !== undefined
        ? new WebSocketTransport({
            listen: { server: listen.server, ...(listen.path !== undefined ? { path: listen.path } : {}) },
            heartbeatMs: 2_000,
          })
        : listen.port !== undefined
          ? new WebSocketTransport({ listen: { port: listen.port, host }, heartbeatMs: 2_000 })
          : new WebSocketTransport({ heartbeatMs: 2_000 });
    return { kind, transport, identity: undefined, addresses: () => transport.addresses() };
  }
  const transport = await createLibp2pTransport({
    listen: listen.port !== undefined ? [`/ip4/${host}/tcp/${listen.port}`] : [],
    dialTimeoutMs: 5_000,
  });
  return {
    kind,
    transport,
    identity: transport.identity,
    addresses: () => transport.addresses(),
  };
}
