import { readdir, readFile } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/delivery/delivery-error.js';
import { smtpNextHop, trialOutbox } from '../../src/delivery/next-hop.js';
import { mailSender } from '../../src/queue/mail-sender.js';
import type { OutgoingMail } from '../../src/queue/outgoing-mail.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { spoolDirectory } from '../actions/support/spool.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const MAIL: OutgoingMail = {
  id: 'sender-notice.abc123',
  kind: 'sender-notice',
  to: ['teacher@school.sch.uk'],
  subject: 'Hallmonitor: your message was not sent',
  text: 'Hello,\n\nYour message was not sent.\n',
  html: '<p>Hello,</p><p><strong>Your message was not sent.</strong></p>',
};

async function relayTo(behaviour: Parameters<typeof startNextHop>[0] = {}) {
  const server = await startNextHop(behaviour);
  const nextHop = smtpNextHop(server.url);
  cleanups.push(async () => {
    await nextHop.close();
    await server.close();
  });
  return { server, nextHop };
}

describe('mailSender', () => {
  it('sends to the mail’s recipients only, from the postmaster with the null reverse path, in text and HTML, with a Message-ID made from the job id', async () => {
    const { server, nextHop } = await relayTo();
    const spool = await spoolDirectory();
    const send = mailSender(nextHop, 'postmaster@school.sch.uk');
    await send(MAIL);
    await send({ ...MAIL, id: 'alert.abc123.dpo', kind: 'alert', to: ['dpo@school.sch.uk', 'deputy@school.sch.uk'] });
    expect(server.received.map((mail) => mail.to)).toEqual([['teacher@school.sch.uk'], ['dpo@school.sch.uk', 'deputy@school.sch.uk']]);
    const [first, second] = server.received;
    expect(first!.from).toBe('');
    const parsed = await simpleParser(first!.raw);
    expect(parsed.from?.text).toBe('postmaster@school.sch.uk');
    expect(parsed.subject).toBe(MAIL.subject);
    expect(parsed.text?.trim()).toBe(MAIL.text.trim());
    expect(parsed.html).toBe(MAIL.html);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.messageId).toBe('<sender-notice.abc123@school.sch.uk>');
    expect((await simpleParser(second!.raw)).messageId).toBe('<alert.abc123.dpo@school.sch.uk>');
    expect(await readdir(spool)).toEqual([]);
  });

  it('gives the same Message-ID to every try of one job, so a duplicate is recognisable', async () => {
    const { server, nextHop } = await relayTo();
    const send = mailSender(nextHop, 'postmaster@school.sch.uk');
    await send(MAIL);
    await send(MAIL);
    const ids = await Promise.all(server.received.map(async (mail) => (await simpleParser(mail.raw)).messageId));
    expect(ids).toEqual(['<sender-notice.abc123@school.sch.uk>', '<sender-notice.abc123@school.sch.uk>']);
  });

  it('writes the mail to the outbox in trial mode, named by its job id, so a second try overwrites the first', async () => {
    const outbox = await spoolDirectory();
    const send = mailSender(trialOutbox(outbox), undefined);
    await send(MAIL);
    await send(MAIL);
    expect(await readdir(outbox)).toEqual(['sender-notice.abc123.eml']);
    expect(await readFile(`${outbox}/sender-notice.abc123.eml`, 'utf8')).toContain('Your message was not sent.');
  });

  it('fails for good when the next hop refuses the mail, and for now when it defers it', async () => {
    const refusing = await relayTo({ refuse: { 'teacher@school.sch.uk': 550 } });
    const refused = await mailSender(refusing.nextHop, 'postmaster@school.sch.uk')(MAIL).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DeliveryError);
    expect((refused as DeliveryError).code).toBe('notice-refused');

    const deferring = await relayTo({ refuse: { 'teacher@school.sch.uk': 451 } });
    const spool = await spoolDirectory();
    const deferred = await mailSender(deferring.nextHop, 'postmaster@school.sch.uk')(MAIL).catch((e: unknown) => e);
    expect((deferred as DeliveryError).code).toBe('notice-deferred');
    expect(await readdir(spool)).toEqual([]);
  });
});
