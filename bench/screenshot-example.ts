import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { chromium, type Browser } from 'playwright-core';

/** The passphrase of the invented message the encryption screenshots show. */
export const EXAMPLE_PASSPHRASE = 'K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU';

/** An invented teacher's message to a parent with two attachments, as the encryption screenshots show it. */
export function exampleMessage(): Promise<Buffer> {
  return new MailComposer({
    from: '"Ms Example Teacher" <teacher@school.example.sch.uk>',
    to: '"Alex Example" <parent@home.example.org>',
    subject: "Notes from Tuesday's review meeting",
    text: 'Dear Alex,\n\nThank you for coming in on Tuesday. As agreed, I attach the notes from the review meeting and the updated support plan.\n\nPlease ring the school office if anything in them needs changing.\n\nKind regards,\nMs Example Teacher',
    attachments: [
      { filename: 'review-notes.pdf', content: Buffer.from('%PDF-1.4 invented example'), contentType: 'application/pdf' },
      { filename: 'support-plan.docx', content: Buffer.from('invented example'), contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
    ],
    date: new Date('2026-03-03T16:20:00Z'),
  })
    .compile()
    .build();
}

/** Debian's Chromium, headless, as every screenshot script runs it (nothing is downloaded). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
}
