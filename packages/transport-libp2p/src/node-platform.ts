/** The Node platform: TCP and WebSockets, optional mDNS, WebRTC and relay server. */
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { mdns } from '@libp2p/mdns';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import type { Platform, PlatformConfig } from './node-config.js';
import type { Libp2pTransportOptions } from './options.js';

/** Node: listens on TCP and WebSockets (all interfaces, random ports) unless `listen` says otherwise. */
export const nodePlatform: Platform = {
  name: 'node',
  async configure(options: Libp2pTransportOptions): Promise<PlatformConfig> {
    const transports: PlatformConfig['transports'][number][] = [tcp(), webSockets()];
    const listen = ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws'];
    const extraListen: string[] = [];
    const services: Record<string, (components: never) => unknown> = {};
    const usesRelays = (options.relays?.length ?? 0) > 0;
    if (options.webrtc !== undefined && options.webrtc !== false) {
      // Loaded only on demand: it pulls in the native node-datachannel module.
      const { webRTC } = await import('@libp2p/webrtc');
      const iceServers = typeof options.webrtc === 'object' ? options.webrtc.iceServers : undefined;
      transports.push(
        iceServers === undefined
          ? webRTC()
          : webRTC({
              rtcConfiguration: {
                iceServers: iceServers.map((s) => ({ ...s, urls: s.urls as string | string[] })),
              },
            }),
      );
      extraListen.push('/webrtc');
    }
    if (usesRelays || (options.webrtc !== undefined && options.webrtc !== false)) {
      transports.push(circuitRelayTransport());
      if (usesRelays) extraListen.push('/p2p-circuit');
    }
    if (options.relayServer !== undefined && options.relayServer !== false) {
      const o = typeof options.relayServer === 'object' ? options.relayServer : {};
      services.relay = circuitRelayServer({
        reservations: {
          maxReservations: o.maxReservations ?? 128,
          applyDefaultLimit: o.applyDefaultLimit ?? true,
        },
      }) as (components: never) => unknown;
    }
    if (options.mdns !== undefined && options.mdns !== false) {
      const o = typeof options.mdns === 'object' ? options.mdns : {};
      // A service (not `peerDiscovery`) so the transport can tell mDNS finds from peers
      // libp2p merely learnt about (identify also raises `peer:discovery`).
      services.mdns = mdns({
        serviceTag: o.serviceTag ?? 'symmetric.local',
        ...(o.interval === undefined ? {} : { interval: o.interval }),
      }) as (components: never) => unknown;
    }
    const config: PlatformConfig = {
      transports,
      listen,
      extraListen,
      services,
      maxConnections: 300,
    };
    return config;
  },
};
