import { describe, expect, it } from 'vitest';
import { calendarText } from '../../../src/message/extract/calendar.js';
import { readMessage } from '../../../src/message/read-message.js';

const INVITE = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:annual-review-0001@example.sch.uk',
  'DTSTART:20261112T150000Z',
  'SUMMARY;LANGUAGE=en-GB:Annual review - Thomas Fairclo',
  ' ugh (Y4)',
  'DESCRIPTION:Review of the EHCP for Fairclough\\, Thomas.\\nPlease bring the',
  '\t reports.',
  'LOCATION;ALTREP="http://rooms.example/a:b":Room 4',
  'ORGANIZER;CN="Fiona Brandreth":mailto:senco@example.sch.uk',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

describe('calendarText', () => {
  it('unfolds lines (a fold may split a surname) and keeps the values of SUMMARY, DESCRIPTION and LOCATION, unescaped', () => {
    expect(calendarText(INVITE)).toBe('Annual review - Thomas Fairclough (Y4)\nReview of the EHCP for Fairclough, Thomas.\nPlease bring the reports.\nRoom 4');
  });

  it('reads nothing from a text with no such properties', () => {
    expect(calendarText('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n')).toBe('');
  });
});

describe('readMessage: calendar invites and split encoded words', () => {
  it('reads a text/calendar part as an invite', async () => {
    const raw = [
      'From: senco@example.sch.uk',
      'To: parent@example.net',
      'Subject: Invitation',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'You are invited.',
      '--b',
      'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
      '',
      INVITE,
      '--b--',
      '',
    ].join('\r\n');
    const view = await readMessage(Buffer.from(raw));
    const texts = view.pieces.map((piece) => piece.text).join('\n');
    expect(texts).toContain('Annual review - Thomas Fairclough (Y4)');
    expect(texts).not.toContain('Fairclo\r\n ugh');
  });

  it('joins a name split across two encoded words in the subject', async () => {
    const raw = ['From: a@example.sch.uk', 'To: b@example.net', 'Subject: =?UTF-8?Q?Re:_Zo=C3=AB_Fair?= =?UTF-8?B?Y2xvdWdo?= report', '', 'Body', ''].join('\r\n');
    const view = await readMessage(Buffer.from(raw));
    expect(view.subject).toBe('Re: Zoë Fairclough report');
  });
});
