import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trialOutbox } from '../../src/delivery/trial-outbox.js';
import { readTraceFacts, traceHeaderLine, tracedNextHop } from '../../src/gateway/loop-guard.js';
import type { Envelope } from '../../src/message/envelope.js';

const secret = Buffer.alloc(32, 1);
const now = new Date('2026-11-24T09:00:00Z');
const envelope: Envelope = { mailFrom: 'teacher@school.sch.uk', rcptTo: ['head@school.sch.uk', 'deputy@school.sch.uk'] };
const original = Buffer.from('From: teacher@school.sch.uk\r\nSubject: Trip\r\n  to the coast\r\n\r\nPacked lunches on Friday, please.\r\n');

/** The message as this gateway delivered it: its trace line on top of the bytes it received. */
async function delivered(message = original, to = envelope): Promise<Buffer> {
  const { messageHash } = await readTraceFacts(message, to, secret, now);
  return Buffer.concat([traceHeaderLine(secret, to, messageHash, now), message]);
}

const passes = async (message: Buffer, to = envelope, at = now) => (await readTraceFacts(message, to, secret, at)).passes;

describe('the trace header', () => {
  it('verifies on the message it was made for, whatever the order and case of the recipients, from memory or a spool file', async () => {
    const message = await delivered();
    expect(await passes(message)).toBe(1);
    expect(await passes(message, { mailFrom: 'Teacher@School.sch.uk', rcptTo: ['DEPUTY@school.sch.uk', 'head@school.sch.uk'] })).toBe(1);
    const file = join(await mkdtemp(join(tmpdir(), 'hm-trace-')), 'message.eml');
    await writeFile(file, message);
    expect((await readTraceFacts(file, envelope, secret, now)).passes).toBe(1);
    expect(await passes(Buffer.concat([traceHeaderLine(secret, envelope, (await readTraceFacts(message, envelope, secret, now)).messageHash, now), message]))).toBe(2);
  });

  it('does not verify for other recipients or another sender: a copied trace cannot carry the message further', async () => {
    const message = await delivered();
    expect(await passes(message, { ...envelope, rcptTo: ['parent@example.org'] })).toBe(0);
    expect(await passes(message, { ...envelope, rcptTo: [...envelope.rcptTo, 'parent@example.org'] })).toBe(0);
    expect(await passes(message, { ...envelope, mailFrom: 'head@school.sch.uk' })).toBe(0);
  });

  it('does not verify once any header field below it or the body changed, or a field was added below it', async () => {
    const message = (await delivered()).toString('latin1');
    for (const changed of [
      message.replace('to the coast', 'to the seaside'),
      message.replace('Packed lunches', 'Packed lunch'),
      message.replace('Subject:', 'X-Note: Kwame Mensah\r\nSubject:'),
    ]) {
      expect(await passes(Buffer.from(changed, 'latin1')), changed).toBe(0);
    }
  });

  it("still verifies with a relay's fields added above it on the way back (RFC 5321 §4.4), so a loop through Exchange Online is seen", async () => {
    const message = (await delivered()).toString('latin1');
    const returned = `Received: from relay.example.org\r\nX-MS-Exchange-Organization-Network-Message-Id: 1\r\n${message}`;
    expect(await passes(Buffer.from(returned, 'latin1'))).toBe(1);
    const twice = Buffer.concat([
      traceHeaderLine(secret, envelope, (await readTraceFacts(Buffer.from(returned, 'latin1'), envelope, secret, now)).messageHash, now),
      Buffer.from(returned, 'latin1'),
    ]);
    expect(await passes(Buffer.concat([Buffer.from('Received: from relay.example.org\r\n'), twice]))).toBe(2);
  });

  it('counts nothing when any trace field fails: a second, forged one cannot ride along unscanned', async () => {
    const message = (await delivered()).toString('latin1');
    const forged = Buffer.from(`X-Hallmonitor-Trace: v=2; t=${Math.floor(now.getTime() / 1000)}; mac=Kwame-Mensah-EHCP\r\n${message}`, 'latin1');
    expect(await readTraceFacts(forged, envelope, secret, now)).toMatchObject({ traces: 2, passes: 0 });
  });

  it('expires after two days, and does not verify under another secret', async () => {
    const message = await delivered();
    expect(await passes(message, envelope, new Date(now.getTime() + 3 * 24 * 3600 * 1000))).toBe(0);
    expect((await readTraceFacts(message, envelope, Buffer.alloc(32, 2), now)).passes).toBe(0);
  });
});

describe('tracedNextHop: mail the gateway writes itself', () => {
  it('leaves with a trace of its own, so a route that brings it back has it passed, not scanned again', async () => {
    const outbox = await mkdtemp(join(tmpdir(), 'hm-own-mail-'));
    const own = tracedNextHop(trialOutbox(outbox), secret, () => now);
    const notice = { mailFrom: '', rcptTo: ['dpo@school.sch.uk'] };
    const sent = {
      id: 'alert-1',
      bytes: original,
      sizeBytes: original.length,
      envelope: notice,
      client: { address: '127.0.0.1', hostname: 'hallmonitor', secure: true, user: undefined },
    };
    expect((await own.deliver(sent)).reply.code).toBe(250);
    const written = await readFile(join(outbox, 'alert-1.eml'));
    expect(written.subarray(written.indexOf('\r\n') + 2).equals(original)).toBe(true);
    expect(await passes(written, notice)).toBe(1);
    // What the pipeline hands on keeps the trace it made.
    const made = traceHeaderLine(secret, envelope, 'made-by-the-pipeline', now);
    expect((await own.deliver({ ...sent, id: 'relayed-1' }, made)).reply.code).toBe(250);
    expect((await readFile(join(outbox, 'relayed-1.eml'))).subarray(0, made.length).equals(made)).toBe(true);
  });
});
