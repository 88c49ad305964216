/**
 * The hub's libp2p side, for pages that pick libp2p or WebRTC: one libp2p transport per demo
 * app, listening on WebSockets (`/ip4/<host>/tcp/<port>/ws`, which browsers can dial) and
 * serving as the circuit-relay-v2 relay through which pages open WebRTC links to each other.
 * Each app's hub peer runs it beside its WebSocket transport, with the libp2p key as its
 * identity.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  createLibp2pTransport,
  generateIdentity,
  identityFromBytes,
  identityToBytes,
  type Libp2pTransport,
} from '@symmetric/transport-libp2p';
import { DEMO_APP_NAMES, type DemoAppName } from './apps/catalog.js';
import { DemoError } from './errors.js';

/** Where the hub listens for libp2p pages, and with which keys. */
export interface HubLibp2pOptions {
  /**
   * TCP ports of the libp2p WebSocket listeners: a number is the rectangle's port, each next app
   * takes the next port (`0`: free ones); or a port per app.
   */
  readonly port: number | Readonly<Record<DemoAppName, number>>;
  /**
   * Ed25519 keys per app (`identityToBytes`), so a restarted hub keeps its peer ids and open
   * pages find it again. Default: new keys.
   */
  readonly keys?: Readonly<Partial<Record<DemoAppName, Uint8Array>>>;
}

/** One app's libp2p listener of a running hub. */
export interface HubLibp2pEndpoint {
  /** The transport (the app's hub peer runs it). */
  readonly transport: Libp2pTransport;
  /** Its peer id (also the hub peer's id). */
  readonly peerId: string;
  /** The TCP port it listens on. */
  readonly port: number;
  /** Its key (`identityToBytes`), to start a hub with the same peer id again. */
  readonly key: Uint8Array;
  /** `/ip4/<host>/tcp/<port>/ws/p2p/<id>`: what pages dial and reserve a relay slot on. */
  readonly address: string;
}

/** The libp2p side of a hub, as served to pages in `/symmetric.json`: a port and a peer id per app. */
export type HubLibp2pConfig = Readonly<
  Record<DemoAppName, { readonly port: number; readonly peerId: string }>
>;

function portOf(port: HubLibp2pOptions['port'], app: DemoAppName): number {
  if (typeof port === 'number') return port === 0 ? 0 : port + DEMO_APP_NAMES.indexOf(app);
  return port[app];
}

/**
 * Makes the (not yet started) libp2p transport of `app` for a hub on `host`, and its key; the
 * hub peer starts it. Listens on WebSockets only and serves as a relay.
 */
export async function createHubLibp2p(
  app: DemoAppName,
  host: string,
  options: HubLibp2pOptions,
): Promise<{ readonly transport: Libp2pTransport; readonly key: Uint8Array }> {
  const port = portOf(options.port, app);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DemoError('INVALID_OPTION', `--libp2p must be a port 0..65534, got ${port} for ${app}`, {
      option: 'libp2p',
    });
  }
  const key = options.keys?.[app] ?? identityToBytes(await generateIdentity());
  const transport = await createLibp2pTransport({
    privateKey: key,
    listen: [`/ip4/${host}/tcp/${port}/ws`],
    relayServer: true,
    dialTimeoutMs: 5_000,
  });
  return { transport, key };
}

/** The endpoint of a started hub transport: its port, key and the address pages dial. */
export function hubLibp2pEndpoint(transport: Libp2pTransport, key: Uint8Array): HubLibp2pEndpoint {
  const address = transport.addresses().find((a) => a.includes('/ws/')) ?? '';
  const port = Number(/\/tcp\/(\d+)\//.exec(address)?.[1] ?? 0);
  return { transport, peerId: transport.peerId, port, key, address };
}

/**
 * Reads the hub's libp2p keys from `file` (JSON: base64 key per app), making and writing new ones
 * for the apps it lacks (or the whole file, when it does not exist): `--libp2p-keys`.
 */
export async function loadHubKeys(file: string): Promise<Record<DemoAppName, Uint8Array>> {
  let stored: Record<string, unknown> = {};
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DemoError('INVALID_OPTION', `--libp2p-keys ${file}: ${String(cause)}`, {
        option: 'libp2p-keys',
        cause,
      });
    }
  }
  const keys = {} as Record<DemoAppName, Uint8Array>;
  let changed = false;
  for (const app of DEMO_APP_NAMES) {
    const b64 = stored[app];
    if (typeof b64 === 'string') {
      try {
        keys[app] = identityToBytes(identityFromBytes(Buffer.from(b64, 'base64')));
        continue;
      } catch (cause) {
        throw new DemoError('INVALID_OPTION', `--libp2p-keys ${file}: bad key for ${app}`, {
          option: 'libp2p-keys',
          cause,
        });
      }
    }
    keys[app] = identityToBytes(await generateIdentity());
    changed = true;
  }
  if (changed) {
    const out = Object.fromEntries(DEMO_APP_NAMES.map((a) => [a, Buffer.from(keys[a]).toString('base64')]));
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
  }
  return keys;
}
