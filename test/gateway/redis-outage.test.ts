import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway/start-gateway.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { startPrivateRedis } from '../queue/support/redis.js';
import { gatewaySettings, memoryLog } from './support/gateway-settings.js';
import { swaks } from './support/swaks.js';

const SENDER = 'imran.sheikh@stmarys-example.sch.uk';

describe('the gateway while Redis is away', () => {
  it('answers 451 to what needs a queue and loses nothing, then recovers when Redis returns', async () => {
    const redis = await startPrivateRedis({ args: ['--maxmemory-policy', 'noeviction'] });
    const nextHop = await startNextHop();
    const folder = await mkdtemp(join(tmpdir(), 'hm-redis-outage-'));
    const log = memoryLog();
    const gateway = await startGateway({ ...gatewaySettings(join(folder, 'data'), nextHop.url), redis: redis.url }, log.logger);
    let restarted: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
    try {
      const profanity = () => swaks(gateway.smtp.port, 'fixtures/corpus/profanity-subject.eml', { from: SENDER, to: ['parent@example.org'] });
      expect((await profanity()).lastCode).toBe(550);

      await redis.stop();
      const refused = await profanity();
      expect(refused.lastCode, refused.transcript).toBe(451);
      // The operator's log says why, without content: the step, the verdict and the queue's error code.
      expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'message tempfailed', stage: 'act', verdict: 'return', error: 'notice-queue-unavailable', reply: 451 }));
      // Mail that needs no queue still flows: a clean message is delivered.
      const clean = await swaks(gateway.smtp.port, 'fixtures/corpus/clean-inset-day.eml', { from: SENDER, to: ['parent@example.org'] });
      expect(clean.lastCode, clean.transcript).toBe(250);

      restarted = await startPrivateRedis({ port: redis.port, args: ['--maxmemory-policy', 'noeviction'] });
      await expect.poll(async () => (await profanity()).lastCode, { timeout: 40_000, interval: 500 }).toBe(550);
      // The notice queued after the return reaches the sender through the gateway's own worker.
      await expect.poll(() => nextHop.received.filter((message) => message.to.includes(SENDER)).length, { timeout: 40_000 }).toBeGreaterThan(0);
    } finally {
      await gateway.stop();
      await nextHop.close();
      await restarted?.stop();
    }
  }, 90_000);
});
