/**
 * Frame routing: which component handles each frame type of a running link. The facade decodes
 * the frame and completes the handshake; everything after it comes here.
 * @internal
 */
import type { Frame } from '@symmetric/codec';
import type { Components } from './components.js';
import type { Exclusions } from './equivocation.js';
import type { LinkEntry } from './links.js';

/** The components a frame can be routed to. @internal */
export type FrameRoutes<S, E> = Pick<
  Components<S, E>,
  'links' | 'intake' | 'repair' | 'join' | 'sync' | 'desync' | 'driver' | 'presenceChannel' | 'quotas'
> & { readonly exclusions: Exclusions<S, E> };

/** Hand `frame`, received on the running link `entry` at local time `now`, to its component. @internal */
export function routeFrame<S, E>(
  to: FrameRoutes<S, E>,
  entry: LinkEntry<E>,
  frame: Frame<E>,
  now: number,
): void {
  switch (frame.type) {
    case 'hello':
      to.links.linkError(entry, to.links.protocolError(entry, 'second hello on a link'), true);
      return;
    case 'events':
      if (to.quotas.events(entry, frame.events, now)) to.intake.onEvents(entry, frame, now);
      return;
    case 'frontier': {
      const { listed, othersHistory } = to.repair.onFrontier(entry, frame, now);
      to.sync.voice(entry, listed);
      to.join.frontierTaken(entry, listed, othersHistory, now);
      return;
    }
    case 'request':
      to.repair.onRequest(entry, frame);
      return;
    case 'prints':
      to.repair.onPrints(entry, frame);
      return;
    case 'sync':
      to.sync.onSync(entry, frame, now);
      return;
    case 'hash':
      to.desync.onHash(entry, frame, to.driver.timeline.tick);
      return;
    case 'presence':
      if (to.quotas.presence(entry, now)) to.presenceChannel.onPresence(entry, frame, now);
      return;
    case 'snapshot-request':
      to.join.onSnapshotRequest(entry, to.quotas.serve(entry, now));
      return;
    case 'snapshot':
      to.join.onSnapshotChunk(entry, frame, now);
      return;
    case 'bye':
      if (to.links.refusedBy(entry, frame.reason)) return;
      entry.closeReason = frame.reason;
      entry.link.close(`bye: ${frame.reason}`);
      return;
    case 'evidence':
      to.exclusions.onEvidence(entry, frame);
      return;
    case 'challenge':
    case 'auth':
      // Only meaningful in the handshake of an authenticated room (a trusted peer ignores them).
      return;
  }
}
