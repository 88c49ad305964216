/**
 * The header's two pickers: the demo app and the transport. Each choice is a link to the same
 * page with `?app=` or `?transport=` changed (the rest of the query kept), so a choice is also a
 * URL that tests and join links can carry.
 */
import { DEMO_APP_NAMES, type DemoAppName, demoApp } from '@symmetric/demo-node/apps';
import { PAGE_TRANSPORTS, type PageTransportKind, TRANSPORT_LABELS } from './config.js';

/** What each transport choice means, as the picker's tooltip. */
export const TRANSPORT_HINTS: Readonly<Record<PageTransportKind, string>> = {
  ws: 'WebSocket to the hub; the hub forwards to the other peers',
  libp2p: 'libp2p to the hub (Noise-encrypted, yamux, over WebSockets)',
  webrtc: 'libp2p to the hub, and WebRTC straight to the other pages (set up through the hub’s relay)',
};

/** The query string of `search` with `key` set to `value`. */
export function withQuery(search: string, key: string, value: string): string {
  const q = new URLSearchParams(search);
  q.set(key, value);
  return `?${q.toString()}`;
}

function links<T extends string>(
  nav: HTMLElement,
  search: string,
  key: string,
  choices: readonly T[],
  current: T,
  label: (c: T) => string,
  title?: (c: T) => string,
): void {
  for (const c of choices) {
    const el = document.createElement('a');
    el.href = withQuery(search, key, c);
    el.textContent = label(c);
    el.dataset['choice'] = c;
    if (title !== undefined) el.title = title(c);
    if (c === current) {
      el.className = 'current';
      el.setAttribute('aria-current', 'page');
    }
    nav.append(el);
  }
}

/** Fills the app tabs and the transport picker of the header. */
export function renderPickers(
  apps: HTMLElement,
  transports: HTMLElement,
  search: string,
  app: DemoAppName,
  transport: PageTransportKind,
): void {
  links(apps, search, 'app', DEMO_APP_NAMES, app, (a) => demoApp(a).title);
  links(
    transports,
    search,
    'transport',
    PAGE_TRANSPORTS,
    transport,
    (t) => TRANSPORT_LABELS[t],
    (t) => TRANSPORT_HINTS[t],
  );
}
