import type { PageConfig } from './config.js';

/** The link that opens this room and app (over this page's transport) in another window or on another machine. */
export function joinLink(location: Location, config: PageConfig): string {
  const q = new URLSearchParams();
  q.set('app', config.app);
  q.set('room', config.room);
  if (config.transport !== 'ws') q.set('transport', config.transport);
  if (config.hubFromQuery) q.set('hub', config.hub);
  return `${location.origin}${location.pathname}?${q.toString()}`;
}
