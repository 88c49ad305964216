import { realClock, runHostileScenarios } from '../../peer/test/hostile/scenarios.js';
import { WebSocketTransport } from '../src/index.js';
import { guard } from './helpers.js';

// The hostile-peer scenarios of an authenticated room (one module, run over every transport)
// over real WebSockets on 127.0.0.1: forged sources, altered relays, equivocation, impostor
// hellos, replayed frames.

const { track } = guard();

runHostileScenarios('ws (Node, 127.0.0.1)', {
  world: async () => ({
    clock: realClock,
    node: async () => ({
      transport: track(new WebSocketTransport({ listen: { port: 0, host: '127.0.0.1' } })),
    }),
    addressOf: (_name, transport) => transport.addresses()[0]!,
  }),
});
