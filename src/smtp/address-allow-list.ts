import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** A CIDR in the allow-list that cannot be read; raised when the server is built, never per connection. */
export class AllowListError extends HallmonitorError {
  readonly code = 'invalid-cidr';
  readonly disposition = 'configuration';

  constructor(readonly entry: string) {
    super(`not a CIDR range: ${JSON.stringify(entry)} (expected e.g. 10.0.0.0/8 or 2001:db8::/32)`);
    this.name = 'AllowListError';
  }
}

/** Answers whether a client address lies in one of the CIDR ranges, IPv4 and IPv6 alike. */
export type AddressAllowList = (address: string) => boolean;

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Answers remembered per address: a relay asks at connect and again at every MAIL FROM. */
const REMEMBERED_ADDRESSES = 4096;

export function createAddressAllowList(cidrs: readonly string[]): AddressAllowList {
  const ranges = new BlockList();
  for (const entry of cidrs) addRange(ranges, entry);
  // BlockList.check builds a SocketAddress each time, a fair share of a MAIL FROM's CPU.
  const answers = new Map<string, boolean>();
  return (address) => {
    const remembered = answers.get(address);
    if (remembered !== undefined) return remembered;
    if (answers.size >= REMEMBERED_ADDRESSES) answers.clear();
    const allowed = inRanges(ranges, address);
    answers.set(address, allowed);
    return allowed;
  };
}

function inRanges(ranges: BlockList, address: string): boolean {
  // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; they match their IPv4 ranges.
  const plain = IPV4_MAPPED.exec(address)?.[1] ?? address;
  if (isIPv4(plain)) return ranges.check(plain, 'ipv4');
  if (isIPv6(plain)) return ranges.check(plain, 'ipv6');
  return false;
}

function addRange(ranges: BlockList, entry: string): void {
  const [network = '', prefixText, ...rest] = entry.trim().split('/');
  const family = isIPv4(network) ? 'ipv4' : isIPv6(network) ? 'ipv6' : undefined;
  if (family === undefined || rest.length > 0) throw new AllowListError(entry);
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(maxPrefix)) || prefix > maxPrefix) throw new AllowListError(entry);
  ranges.addSubnet(network, prefix, family);
}
