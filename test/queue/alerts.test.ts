import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/policy/verdict.js';
import { alertsFor, unaddressedAlertRoles, type AlertFacts } from '../../src/queue/alerts.js';
import type { RecipientsByRole } from '../../src/queue/outgoing-mail.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { DISTINCTIVE, RECIPIENTS, scanInventedMessage, SENDER } from './support/invented-message.js';
import { POSTMASTER, sharedMailQueue, workersTo, type Cleanups } from './support/workers.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ROLES: RecipientsByRole = {
  'business-manager': ['bursar@stmarys-example.sch.uk'],
  dpo: ['dpo@stmarys-example.sch.uk'],
  dsl: ['dsl@stmarys-example.sch.uk', 'deputy.dsl@stmarys-example.sch.uk'],
};

function facts(messageId = 'spool-1a2b'): AlertFacts {
  return {
    school: { id: 'st-marys-example', name: "St Mary's C of E Primary" },
    messageId,
    receivedAt: new Date('2026-11-23T21:04:00Z'),
    sender: SENDER,
    recipients: RECIPIENTS,
    reviewBaseUrl: 'https://review.stmarys-example.sch.uk/',
  };
}

function expectNoContent(text: string): void {
  for (const secret of DISTINCTIVE) expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
}

describe('alertsFor', () => {
  it('alerts each role with an immediate notification, once, to its addresses; never the sender, never digest-only roles', async () => {
    const { verdict } = await scanInventedMessage();
    const alerts = alertsFor(verdict, facts(), ROLES);
    expect(alerts.map((alert) => [alert.id, alert.kind, alert.to])).toEqual([
      ['alert.spool-1a2b.dpo', 'alert', ['dpo@stmarys-example.sch.uk']],
      ['alert.spool-1a2b.dsl', 'alert', ['dsl@stmarys-example.sch.uk', 'deputy.dsl@stmarys-example.sch.uk']],
    ]);
    const dsl = alerts[1]!;
    expect(dsl.text).toContain('safeguarding-outside-dsl');
    expect(dsl.text).toContain('Keeping Children Safe in Education');
    expect(dsl.text).not.toContain('pupil-name-in-subject-with-personal-data');
    expect(dsl.text).toContain('pupil-name ×');
    expect(dsl.text).toContain('sensitive/safeguarding ×2');
    expect(dsl.text).toContain(`Sender: ${SENDER}`);
    expect(dsl.text).toContain('Recipient domains: agency.example.org, council.example.gov.uk');
    expect(dsl.text).toContain('Time: Monday 23 November 2026 at 21:04');
    expect(dsl.text).toContain("Action taken: held for the Data Protection Officer's review; not sent");
    expect(dsl.text).toContain('https://review.stmarys-example.sch.uk/quarantine/spool-1a2b');
    expect(dsl.html).toContain('href="https://review.stmarys-example.sch.uk/quarantine/spool-1a2b"');
  });

  it('never carries the subject, body, matched text, attachment names or recipients’ addresses', async () => {
    const { verdict } = await scanInventedMessage();
    const alerts = alertsFor(verdict, facts(), ROLES);
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expectNoContent(`${alert.subject}\n${alert.text}\n${alert.html}`);
      for (const recipient of RECIPIENTS) expect(alert.text + alert.html).not.toContain(recipient);
    }
  });

  it('links to the review app only for a held message', async () => {
    const { verdict } = await scanInventedMessage();
    const delivered: Verdict = { ...verdict, action: 'encrypt' };
    const [alert] = alertsFor(delivered, facts(), ROLES);
    expect(alert!.text).toContain('Action taken: sent encrypted');
    expect(alert!.text).not.toContain('/quarantine/');
  });

  it('sends nothing to a role without addresses, and names that role for the log', async () => {
    const { verdict } = await scanInventedMessage();
    const noDsl = { ...ROLES, dsl: [] };
    expect(alertsFor(verdict, facts(), noDsl).map((alert) => alert.id)).toEqual(['alert.spool-1a2b.dpo']);
    expect(unaddressedAlertRoles(verdict, noDsl)).toEqual(['dsl']);
    expect(unaddressedAlertRoles(verdict, ROLES)).toEqual([]);
  });
});

describe('an alert, end to end', () => {
  it('arrives at a real SMTP server with none of the message in it, from the null sender with a Message-ID made from its job id', async () => {
    const scanned = await scanInventedMessage();
    const sink = await startNextHop();
    cleanups.push(() => sink.close());
    const { queue, prefix } = sharedMailQueue(cleanups);
    await workersTo(cleanups, sink.url, prefix);
    const alerts = alertsFor(scanned.verdict, facts('spool-e2e'), ROLES);
    await queue.enqueue(alerts);
    await queue.enqueue(alerts);
    await expect.poll(() => sink.received.length, { timeout: 10_000 }).toBe(2);
    const dsl = sink.received.find((mail) => mail.to.includes('dsl@stmarys-example.sch.uk'))!;
    expect(dsl.to).toEqual(['dsl@stmarys-example.sch.uk', 'deputy.dsl@stmarys-example.sch.uk']);
    expect(dsl.from).toBe('');
    const parsed = await simpleParser(dsl.raw);
    expect(parsed.messageId).toBe('<alert.spool-e2e.dsl@stmarys-example.sch.uk>');
    expect(parsed.from?.text).toBe(POSTMASTER);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.text).toContain('safeguarding-outside-dsl');
    for (const mail of sink.received) {
      const decoded = await simpleParser(mail.raw);
      expectNoContent(`${mail.raw.toString()}\n${decoded.subject}\n${decoded.text}\n${decoded.html}`);
    }
  });
});
