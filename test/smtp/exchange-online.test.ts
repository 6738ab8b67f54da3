import { describe, expect, it } from 'vitest';
import { exchangeOnlineEntries } from '../../src/smtp/exchange-online.js';

describe('exchangeOnlineEntries', () => {
  it("finds the allow entries that take in Exchange Online's shared ranges, narrower, wider or equal", () => {
    expect(exchangeOnlineEntries(['40.107.0.0/16', '40.107.12.0/24', '40.0.0.0/8', '0.0.0.0/0', '2a01:111:f400::/48', '2a01:111::/32'])).toEqual([
      '40.107.0.0/16',
      '40.107.12.0/24',
      '40.0.0.0/8',
      '0.0.0.0/0',
      '2a01:111:f400::/48',
      '2a01:111::/32',
    ]);
  });

  it('leaves the rest: loopback, private networks, a relay of its own', () => {
    expect(exchangeOnlineEntries(['127.0.0.1/32', '::1/128', '10.0.0.0/8', '192.0.2.10', '40.106.0.0/16'])).toEqual([]);
  });
});
