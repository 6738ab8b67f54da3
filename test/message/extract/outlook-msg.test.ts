import { describe, expect, it } from 'vitest';
import { attachmentText, readAttachment } from '../support/attach.js';
import { outlookMessage } from '../support/outlook-msg.js';

describe('Outlook .msg attachments', () => {
  it('reads the subject and bodies, and scans attached files as members', async () => {
    const { view, attachment } = await readAttachment('consent.msg', outlookMessage());
    expect(attachment.facts).toEqual([]);
    expect(attachmentText(view.pieces, 'consent.msg')).toBe('Trip consent\n\nAarav Gupta has returned his form.\n\nZoë Invented');
    expect(view.attachments.map((file) => file.name)).toEqual(['consent.msg', 'consent.msg/consent form.txt']);
    expect(attachmentText(view.pieces, 'consent.msg/consent form.txt')).toBe('Signed for Aarav Gupta');
  });
});
