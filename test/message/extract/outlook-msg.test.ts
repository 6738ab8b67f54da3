import { describe, expect, it } from 'vitest';
import { attachmentText, readAttachment } from '../support/attach.js';
import { forwardedOutlookMessage, outlookMessage } from '../support/outlook-msg.js';

describe('Outlook .msg attachments', () => {
  it('reads the subject and bodies, and scans attached files as members', async () => {
    const { view, attachment } = await readAttachment('consent.msg', outlookMessage());
    expect(attachment.facts).toEqual([]);
    expect(attachmentText(view.pieces, 'consent.msg')).toBe('Trip consent\n\nAarav Gupta has returned his form.\n\nZoë Invented');
    expect(view.attachments.map((file) => file.name)).toEqual(['consent.msg', 'consent.msg/consent form.txt']);
    expect(attachmentText(view.pieces, 'consent.msg/consent form.txt')).toBe('Signed for Aarav Gupta');
  });

  it('reads a message attached to it, and the attachments of that message, as members', async () => {
    const { view } = await readAttachment('fw.msg', forwardedOutlookMessage());
    expect(view.attachments.map((file) => [file.name, file.facts])).toEqual([
      ['fw.msg', []],
      ['fw.msg/Trip consent.msg', []],
      ['fw.msg/Trip consent.msg/consent form.txt', []],
    ]);
    expect(attachmentText(view.pieces, 'fw.msg/Trip consent.msg')).toContain('Aarav Gupta has returned his form.');
    expect(attachmentText(view.pieces, 'fw.msg/Trip consent.msg/consent form.txt')).toBe('Signed for Aarav Gupta');
  });

  it('stops opening attached messages at maxArchiveDepth', async () => {
    const { view } = await readAttachment('fw.msg', forwardedOutlookMessage(3), { limits: { maxArchiveDepth: 2 } });
    expect(view.attachments.map((file) => [file.name, file.facts.map((fact) => fact.kind)])).toEqual([
      ['fw.msg', []],
      ['fw.msg/Trip consent.msg', []],
      ['fw.msg/Trip consent.msg/Trip consent.msg', ['unscannable']],
    ]);
    expect(view.pieces.some((piece) => piece.text.includes('Signed for Aarav Gupta'))).toBe(false);
  });
});
