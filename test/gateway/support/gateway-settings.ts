import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { configSchema } from '../../../src/config/config.js';
import type { GatewaySettings } from '../../../src/gateway/start-gateway.js';
import type { SchoolSources } from '../../../src/config/school-sources.js';

/** The fixture school (fixtures/roster/README.md). */
export const FIXTURE_SCHOOL: SchoolSources = {
  id: 'st-marys',
  domains: ['stmarys-example.sch.uk'],
  rosterPath: resolve('fixtures/roster/pupils.csv'),
  staffPath: resolve('fixtures/roster/staff.csv'),
};

/** Embedded defaults, on free loopback ports, with the data folder and next hop a test chooses. */
export function gatewaySettings(data: string, nextHop?: string, schools: readonly SchoolSources[] = [FIXTURE_SCHOOL]): GatewaySettings {
  return {
    ...configSchema.parse({}),
    listen: { host: '127.0.0.1', port: 0 },
    web: { host: '127.0.0.1', port: 0 },
    data,
    ...(nextHop ? { nextHop } : {}),
    schools,
    alertRecipients: {},
    // Queue keys of this gateway's own: parallel test files share the machine's Redis.
    redisPrefix: `hm-test-${randomBytes(6).toString('hex')}`,
  };
}

/** A logger whose JSON lines a test can read back. */
export function memoryLog(): { lines: Record<string, unknown>[]; logger: Logger } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}
