import { describe, expect, it } from 'vitest';
import { secretsFromEnvironment } from '../../src/config/environment.js';

describe('secrets from the environment', () => {
  const key = Buffer.alloc(32, 3).toString('base64');

  it('takes the database URL and the quarantine key, and ignores unset or empty variables', () => {
    expect(secretsFromEnvironment({ HALLMONITOR_DATABASE_URL: 'postgres://hm@127.0.0.1:5432/hm', HALLMONITOR_QUARANTINE_KEY: key })).toEqual({
      database: 'postgres://hm@127.0.0.1:5432/hm',
      quarantineKey: key,
    });
    expect(secretsFromEnvironment({ HALLMONITOR_DATABASE_URL: '' })).toEqual({});
  });

  it('names the bad variable without repeating its value', () => {
    const secret = Buffer.alloc(8, 9).toString('base64');
    const attempt = () => secretsFromEnvironment({ HALLMONITOR_QUARANTINE_KEY: secret });
    expect(attempt).toThrow(/HALLMONITOR_QUARANTINE_KEY/);
    expect(attempt).not.toThrow(secret);
  });
});
