import { describe, expect, it } from 'vitest';
import { quotedMessages } from '../../src/detect/quoted-messages.js';

describe('quotedMessages', () => {
  it('finds Outlook header blocks and who wrote each, up to the next one', () => {
    const text = [
      'Thanks, I will look into it.',
      '',
      'From: Kirsty Fairbairn <kfairbairn@hotmail.co.uk>',
      'Sent: 03 November 2025 19:42',
      'To: Harriet Quayle',
      'Subject: Playground',
      '',
      'Tobias Renwick pushed my daughter.',
      '',
      '**From:** School Office <office@school.sch.uk>',
      '**To:** Parents',
      '**Date:** 01 November 2025',
      'Newsletter',
    ].join('\n');
    const quotes = quotedMessages(text);
    expect(quotes.map((quote) => quote.author)).toEqual(['kirsty fairbairn <kfairbairn@hotmail.co.uk>', 'school office <office@school.sch.uk>']);
    expect(text.slice(quotes[0]!.start, quotes[0]!.end)).toContain('Tobias Renwick pushed my daughter.');
    expect(text.slice(quotes[0]!.start, quotes[0]!.end)).not.toContain('Newsletter');
    expect(quotes[1]!.end).toBe(text.length);
  });

  it('finds "On …, NAME <ADDRESS> wrote:" and quoted lines under it', () => {
    const text = 'Noted.\n\nOn Mon, 3 Nov 2025 at 19:42, Kirsty Fairbairn <kfairbairn@hotmail.co.uk> wrote:\n> Tobias Renwick pushed her.';
    expect(quotedMessages(text)).toEqual([{ start: 8, end: text.length, author: 'mon, 3 nov 2025 at 19:42, kirsty fairbairn <kfairbairn@hotmail.co.uk>' }]);
  });

  it('does not take a "From:" in prose, with no Sent or Date under it, for a header', () => {
    expect(quotedMessages('From: the head teacher\nWe are proud of everyone.')).toEqual([]);
    expect(quotedMessages('No quotes here.')).toEqual([]);
  });
});
