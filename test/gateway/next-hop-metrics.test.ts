import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway/start-gateway.js';
import { gatewaySettings, memoryLog } from './support/gateway-settings.js';
import { swaks } from './support/swaks.js';
import { freePort } from '../queue/support/redis.js';

const TEACHER = 'imran.sheikh@stmarys-example.sch.uk';

describe('next-hop errors in /metrics', () => {
  it('counts a delivery the next hop could not take, by the reply the client got', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hm-next-hop-metrics-'));
    const gateway = await startGateway(gatewaySettings(join(folder, 'data'), `smtp://127.0.0.1:${await freePort()}`), memoryLog().logger);
    try {
      const file = join(folder, 'clean.eml');
      await writeFile(file, `From: ${TEACHER}\r\nTo: parent@example.org\r\nSubject: Trip\r\n\r\nPacked lunches please.\r\n`);
      const run = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] });
      expect(run.lastCode, run.transcript).toBe(451);
      const metrics = await (await fetch(`http://127.0.0.1:${gateway.web.port}/metrics`)).text();
      expect(metrics).toMatch(/hallmonitor_next_hop_errors_total\{code="451"\} 1/);
      // Read from Redis at scrape time; a slow Redis shows NaN rather than hold up the scrape.
      expect(metrics).toMatch(/^hallmonitor_queue_failed_jobs (0|NaN)$/m);
    } finally {
      await gateway.stop();
    }
  });
});
