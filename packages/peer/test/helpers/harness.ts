import { rectangleKeyCodec } from '@symmetric/codec';
import { type App, type RectangleKey, type RectangleState, rectangleApp } from '@symmetric/core';
import { openPeer, type Peer, type PeerError, type PeerOptions } from '@symmetric/peer';
import type { Transport } from '@symmetric/transport';
import { LoopbackNetwork } from '@symmetric/transport-loopback';

/** A virtual-time loopback network with a constant latency (ms) or a normal one (mean, sd). */
export function loopback(ms: number, sdMs = 0, seed = 1): LoopbackNetwork {
  return new LoopbackNetwork({
    time: 'virtual',
    seed,
    latency: sdMs > 0 ? { dist: 'normal', meanMs: ms, sdMs } : { dist: 'constant', ms },
  });
}

/** What the harness needs from a virtual network (the loopback network or the test vnet). */
export interface VirtualNet {
  transport(address: string): Transport;
  runUntil(ms: number): void;
  now(): number;
  cut(a: string, b: string): void;
  heal(a: string, b: string): void;
}

export interface Cluster<S, E> {
  readonly net: VirtualNet;
  readonly peers: Map<string, Peer<S, E>>;
  readonly errors: PeerError[];
  /** Time of the last frame run. */
  now(): number;
  add(address: string, options?: Partial<PeerOptions<S, E>>, dial?: string[]): Promise<Peer<S, E>>;
  remove(address: string): Promise<void>;
  /** Run frames (1000/fps ms apart) until `ms`, calling `each(t)` after every frame's steps. */
  run(ms: number, each?: (t: number) => void): void;
  hashes(): Map<string, string>;
}

export async function cluster<S = RectangleState, E = RectangleKey>(
  net: VirtualNet,
  base: Partial<PeerOptions<S, E>> = {},
): Promise<Cluster<S, E>> {
  const peers = new Map<string, Peer<S, E>>();
  const errors: PeerError[] = [];
  const fps = base.fps ?? 50;
  let t = 0;
  let incarnations = 0;
  const frameMs = 1000 / fps;
  const c: Cluster<S, E> = {
    net,
    peers,
    errors,
    now: () => t,
    async add(address, options = {}, dial = []) {
      const peer = await openPeer<S, E>({
        app: rectangleApp as unknown as App<S, E>,
        payloadCodec: rectangleKeyCodec as never,
        room: 'test',
        fps,
        delay: 100,
        // A closed test room with readable ids (addresses), unless the test asks for an
        // authenticated one (`trusted: false`: ids derived from new keys).
        ...(base.trusted === false || options.trusted === false ? {} : { trusted: true, peerId: address }),
        // Reproducible runs: a counter, not the default random incarnation (a re-added address
        // is a restart and gets a new one).
        incarnation: String(++incarnations),
        redial: false,
        now: () => net.now(),
        ...base,
        ...options,
        transports: options.transports ?? [net.transport(address)],
      } as PeerOptions<S, E>);
      peer.on('error', (e) => errors.push(e));
      peers.set(address, peer);
      await peer.attach();
      for (const d of dial) peer.dial(d);
      return peer;
    },
    async remove(address) {
      const p = peers.get(address);
      peers.delete(address);
      await p?.stop();
    },
    run(ms, each) {
      while (t + frameMs <= ms + 1e-9) {
        t += frameMs;
        net.runUntil(t);
        for (const p of peers.values()) p.step(t);
        each?.(t);
      }
    },
    hashes() {
      // Compare at a common settled tick: the largest multiple of fps all peers passed.
      const minTick = Math.min(...[...peers.values()].map((p) => p.tick));
      const at = Math.floor((minTick - 1) / fps) * fps;
      const out = new Map<string, string>();
      for (const [a, p] of peers) out.set(a, p.stateHashAt(at) ?? `(none at ${at}, tick ${p.tick})`);
      return out;
    },
  };
  return c;
}

/** Distinct values of a map. */
export function distinct(m: Map<string, string>): string[] {
  return [...new Set(m.values())];
}
