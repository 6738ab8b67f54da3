import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Pupil } from '../src/roster/roster.js';

const PROSE = [
  'Thank you for coming to the Year 5 assembly on Friday; the children sang beautifully.',
  'Please remember that the swimming kit needs to be in school every Tuesday this half term.',
  'The trip to the science museum leaves at nine, and packed lunches should be labelled.',
  'We will brown the onions first in cookery club, and hope young cooks enjoy it.',
  'Homework this week is a short piece of writing about a journey, due on Monday.',
  'The reading records show real progress across the class this term.',
];

/** About 20 KB of everyday school prose that names a few pupils, as a teacher's long email might. */
export function twentyKilobyteBody(named: readonly Pupil[]): string {
  const paragraphs: string[] = [];
  let length = 0;
  for (let index = 0; length < 20_000; index += 1) {
    const pupil = named[index % named.length];
    const sentence = index % 7 === 0 && pupil ? `${pupil.legalForename} ${pupil.legalSurname} read aloud confidently today. ` : '';
    const paragraph = `${sentence}${PROSE[index % PROSE.length]} ${PROSE[(index + 3) % PROSE.length]}`;
    paragraphs.push(paragraph);
    length += paragraph.length + 2;
  }
  return paragraphs.join('\n\n');
}

/** `headers` replaces the bench's sender, recipient or subject, e.g. for a school the gateway knows. */
export function composeMessage(
  text: string,
  attachments: { filename: string; content: Buffer | string; contentType?: string }[],
  headers: { from?: string; to?: string; subject?: string } = {},
): Promise<Buffer> {
  return new MailComposer({
    from: 'teacher@school.example.sch.uk',
    to: 'someone@example.org',
    subject: 'Class update',
    ...headers,
    text,
    attachments,
    messageId: '<bench@school.example.sch.uk>',
    date: new Date('2026-01-05T09:00:00Z'),
  })
    .compile()
    .build();
}
