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

  it('takes the Redis URL with its password and the metrics token, which stay out of the file', () => {
    const token = 'invented-metrics-token-0123456789abcdef';
    expect(secretsFromEnvironment({ HALLMONITOR_REDIS_URL: 'rediss://hallmonitor:invented-pass@redis.example:6380', HALLMONITOR_METRICS_TOKEN: token })).toEqual({
      redis: 'rediss://hallmonitor:invented-pass@redis.example:6380',
      metricsToken: token,
    });
    expect(() => secretsFromEnvironment({ HALLMONITOR_METRICS_TOKEN: 'short' })).toThrow(/HALLMONITOR_METRICS_TOKEN/);
  });
});
