import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  isPageConfigError,
  isPageTransport,
  libp2pHubAddress,
  loadConfig,
  type PageConfig,
} from '../src/config.js';
import { isLocalHost, linkLabel } from '../src/connect.js';
import { joinLink } from '../src/invite.js';
import { type MeshPeer, WebRtcMesh } from '../src/mesh.js';
import { withQuery } from '../src/pickers.js';

describe('transport choice', () => {
  it('accepts the three transports only', () => {
    for (const t of ['ws', 'libp2p', 'webrtc']) expect(isPageTransport(t)).toBe(true);
    for (const t of ['WS', 'tcp', '', null, 3]) expect(isPageTransport(t)).toBe(false);
  });

  it('builds the hub multiaddr from the page host', () => {
    expect(libp2pHubAddress('127.0.0.1', 9001, '12D3KooWabc')).toBe(
      '/ip4/127.0.0.1/tcp/9001/ws/p2p/12D3KooWabc',
    );
    expect(libp2pHubAddress('localhost', 9001, 'X')).toBe('/ip4/127.0.0.1/tcp/9001/ws/p2p/X');
    expect(libp2pHubAddress('[::1]', 9001, 'X')).toBe('/ip6/::1/tcp/9001/ws/p2p/X');
    expect(libp2pHubAddress('demo.example.org', 443, 'X')).toBe('/dns4/demo.example.org/tcp/443/ws/p2p/X');
  });

  it('uses no public STUN server for hubs on this machine or a private network', () => {
    for (const h of ['localhost', '127.0.0.1', '10.1.2.3', '192.168.0.9', '172.20.0.1', '::1'])
      expect(isLocalHost(h)).toBe(true);
    for (const h of ['8.8.8.8', '172.32.0.1', 'demo.example.org']) expect(isLocalHost(h)).toBe(false);
  });

  it('names a direct link by what carries it', () => {
    expect(linkLabel('ws', 'ws://127.0.0.1:8080/symmetric')).toBe('WebSocket');
    expect(linkLabel('libp2p', '/ip4/127.0.0.1/tcp/9001/ws/p2p/X')).toBe('libp2p');
    expect(linkLabel('webrtc', '/ip4/127.0.0.1/tcp/9001/ws/p2p/X')).toBe('libp2p');
    expect(linkLabel('webrtc', '/ip4/127.0.0.1/tcp/9001/ws/p2p/X/p2p-circuit/webrtc/p2p/Y')).toBe('WebRTC');
  });

  it('keeps the rest of the query when a picker changes one choice', () => {
    expect(withQuery('?app=arena&name=Ada', 'transport', 'webrtc')).toBe(
      '?app=arena&name=Ada&transport=webrtc',
    );
    expect(withQuery('?transport=ws', 'transport', 'libp2p')).toBe('?transport=libp2p');
  });

  it('the join link carries a transport other than WebSocket', () => {
    const config: PageConfig = {
      app: 'rectangle',
      transport: 'webrtc',
      hub: '/ip4/10.0.0.2/tcp/9001/ws/p2p/X',
      hubFromQuery: false,
      room: 'demo',
      fps: 50,
      name: undefined,
      lagMs: 0,
      delay: 'auto',
    };
    const location = { origin: 'http://10.0.0.2:8080', pathname: '/' } as Location;
    expect(joinLink(location, config)).toBe('http://10.0.0.2:8080/?app=rectangle&room=demo&transport=webrtc');
    expect(joinLink(location, { ...config, transport: 'ws' })).toBe(
      'http://10.0.0.2:8080/?app=rectangle&room=demo',
    );
  });
});

describe('loadConfig with a transport', () => {
  afterEach(() => vi.unstubAllGlobals());
  const at = (search: string) =>
    ({ protocol: 'http:', host: '10.0.0.2:8080', hostname: '10.0.0.2', search }) as Location;
  const serve = (body: unknown) =>
    vi.stubGlobal(
      'fetch',
      async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
    );

  it('dials the hub’s libp2p listener for the app, on the page’s host', async () => {
    serve({
      room: 'r',
      fps: 30,
      libp2p: { rectangle: { port: 9001, peerId: 'A' }, arena: { port: 9002, peerId: 'B' } },
    });
    const c = await loadConfig(at('?app=arena&transport=webrtc'));
    expect(c).toMatchObject({
      transport: 'webrtc',
      hub: '/ip4/10.0.0.2/tcp/9002/ws/p2p/B',
      room: 'r',
      fps: 30,
    });
    expect(c.hubFromQuery).toBe(false);
  });

  it('takes hub= as a multiaddr for libp2p, as a URL for WebSocket; WebSocket by default', async () => {
    serve({});
    const p2p = await loadConfig(at('?transport=libp2p&hub=/ip4/1.2.3.4/tcp/1/ws/p2p/Z'));
    expect(p2p).toMatchObject({
      transport: 'libp2p',
      hub: '/ip4/1.2.3.4/tcp/1/ws/p2p/Z',
      hubFromQuery: true,
    });
    const ws = await loadConfig(at('?transport=nope'));
    expect(ws).toMatchObject({ transport: 'ws', hub: 'ws://10.0.0.2:8080/symmetric', hubFromQuery: false });
  });

  it('says so when the hub serves no libp2p', async () => {
    serve({ room: 'r' });
    const e = await loadConfig(at('?transport=webrtc')).catch((error: unknown) => error);
    expect(isPageConfigError(e)).toBe(true);
    expect(String(e)).toMatch(/serves no libp2p for WebRTC pages.*--libp2p/);
  });
});

describe('WebRtcMesh', () => {
  const addr = (id: string) => `/ip4/127.0.0.1/tcp/9001/ws/p2p/HUB/p2p-circuit/webrtc/p2p/${id}`;
  const page = (id: string, webrtc = true) => ({
    name: id,
    kind: 'page',
    cursor: null,
    tick: 1,
    check: null,
    ...(webrtc ? { webrtc: addr(id) } : {}),
  });

  function fakePeer(id: string, others: Record<string, unknown>) {
    const dialled: string[] = [];
    const neighbours: { peerId: string }[] = [];
    const peer: MeshPeer = {
      id,
      presence: () => new Map(Object.entries(others)),
      neighbours: () => neighbours,
      dial: (a) => dialled.push(a),
    };
    return { peer, dialled, neighbours };
  }

  it('dials each page with a higher id that has a WebRTC address, once per pair', () => {
    const { peer, dialled } = fakePeer('m', {
      a: page('a'),
      z: page('z'),
      y: page('y', false),
      hub: { ...page('zz'), kind: 'hub' },
    });
    const mesh = new WebRtcMesh(peer);
    mesh.run(0);
    expect(dialled).toEqual([addr('z')]);
    mesh.run(100); // still under way
    expect(dialled).toHaveLength(1);
    expect(mesh.stats().dials).toBe(1);
  });

  it('does not dial a page already linked', () => {
    const { peer, dialled, neighbours } = fakePeer('a', { b: page('b') });
    neighbours.push({ peerId: 'b' });
    new WebRtcMesh(peer).run(0);
    expect(dialled).toEqual([]);
  });

  it('records every failed dial and retries after a growing wait', () => {
    const { peer, dialled } = fakePeer('a', { b: page('b') });
    const warnings: string[] = [];
    const mesh = new WebRtcMesh(peer, (m) => warnings.push(m));
    mesh.run(0);
    mesh.dialFailed(`dial ${addr('b')}: TIMEOUT: the operation timed out`, 1_000);
    mesh.run(1_500);
    expect(dialled).toHaveLength(1); // waits 1 s after the failure
    mesh.run(2_000);
    expect(dialled).toHaveLength(2);
    mesh.dialFailed(`dial ${addr('b')}: TIMEOUT`, 2_500);
    mesh.run(4_000);
    expect(dialled).toHaveLength(2); // then 2 s
    mesh.run(4_500);
    expect(dialled).toHaveLength(3);
    mesh.joined('b');
    expect(mesh.stats().failures.map((f) => f.peerId)).toEqual(['b', 'b']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/attempt 1/);
  });

  it('counts a dial with no answer as failed and tries again', () => {
    const { peer, dialled } = fakePeer('a', { b: page('b') });
    const mesh = new WebRtcMesh(peer);
    mesh.run(0);
    mesh.run(15_000);
    expect(mesh.stats().failures).toHaveLength(1);
    expect(mesh.stats().failures[0]!.reason).toMatch(/no answer/);
    mesh.run(16_000);
    expect(dialled).toHaveLength(2);
  });
});
