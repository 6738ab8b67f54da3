import { describe, expect, it } from 'vitest';
import { AllowListError, createAddressAllowList } from '../../src/smtp/address-allow-list.js';

describe('createAddressAllowList', () => {
  const allowed = createAddressAllowList(['127.0.0.1/32', '::1/128', '40.92.0.0/15', '2a01:111:f400::/48', '192.0.2.7']);

  it('matches IPv4 and IPv6 ranges, and IPv4-mapped IPv6 addresses as IPv4', () => {
    expect(allowed('127.0.0.1')).toBe(true);
    expect(allowed('::1')).toBe(true);
    expect(allowed('40.93.255.1')).toBe(true);
    expect(allowed('::ffff:40.92.3.4')).toBe(true);
    expect(allowed('2a01:111:f400:7e00::1')).toBe(true);
    expect(allowed('192.0.2.7')).toBe(true);
  });

  it('refuses addresses outside every range and non-addresses', () => {
    expect(allowed('127.0.0.2')).toBe(false);
    expect(allowed('40.94.0.1')).toBe(false);
    expect(allowed('2a01:111:f401::1')).toBe(false);
    expect(allowed('::2')).toBe(false);
    expect(allowed('192.0.2.8')).toBe(false);
    expect(allowed('localhost')).toBe(false);
  });

  it('gives the same answers when asked again, past the addresses it remembers', () => {
    const lan = createAddressAllowList(['10.1.0.0/16']);
    for (let round = 0; round < 2; round += 1) {
      for (let host = 0; host < 5000; host += 1) {
        const inside = `10.1.${host >> 8}.${host & 255}`;
        const outside = `10.2.${host >> 8}.${host & 255}`;
        expect(lan(inside)).toBe(true);
        expect(lan(outside)).toBe(false);
      }
    }
  });

  it.each(['10.0.0.0/33', '::/129', 'ten.0.0.0/8', '10.0.0.0/8/1', '10.0.0.0/', ''])('rejects the entry %j when built', (entry) => {
    expect(() => createAddressAllowList([entry])).toThrow(AllowListError);
  });
});
