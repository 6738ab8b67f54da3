import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.js';
import { cidrSchema, GATEWAY_DEFAULTS, parseHostPort } from '../../src/config/gateway-config.js';

describe('gateway configuration', () => {
  it('runs on the embedded defaults of CONTRACTS.md §3 when nothing is configured', () => {
    const config = configSchema.parse({});
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 2525 });
    expect(config.allow).toEqual(['127.0.0.1/32', '::1/128']);
    expect(config.data).toBe('./data');
    expect(config.web).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.redis).toBe('redis://127.0.0.1:6379');
    expect(config.nextHop).toBeUndefined();
    expect(config.limits.maxMessageBytes).toBe(GATEWAY_DEFAULTS.maxMessageBytes);
    expect(config.schools).toBeUndefined();
  });

  it('reads HOST:PORT with IPv4, names and bracketed IPv6', () => {
    expect(parseHostPort('0.0.0.0:25')).toEqual({ host: '0.0.0.0', port: 25 });
    expect(parseHostPort('mail.example.org:587')).toEqual({ host: 'mail.example.org', port: 587 });
    expect(parseHostPort('[::1]:2525')).toEqual({ host: '::1', port: 2525 });
    for (const bad of ['2525', 'host:', ':25', 'host:65536', '::1:25', 'a:b']) expect(parseHostPort(bad), bad).toBeUndefined();
  });

  it('accepts networks in CIDR form, IPv4 and IPv6, and refuses anything else', () => {
    for (const good of ['40.92.0.0/15', '2a01:111:f400::/48', '192.0.2.7', '::1/128']) expect(cidrSchema.safeParse(good).success, good).toBe(true);
    for (const bad of ['40.92.0.0/33', '::/129', 'example.org/24', '10.0.0.0/8/1', '10.0.0/8']) expect(cidrSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('refuses a next hop that is not an SMTP URL, and unknown settings', () => {
    expect(configSchema.safeParse({ nextHop: 'http://relay.example.org' }).success).toBe(false);
    expect(configSchema.safeParse({ nextHop: 'smtp://smtp.example.org:25' }).success).toBe(true);
    expect(configSchema.safeParse({ listn: '127.0.0.1:25' }).success).toBe(false);
  });
});
