import MailComposer from 'nodemailer/lib/mail-composer/index.js';

/** Invented people only. The pupil's name, subject words and body text must never appear in clear outside. */
export const SECRET = {
  pupil: 'Zephyrine Quillfeather',
  subjectWords: 'Annual review notes',
  bodyText: 'Speech and language therapy referral agreed at the meeting.',
  attachmentName: 'review-quillfeather.txt',
  attachmentText: 'Attachment body: reading age eleven, needs extra time.',
};

export interface TestMessageOptions {
  readonly to?: string | string[];
  readonly cc?: string | string[];
  readonly subject?: string;
  readonly attachments?: { filename: string; content: Buffer | string; contentType?: string }[];
  readonly html?: string;
  /** null: no text/plain part at all. */
  readonly text?: string | null;
}

export function composeTestMessage(options: TestMessageOptions = {}): Promise<Buffer> {
  const composer = new MailComposer({
    from: '"Ms Example Teacher" <teacher@school.example.sch.uk>',
    to: options.to ?? 'parent@home.example.org',
    ...(options.cc ? { cc: options.cc } : {}),
    subject: options.subject ?? `[secure] ${SECRET.subjectWords}: ${SECRET.pupil}`,
    ...(options.text === null ? {} : { text: options.text ?? `Dear parent,\n\n${SECRET.bodyText} ${SECRET.pupil} did well.\n\nMs Example Teacher` }),
    ...(options.html ? { html: options.html } : {}),
    attachments: options.attachments ?? [{ filename: SECRET.attachmentName, content: SECRET.attachmentText, contentType: 'text/plain' }],
    messageId: '<test-message@school.example.sch.uk>',
    date: new Date('2026-03-02T10:15:00Z'),
  });
  return new Promise((resolve, reject) => {
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}
