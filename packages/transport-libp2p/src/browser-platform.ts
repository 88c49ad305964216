/** The browser platform: WebSockets to Node peers, WebRTC between browsers through a relay. */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { webRTC } from '@libp2p/webrtc';
import { webSockets } from '@libp2p/websockets';
import { ConfigError } from './errors.js';
import type { Platform, PlatformConfig } from './node-config.js';
import type { Libp2pTransportOptions } from './options.js';

/** Browser: no listeners of its own; reachable over WebRTC once a relay holds a reservation. */
export const browserPlatform: Platform = {
  name: 'browser',
  async configure(options: Libp2pTransportOptions): Promise<PlatformConfig> {
    if (options.mdns !== undefined && options.mdns !== false) {
      throw new ConfigError('UNSUPPORTED', 'mDNS discovery is not available in browsers');
    }
    if (options.relayServer !== undefined && options.relayServer !== false) {
      throw new ConfigError('UNSUPPORTED', 'a browser cannot serve as a circuit relay');
    }
    const iceServers = typeof options.webrtc === 'object' ? options.webrtc.iceServers : undefined;
    const useWebRtc = options.webrtc !== false;
    return {
      transports: [
        webSockets(),
        ...(useWebRtc
          ? [
              iceServers === undefined
                ? webRTC()
                : webRTC({ rtcConfiguration: { iceServers: iceServers as never } }),
            ]
          : []),
        circuitRelayTransport(),
      ],
      listen: [],
      extraListen: useWebRtc ? ['/p2p-circuit', '/webrtc'] : ['/p2p-circuit'],
      services: {},
      maxConnections: 100,
      ...(options.allowPrivateAddresses === true
        ? { connectionGater: { denyDialMultiaddr: () => false } }
        : {}),
    };
  },
};
