/** The shared factory behind both entries. */
import { generateIdentity } from './keys.js';
import type { Platform } from './node-config.js';
import type { Libp2pTransportOptions } from './options.js';
import { Libp2pTransport } from './transport.js';

/** Builds a transport for `platform`, generating an identity when none is given. */
export async function createWithPlatform(
  platform: Platform,
  options: Libp2pTransportOptions,
): Promise<Libp2pTransport> {
  const key = options.privateKey ?? (await generateIdentity());
  return new Libp2pTransport(platform, options, key as never);
}
