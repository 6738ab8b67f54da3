import { describe, expect, it } from 'vitest';
import { configSchema, schoolSources } from '../../src/config/config.js';
import { cidrSchema, GATEWAY_DEFAULTS, parseHostPort } from '../../src/config/gateway-config.js';
import { AUTH_FAILURE_DEFAULTS } from '../../src/smtp/auth-failure-limit.js';
import { PASSWORD_HASH_LIMIT } from '../../src/smtp/concurrency-limit.js';
import { SIGN_IN_LIMIT, signInLimitFrom } from '../../src/web/auth-routes.js';

describe('gateway configuration', () => {
  it('runs on the embedded defaults of docs/architecture.md, "hallmonitor serve" when nothing is configured', () => {
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

  it('takes the PROXY protocol only with the load balancers named, and says so for the old `proxyProtocol: true`', () => {
    expect(configSchema.parse({}).proxyProtocol).toBeUndefined();
    expect(configSchema.parse({ proxyProtocol: { trustedProxies: ['10.0.4.0/24'] } }).proxyProtocol).toEqual({ trustedProxies: ['10.0.4.0/24'] });
    for (const bad of [true, { trustedProxies: [] }, {}, { trustedProxies: ['load-balancer.example.org'] }]) {
      const parsed = configSchema.safeParse({ proxyProtocol: bad });
      expect(parsed.success, JSON.stringify(bad)).toBe(false);
      expect(parsed.error?.issues[0]?.path[0]).toBe('proxyProtocol');
    }
    expect(configSchema.safeParse({ proxyProtocol: true }).error?.issues[0]?.message).toMatch(/trustedProxies/);
  });
});

describe('the web app behind a proxy', () => {
  it('takes the TLS proxy in front as CIDRs, and none by default', () => {
    expect(configSchema.parse({}).webTrustProxy).toEqual([]);
    expect(configSchema.parse({ webTrustProxy: ['10.0.0.5/32'] }).webTrustProxy).toEqual(['10.0.0.5/32']);
    expect(() => configSchema.parse({ webTrustProxy: ['the proxy'] })).toThrow();
  });
});

describe('limits on logins and password hashing', () => {
  it('states each default once, in GATEWAY_DEFAULTS, and the limiters start from them', () => {
    const { limits } = configSchema.parse({});
    expect(limits.smtpAuthFailures).toEqual(GATEWAY_DEFAULTS.smtpAuthFailures);
    expect(limits.signIn).toEqual(GATEWAY_DEFAULTS.signIn);
    expect(limits.passwordHashes).toEqual(GATEWAY_DEFAULTS.passwordHashes);
    expect(AUTH_FAILURE_DEFAULTS).toEqual({ perAddress: 5, total: 50, windowMs: 15 * 60_000 });
    expect(PASSWORD_HASH_LIMIT).toEqual({ running: 2, waiting: 32 });
    expect(SIGN_IN_LIMIT).toEqual({ max: 5, windowMs: 60_000, accountFailures: 10, accountWindowMs: 15 * 60_000 });
  });

  it('takes each limit from the file, keeping the defaults of the others, and refuses nonsense', () => {
    const { limits } = configSchema.parse({ limits: { smtpAuthFailures: { perAddress: 3 }, signIn: { accountFailures: 20 }, passwordHashes: { running: 1, waiting: 0 } } });
    expect(limits.smtpAuthFailures).toEqual({ perAddress: 3, total: 50, windowMinutes: 15 });
    expect(signInLimitFrom(limits.signIn)).toEqual({ max: 5, windowMs: 60_000, accountFailures: 20, accountWindowMs: 15 * 60_000 });
    expect(limits.passwordHashes).toEqual({ running: 1, waiting: 0 });
    for (const bad of [{ passwordHashes: { running: 0 } }, { smtpAuthFailures: { total: -1 } }, { signIn: { attemptsPerMinute: 1.5 } }, { signIn: { perMinute: 5 } }]) {
      expect(configSchema.safeParse({ limits: bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('takes TLS files for Redis, cert and key together', () => {
    expect(configSchema.parse({ redisTls: { ca: 'redis-ca.pem' } }).redisTls).toEqual({ ca: 'redis-ca.pem' });
    expect(configSchema.safeParse({ redisTls: { cert: 'client.pem' } }).success).toBe(false);
    expect(configSchema.safeParse({ redisTls: { ca: 'a.pem', crl: 'b.pem' } }).success).toBe(false);
  });
});

describe('store, retention, alerts and encryption settings', () => {
  it('defaults to SQLite, a key file, 30 days of quarantine and a 7 o’clock digest', () => {
    const config = configSchema.parse({});
    expect(config.database).toBeUndefined();
    expect(config.quarantineKey).toBeUndefined();
    expect(config.retention).toEqual({ quarantineDays: 30, auditDays: 365, senderLinkHours: 72 });
    expect(config.digest).toEqual({ schedule: '0 7 * * *', timezone: 'Europe/London' });
    expect(config.encryption).toEqual({
      envelopeKdf: 'argon2',
      keylessForm: 'pdf',
      keylessFormByRecipient: {},
      maxEncryptedMessageBytes: 35 * 1024 * 1024,
      passphrases: {},
      webKeyDirectory: false,
    });
  });

  it('takes the keyless form by school and by recipient, and refuses a form it does not make', () => {
    const config = configSchema.parse({
      encryption: { keylessForm: 'html', keylessFormByRecipient: { 'Council.Example.gov.uk': 'pdf' } },
      schools: [{ id: 'st-marys', domains: ['stmarys-example.sch.uk'], encryption: { keylessFormByRecipient: { 'duty@council.example.gov.uk': 'html' } } }],
    });
    expect(config.encryption.keylessFormByRecipient).toEqual({ 'council.example.gov.uk': 'pdf' });
    expect(config.schools?.[0]?.encryption).toEqual({ keylessFormByRecipient: { 'duty@council.example.gov.uk': 'html' } });
    expect(configSchema.parse({ schools: [{ id: 'a', domains: ['a.example.sch.uk'] }] }).schools?.[0]?.encryption).toEqual({ keylessFormByRecipient: {} });
    expect(() => configSchema.parse({ encryption: { keylessForm: 'zip' } })).toThrow(/keylessForm/);
    expect(() => configSchema.parse({ encryption: { keylessFormByRecipient: { 'not a domain': 'pdf' } } })).toThrow();
    expect(() => configSchema.parse({ encryption: { maxEncryptedMessageBytes: 0 } })).toThrow();
  });

  it('accepts a PostgreSQL URL and a 32-byte base64 key, and refuses anything else', () => {
    expect(configSchema.safeParse({ database: 'postgres://hallmonitor@db.example.org:5432/hallmonitor' }).success).toBe(true);
    expect(configSchema.safeParse({ database: 'mysql://db.example.org/hallmonitor' }).success).toBe(false);
    expect(configSchema.safeParse({ quarantineKey: Buffer.alloc(32, 7).toString('base64') }).success).toBe(true);
    expect(configSchema.safeParse({ quarantineKey: Buffer.alloc(16, 7).toString('base64') }).success).toBe(false);
  });

  it('takes pre-agreed passphrases by address or domain, lower-cased, and refuses short ones', () => {
    const config = configSchema.parse({
      encryption: { passphrases: { 'Social-Care.example.gov.uk': 'correct horse battery staple', 'sw@agency.example.org': 'another long passphrase' } },
    });
    expect(Object.keys(config.encryption.passphrases)).toEqual(['social-care.example.gov.uk', 'sw@agency.example.org']);
    expect(configSchema.safeParse({ encryption: { passphrases: { 'agency.example.org': 'short' } } }).success).toBe(false);
    expect(configSchema.safeParse({ encryption: { passphrases: { 'not a domain': 'a long enough passphrase' } } }).success).toBe(false);
  });

  it('lists alert recipients per school and role', () => {
    const config = configSchema.parse({
      schools: [{ id: 'st-marys', domains: ['stmarys.example.sch.uk'], alerts: { dpo: ['DPO@stmarys.example.sch.uk'], dsl: ['dsl@stmarys.example.sch.uk'] } }],
    });
    expect(config.schools?.[0]?.alerts).toEqual({ 'business-manager': [], dpo: ['dpo@stmarys.example.sch.uk'], dsl: ['dsl@stmarys.example.sch.uk'] });
    expect(configSchema.safeParse({ schools: [{ id: 'a', domains: ['a.example.sch.uk'], alerts: { head: ['h@a.example.sch.uk'] } }] }).success).toBe(false);
  });
});

describe('schools on a shared gateway', () => {
  const school = { id: 'elmwood', domains: ['elmwood.sch.uk'] };

  it("gives each school's own networks and tenants to its load sources, the tenant IDs in lower case", () => {
    const config = configSchema.parse({
      schools: [
        { ...school, allow: ['10.20.0.0/16'], microsoft365TenantIds: ['8F2A6C1E-3B4D-4E5F-9A0B-1C2D3E4F5A6B'] },
        { id: 'oakfield', domains: ['oakfield.sch.uk'] },
      ],
    });
    expect(schoolSources(config, '/etc/hallmonitor/hallmonitor.yaml').map(({ id, allow, microsoft365TenantIds }) => ({ id, allow, microsoft365TenantIds }))).toEqual([
      { id: 'elmwood', allow: ['10.20.0.0/16'], microsoft365TenantIds: ['8f2a6c1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b'] },
      { id: 'oakfield', allow: undefined, microsoft365TenantIds: [] },
    ]);
  });

  it('reads images by OCR in mail leaving the school unless a school says always or never', () => {
    const config = configSchema.parse({ schools: [school, { id: 'oakfield', domains: ['oakfield.sch.uk'], ocr: 'never' }] });
    expect(schoolSources(config, '/etc/hallmonitor/hallmonitor.yaml').map(({ ocr }) => ocr)).toEqual(['external', 'never']);
    expect(configSchema.safeParse({ schools: [{ ...school, ocr: 'sometimes' }] }).success).toBe(false);
  });

  it('refuses a school network that is not CIDR, an empty list, and a tenant that is not a GUID', () => {
    expect(configSchema.safeParse({ schools: [{ ...school, allow: ['elmwood-router'] }] }).success).toBe(false);
    expect(configSchema.safeParse({ schools: [{ ...school, allow: [] }] }).success).toBe(false);
    expect(configSchema.safeParse({ schools: [{ ...school, microsoft365TenantIds: ['contoso'] }] }).success).toBe(false);
  });

  it('binds SMTP logins to their senders, or leaves a bare hash free to use any school sender', () => {
    const hash = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    expect(configSchema.parse({ smtpUsers: { copier: { password: hash, senders: ['Office@Elmwood.sch.uk', 'juniors.elmwood.sch.uk'] }, office365: hash } }).smtpUsers).toEqual({
      copier: { passwordHash: hash, senders: ['office@elmwood.sch.uk', 'juniors.elmwood.sch.uk'] },
      office365: { passwordHash: hash, senders: 'any' },
    });
    expect(configSchema.safeParse({ smtpUsers: { copier: { password: hash, senders: [] } } }).success).toBe(false);
  });
});
