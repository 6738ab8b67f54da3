import { createAddressAllowList } from './address-allow-list.js';

/**
 * The ranges Exchange Online sends outbound mail from, as Microsoft publishes them for connectors (the
 * "Exchange Online" SMTP endpoints of the Microsoft 365 URL and IP address list). Every Microsoft 365 tenant
 * sends from them, which is why allowing them needs a tenant binding (message-origin.ts).
 */
export const EXCHANGE_ONLINE_RANGES: readonly string[] = ['40.92.0.0/15', '40.107.0.0/16', '52.100.0.0/14', '104.47.0.0/17', '2a01:111:f400::/48', '2a01:111:f403::/48'];

/** The entries of `allow` that take in any of Exchange Online's shared ranges (two CIDR ranges overlap when one holds the other's first address). */
export function exchangeOnlineEntries(allow: readonly string[]): string[] {
  const exchange = createAddressAllowList(EXCHANGE_ONLINE_RANGES);
  return allow.filter((entry) => {
    const inEntry = createAddressAllowList([entry]);
    return exchange(firstAddress(entry)) || EXCHANGE_ONLINE_RANGES.some((range) => inEntry(firstAddress(range)));
  });
}

function firstAddress(cidr: string): string {
  return cidr.split('/')[0]!;
}
