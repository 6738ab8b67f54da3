import { readdir } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionError } from '../../src/actions/errors.js';
import { smtpNextHop, trialOutbox } from '../../src/actions/next-hop.js';
import type { RenderedNotice } from '../../src/policy/notice-templates.js';
import { noticeSender } from '../../src/queue/notice-queue.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { spoolDirectory } from '../actions/support/spool.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const NOTICE: RenderedNotice = {
  to: 'teacher@school.sch.uk',
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

describe('noticeSender', () => {
  it('sends the notice to the sender only, from the postmaster address with the null reverse path, in text and HTML', async () => {
    const { server, nextHop } = await relayTo();
    const spool = await spoolDirectory();
    await noticeSender(nextHop, 'postmaster@school.sch.uk', { spoolDirectory: spool })(NOTICE);
    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received!.to).toEqual(['teacher@school.sch.uk']);
    expect(received!.from).toBe('');
    const parsed = await simpleParser(received!.raw);
    expect(parsed.from?.text).toBe('postmaster@school.sch.uk');
    expect(parsed.subject).toBe(NOTICE.subject);
    expect(parsed.text?.trim()).toBe(NOTICE.text.trim());
    expect(parsed.html).toBe(NOTICE.html);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(await readdir(spool)).toEqual([]);
  });

  it('writes the notice to the outbox in trial mode', async () => {
    const outbox = await spoolDirectory();
    await noticeSender(trialOutbox(outbox), undefined, { spoolDirectory: await spoolDirectory() })(NOTICE);
    const files = await readdir(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^notice-[0-9a-f]+\.eml$/);
  });

  it('fails for good when the next hop refuses the notice, and for now when it defers it', async () => {
    const refusing = await relayTo({ refuse: { 'teacher@school.sch.uk': 550 } });
    const refused = await noticeSender(refusing.nextHop, 'postmaster@school.sch.uk', { spoolDirectory: await spoolDirectory() })(NOTICE).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ActionError);
    expect((refused as ActionError).code).toBe('notice-refused');

    const deferring = await relayTo({ refuse: { 'teacher@school.sch.uk': 451 } });
    const spool = await spoolDirectory();
    const deferred = await noticeSender(deferring.nextHop, 'postmaster@school.sch.uk', { spoolDirectory: spool })(NOTICE).catch((e: unknown) => e);
    expect((deferred as ActionError).code).toBe('notice-deferred');
    expect(await readdir(spool)).toEqual([]);
  });
});
