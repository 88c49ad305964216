import type { Peer, PeerError } from '@symmetric/peer';

const LISTEN_CODES: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use (pick another --listen port, or 0 for a free one)',
  EACCES: 'permission denied (ports below 1024 need privileges; pick a higher one)',
  EADDRNOTAVAIL: 'the address is not one of this machine’s (check --host)',
};

function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 8 && cur !== undefined && cur !== null; i++) {
    out.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

/**
 * Why a listener failed, in one line without stack or library advice: a known socket error code
 * anywhere in the cause chain (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, as a `code` or inside a
 * message, as libp2p reports them) becomes a plain sentence; anything else is the first line of
 * the innermost message.
 */
export function describeListenFailure(e: unknown): string {
  const chain = causes(e);
  for (const c of chain) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && LISTEN_CODES[code] !== undefined) return LISTEN_CODES[code];
  }
  for (const c of chain) {
    const text = c instanceof Error ? c.message : String(c);
    const m = /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL)\b/.exec(text);
    if (m !== null) return LISTEN_CODES[m[1]!]!;
  }
  const last = chain.at(-1);
  const text = last instanceof Error ? last.message : String(last);
  return text.split('\n')[0]!.trim();
}

/** The latest failure to dial one configured address. */
export interface DialFailure {
  /** The address dialled. */
  readonly address: string;
  /** Why it failed (the transport's message, one line). */
  readonly reason: string;
  /** Failures in a row since the last link to it. */
  readonly count: number;
  /** When the latest one happened (`performance.now()`). */
  readonly at: number;
}

/** The dial failures of one peer, per configured address; see {@link trackDialFailures}. */
export interface DialFailures {
  /** Addresses whose latest dial failed and that have no link now. */
  current(): DialFailure[];
  /** Stops listening to the peer. */
  stop(): void;
}

/**
 * Follows a peer's `DIAL_FAILED` errors (`dial <address>: <reason>`) per configured address and
 * forgets an address once a neighbour is linked through it, so a view can say which address
 * fails and why instead of a bare error count.
 */
export function trackDialFailures<S, E>(peer: Peer<S, E>, addresses: readonly string[]): DialFailures {
  const failures = new Map<string, DialFailure>();
  const offError = peer.on('error', (e: PeerError) => {
    if (e.code !== 'DIAL_FAILED') return;
    const address = addresses.find((a) => e.message.startsWith(`dial ${a}: `));
    if (address === undefined) return;
    // The transport's message may repeat the address ("dial <address> failed: <why>"): keep the why.
    const reason = e.message
      .slice(`dial ${address}: `.length)
      .split('\n')[0]!
      .replace(/^dial \S+ failed: /, '')
      .trim();
    const count = (failures.get(address)?.count ?? 0) + 1;
    failures.set(address, { address, reason, count, at: performance.now() });
  });
  const linked = () => {
    for (const n of peer.neighbours()) failures.delete(n.remoteAddress);
  };
  const offJoin = peer.on('peer:join', linked);
  return {
    current() {
      linked();
      return [...failures.values()];
    },
    stop() {
      offError();
      offJoin();
    },
  };
}
