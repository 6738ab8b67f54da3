import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/gateway/start-gateway.js';
import { gatewaySettings, memoryLog } from './support/gateway-settings.js';
import { startNextHop, type RunningNextHop } from '../actions/support/next-hop-server.js';
import { swaks } from './support/swaks.js';

const TEACHER = 'imran.sheikh@stmarys-example.sch.uk';

async function messageFile(folder: string, name: string, text: string): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, text.replace(/\n/g, '\r\n'));
  return path;
}

describe('the gateway with a next hop', () => {
  let folder: string;
  let nextHop: RunningNextHop;
  let gateway: RunningGateway;
  const log = memoryLog();

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'hm-gateway-'));
    nextHop = await startNextHop();
    gateway = await startGateway(gatewaySettings(join(folder, 'data'), nextHop.url), log.logger);
  });
  afterAll(async () => {
    await gateway?.stop();
    await nextHop?.close();
  });

  it('relays clean mail byte for byte with its envelope, and answers 250 after the next hop accepted', async () => {
    const file = await messageFile(
      folder,
      'clean.eml',
      `From: ${TEACHER}\nTo: parent@example.org\nSubject: Trip on Friday\nMessage-ID: <clean-1@stmarys-example.sch.uk>\n\nPlease remember packed lunches.\n`,
    );
    const run = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] });
    expect(run.lastCode, run.transcript).toBe(250);
    expect(nextHop.received).toHaveLength(1);
    expect(nextHop.received[0]!.from).toBe(TEACHER);
    expect(nextHop.received[0]!.to).toEqual(['parent@example.org']);
    expect(nextHop.received[0]!.raw.toString('utf8')).toContain('Please remember packed lunches.');
  });

  it('refuses a pupil’s full name in the subject with 550 and a one-line reason, and delivers nothing', async () => {
    const before = nextHop.received.length;
    const run = await swaks(gateway.smtp.port, 'fixtures/corpus/pupil-name-subject.eml', { from: TEACHER, to: ['priya.raman@stmarys-example.sch.uk'] });
    expect(run.lastCode, run.transcript).toBe(550);
    expect(run.transcript).toMatch(/550 5\.7\.1 A pupil's full name is in the subject line/);
    expect(nextHop.received).toHaveLength(before);
  });

  it('writes one JSON log line per message with ids, verdict and categories, and no content or local parts', () => {
    const messages = log.lines.filter((line) => line.msg === 'message');
    expect(messages.length).toBeGreaterThanOrEqual(2);
    const refused = messages.find((line) => line.verdict === 'return')!;
    expect(refused).toMatchObject({ senderDomain: 'stmarys-example.sch.uk', rules: ['pupil-name-in-subject'], categories: { 'pupil-name': 1 }, reply: 550 });
    const all = JSON.stringify(log.lines);
    for (const secret of ['Kwame', 'Mensah', 'imran.sheikh', 'packed lunches', 'priya.raman']) expect(all).not.toContain(secret);
  });

  it('serves /healthz and Prometheus /metrics on the web port', async () => {
    const health = await fetch(`http://127.0.0.1:${gateway.web.port}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.web.port}/metrics`)).text();
    expect(metrics).toMatch(/hallmonitor_messages_total\{action="deliver",code="250"\} 1/);
    expect(metrics).toMatch(/hallmonitor_messages_total\{action="return",code="550"\} 1/);
    expect(metrics).toContain('hallmonitor_scan_seconds_bucket');
  });
});

describe('the gateway when the next hop is down', () => {
  it('answers 451 so the sender keeps the message, and delivers it once the next hop is back', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hm-gateway-'));
    const first = await startNextHop();
    const port = Number(new URL(first.url).port);
    await first.close();
    const gateway = await startGateway(gatewaySettings(join(folder, 'data'), `smtp://127.0.0.1:${port}`), memoryLog().logger);
    let back: RunningNextHop | undefined;
    try {
      const file = await messageFile(folder, 'clean.eml', `From: ${TEACHER}\nTo: parent@example.org\nSubject: Trip\n\nHello.\n`);
      expect((await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] })).lastCode).toBe(451);
      back = await startNextHop({ port });
      expect((await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] })).lastCode).toBe(250);
      expect(back.received).toHaveLength(1);
    } finally {
      // The gateway's pooled connection to the next hop closes with it; only then can the next hop close.
      await gateway.stop();
      await back?.close();
    }
  });
});

describe('trial mode', () => {
  it('writes mail it would deliver to DATA/outbox as .eml, byte for byte', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hm-gateway-'));
    const data = join(folder, 'data');
    const log = memoryLog();
    const gateway = await startGateway(gatewaySettings(data), log.logger);
    try {
      expect(gateway.trialMode).toBe(true);
      expect(log.lines.some((line) => String(line.msg).startsWith('trial mode'))).toBe(true);
      const file = await messageFile(folder, 'clean.eml', `From: ${TEACHER}\nTo: parent@example.org\nSubject: Trip\n\nHello from the trial.\n`);
      expect((await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] })).lastCode).toBe(250);
      const written = (await readdir(join(data, 'outbox'))).filter((name) => name.endsWith('.eml'));
      expect(written).toHaveLength(1);
      expect(await readFile(join(data, 'outbox', written[0]!), 'utf8')).toContain('Hello from the trial.');
    } finally {
      await gateway.stop();
    }
  });
});
