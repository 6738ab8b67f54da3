import { mkdtemp } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/gateway/start-gateway.js';
import { startNextHop, type RunningNextHop } from '../actions/support/next-hop-server.js';
import { RawSmtp } from '../smtp/support/raw-smtp.js';
import { gatewaySettings, memoryLog } from './support/gateway-settings.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';

const TEACHER = 'teacher@stmarys-example.sch.uk';

/** Sends exactly these bytes as the message (dot-stuffed), returning the reply to the final dot. */
async function send(port: number, raw: Buffer, recipients: readonly string[] = ['parent@example.org']): Promise<string> {
  const { client } = await RawSmtp.open(port);
  try {
    await client.command('EHLO test.example');
    await client.command(`MAIL FROM:<${TEACHER}>`);
    for (const recipient of recipients) await client.command(`RCPT TO:<${recipient}>`);
    await client.command('DATA');
    client.write(Buffer.from(raw.toString('latin1').replace(/^\./gm, '..'), 'latin1'));
    return await client.command('.');
  } finally {
    client.close();
  }
}

describe('a message with the same text as another is still another message', () => {
  let nextHop: RunningNextHop;
  let gateway: RunningGateway | undefined;
  let data: string;

  beforeAll(async () => {
    data = join(await mkdtemp(join(tmpdir(), 'hm-distinct-')), 'data');
    nextHop = await startNextHop();
    gateway = await startGateway(gatewaySettings(data, nextHop.url), memoryLog().logger);
  });
  afterAll(async () => {
    await gateway?.stop();
    await nextHop?.close();
  });

  it('holds a second message that differs only in its subject, and a retry of either adds nothing', async () => {
    // A slur: held for the DPO. The same text sent again under another subject (or Message-ID) is a new
    // message; taken for a retry of the first, it would be answered 250 and never stored: lost.
    const held = (subject: string) =>
      Buffer.from(
        `From: ${TEACHER}\r\nTo: parent@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${subject.length}@stmarys-example.sch.uk>\r\n\r\nThat lot are a bunch of retards.\r\n`,
      );
    const port = gateway!.smtp.port;
    expect(await send(port, held('Wednesday'))).toMatch(/^250 2\.6\.0/);
    expect(await send(port, held('Wednesday'))).toMatch(/^250 2\.6\.0/);
    expect(await send(port, held('Wednesday again'))).toMatch(/^250 2\.6\.0/);
    // Stopped first: one process, one SQLite store at a time.
    await gateway!.stop();
    gateway = undefined;
    const store = await openConfiguredStore({ data });
    try {
      expect(await store.quarantine.list()).toHaveLength(2);
    } finally {
      await store.close();
    }
  });
});

describe('loop protection', () => {
  let nextHop: RunningNextHop;
  let gateway: RunningGateway | undefined;
  let data: string;
  const log = memoryLog();

  beforeAll(async () => {
    data = join(await mkdtemp(join(tmpdir(), 'hm-loop-')), 'data');
    nextHop = await startNextHop();
    gateway = await startGateway(gatewaySettings(data, nextHop.url), log.logger);
  });
  afterAll(async () => {
    await gateway?.stop();
    await nextHop?.close();
  });

  it('does not scan a message again that it already passed, and refuses it once it has looped', async () => {
    let message: Buffer = Buffer.from(`From: ${TEACHER}\r\nTo: parent@example.org\r\nSubject: Trip\r\n\r\nPacked lunches on Friday, please.\r\n`);
    for (let pass = 1; pass <= 3; pass += 1) {
      expect(await send(gateway!.smtp.port, message)).toMatch(/^250/);
      message = nextHop.received.at(-1)!.raw;
      expect([...message.toString().matchAll(/^X-Hallmonitor-Trace:/gm)]).toHaveLength(pass);
    }
    expect(log.lines.filter((line) => line.passage === 'already-scanned').map((line) => line.passes)).toEqual([1, 2]);
    expect(await send(gateway!.smtp.port, message)).toMatch(/^554 5\.4\.6/);
    expect(nextHop.received).toHaveLength(3);
  });

  it('scans a message whose trace header was copied from another one, or forged', async () => {
    const delivered = nextHop.received[0]!.raw.toString();
    const copiedTrace = delivered.slice(0, delivered.indexOf('\r\n') + 2);
    const named = Buffer.from(
      `${copiedTrace}X-Hallmonitor-Trace: v=1; t=${Math.floor(Date.now() / 1000)}; mac=AAAA\r\nFrom: ${TEACHER}\r\nTo: parent@example.org\r\nSubject: Kwame Mensah's report\r\n\r\nSee attached.\r\n`,
    );
    expect(await send(gateway!.smtp.port, named)).toMatch(/^550 5\.7\.1/);
  });

  it('scans a message whose trace was copied from one delivered message onto the same message to other recipients', async () => {
    // Fine to a colleague, so delivered with a trace; the same bytes to a parent need encrypting.
    const internal = ['head@stmarys-example.sch.uk'];
    const text = Buffer.from(`From: ${TEACHER}\r\nTo: head@stmarys-example.sch.uk\r\nSubject: Support plan\r\n\r\nKwame Mensah has an EHCP and his asthma plan is attached.\r\n`);
    expect(await send(gateway!.smtp.port, text, internal)).toMatch(/^250/);
    const traced = nextHop.received.at(-1)!;
    expect(traced.to).toEqual(internal);
    expect(traced.raw.toString()).toMatch(/^X-Hallmonitor-Trace: v=2; /);
    const before = nextHop.received.length;

    expect(await send(gateway!.smtp.port, traced.raw, ['parent@example.org'])).toMatch(/^250/);
    const decided = log.lines.filter((line) => line.msg === 'message').at(-1);
    expect(decided).toMatchObject({ verdict: 'encrypt', unverifiedTraces: 1 });
    expect(decided).not.toHaveProperty('passage');
    const toParent = nextHop.received.slice(before).filter((message) => message.to.includes('parent@example.org'));
    expect(toParent).toHaveLength(1);
    expect(toParent[0]!.raw.toString()).not.toMatch(/EHCP|Kwame/);
  });

  it('audits each message it passed on its traces alone, and each loop it refused', async () => {
    // Stopped first: the audit writer flushes, and one process holds the SQLite store at a time.
    await gateway!.stop();
    gateway = undefined;
    const database = new Database(join(data, 'hallmonitor.sqlite'), { readonly: true });
    try {
      const rows = database.prepare("SELECT kind, action, reason FROM audit_log WHERE actor = 'loop-guard' ORDER BY seq").all();
      expect(rows).toEqual([
        { kind: 'system', action: 'pass', reason: 'valid traces: 1; reply 250' },
        { kind: 'system', action: 'pass', reason: 'valid traces: 2; reply 250' },
        { kind: 'system', action: 'loop', reason: 'valid traces: 3; reply 554' },
      ]);
    } finally {
      database.close();
    }
  });
});
