import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { configFromEnvironment, processSettings, secretsFromEnvironment } from '../../src/config/environment.js';

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

describe('settings of the process from the environment', () => {
  it('takes the scan thread count and the trace secret, with one default for the count', () => {
    expect(processSettings({ HALLMONITOR_SCAN_WORKERS: '3', HALLMONITOR_TRACE_SECRET: 'invented-trace-secret' })).toEqual({ scanWorkers: 3, traceSecret: 'invented-trace-secret' });
    expect(processSettings({}).scanWorkers).toBe(Math.max(1, availableParallelism() - 1));
    expect(processSettings({ HALLMONITOR_TRACE_SECRET: '' }).traceSecret).toBeUndefined();
  });

  it('refuses a scan thread count that is not a whole number of at least 1, naming the variable', () => {
    for (const bad of ['0', 'two', '1.5']) expect(() => processSettings({ HALLMONITOR_SCAN_WORKERS: bad })).toThrow(/HALLMONITOR_SCAN_WORKERS: expected a whole number/);
  });

  it('sets the log level over the file, naming the variable when it is not a level', () => {
    expect(configFromEnvironment({ HALLMONITOR_LOG_LEVEL: 'debug', HALLMONITOR_DATABASE_URL: 'postgres://hm@127.0.0.1:5432/hm' })).toEqual({
      logLevel: 'debug',
      database: 'postgres://hm@127.0.0.1:5432/hm',
    });
    expect(() => configFromEnvironment({ HALLMONITOR_LOG_LEVEL: 'verbose' })).toThrow(/HALLMONITOR_LOG_LEVEL/);
  });
});
