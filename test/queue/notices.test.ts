import { describe, expect, it } from 'vitest';
import { quarantineNotice, rejectionNotice, releaseNotice, senderNoticeMail, type HeldMessage } from '../../src/queue/notices.js';
import { DISTINCTIVE, RECIPIENTS, scanInventedMessage, SENDER } from './support/invented-message.js';

const HELD: HeldMessage = { messageId: 'spool-9', sender: SENDER, recipients: RECIPIENTS, receivedAt: new Date('2026-06-01T08:30:00Z') };

function expectNoContent(text: string): void {
  for (const secret of DISTINCTIVE) expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
}

describe('notices to the sender about a held message', () => {
  it('quarantine: where it was going (domains), when, and the deciding rules’ reasons; nothing of the message', async () => {
    const { verdict } = await scanInventedMessage();
    const notice = quarantineNotice(HELD, verdict)!;
    expect(notice.id).toBe('quarantine-notice.spool-9');
    expect(notice.kind).toBe('quarantine-notice');
    expect(notice.to).toEqual([SENDER]);
    expect(notice.text).toContain("Your message to agency.example.org and council.example.gov.uk of Monday 1 June 2026 at 09:30 is held for the Data Protection Officer's review.");
    expect(notice.text).toContain('- Safeguarding information about a pupil is held for the Designated Safeguarding Lead to review\n');
    expect(notice.text).not.toContain('encrypted');
    expectNoContent(`${notice.subject}\n${notice.text}\n${notice.html}`);
    for (const recipient of RECIPIENTS) expect(notice.text).not.toContain(recipient);
  });

  it('release and rejection: what the DPO decided, with their reason', () => {
    const released = releaseNotice(HELD, { encrypted: true })!;
    expect(released.id).toBe('release-notice.spool-9');
    expect(released.text).toContain('was released by the Data Protection Officer and has been sent, encrypted.');
    const rejected = rejectionNotice(HELD, 'Please use initials and send it again.')!;
    expect(rejected.id).toBe('rejection-notice.spool-9');
    expect(rejected.text).toContain('will not be sent.\n\nTheir reason:\n\nPlease use initials and send it again.');
    expect(rejected.html).toContain('<p>Please use initials and send it again.</p>');
  });

  it('nothing for the null sender, who could not receive it', async () => {
    const { verdict } = await scanInventedMessage();
    const nobody = { ...HELD, sender: '' };
    expect([quarantineNotice(nobody, verdict), releaseNotice(nobody, { encrypted: false }), rejectionNotice(nobody, 'x')]).toEqual([undefined, undefined, undefined]);
  });

  it('keeps every subject to one header line', () => {
    const notice = senderNoticeMail('m:1', { to: SENDER, subject: 'Hallmonitor: a\r\nBcc: someone@example.org', text: 't', html: 'h' });
    expect(notice.id).toBe('sender-notice.m_1');
    expect(rejectionNotice(HELD, 'a\r\nb')!.subject).not.toMatch(/[\r\n]/);
  });
});
