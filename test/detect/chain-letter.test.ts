import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chainLetterVocabularySchema, createChainLetterDetector } from '../../src/detect/chain-letter.js';
import type { MessageView } from '../../src/message/message-view.js';
import { fakeContext, fakeView } from './fake-directory.js';

const vocabulary = chainLetterVocabularySchema.parse(parse(readFileSync(new URL('../../rules/vocabulary/chain-letter.yaml', import.meta.url), 'utf8')));
const detect = createChainLetterDetector(vocabulary);
const context = fakeContext();

function findingsIn(view: MessageView) {
  return detect(view, context);
}

describe('chain-letter detector: chain messages', () => {
  it('finds the classic chain letter, shown at its first strong cue', () => {
    const body = [
      'This is not a joke. Forward this message to 10 people within 24 hours or',
      'bad luck will follow you for seven years.',
      '',
      "A dinner lady in Leeds broke the chain and lost her purse the very next day. Don't break the chain!!!",
      'Send this to everyone you know.',
    ].join('\n');
    const findings = findingsIn(fakeView({ subject: 'FW: FW: please read!!!', body }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      detector: 'chain-letter',
      category: 'content/chain-letter',
      severity: 'medium',
      location: { part: 'body' },
      match: 'Forward this message to 10 people',
    });
    const span = findings[0]?.span;
    expect(span && body.slice(span.start, span.end)).toBe('Forward this message to 10 people');
  });

  it.each([
    ['a count of people to send it to', 'Please send it to at least 7 friends today.'],
    ['breaking the chain', 'Whatever you do, do not break this chain.'],
    ['the Bill Gates hoax', 'Bill Gates will pay you $245 for every forward.'],
    ['a count written in words', 'Pass this on to\nfive other women you love.'],
  ])('fires on one strong cue: %s', (_label, body) => {
    expect(findingsIn(fakeView({ body }))).toHaveLength(1);
  });

  it.each([
    ['luck and insistence', 'Good luck will come to you tomorrow. It really works!'],
    ['a hoax virus warning and a deadline', 'Do not open any email titled "Mountain Dance". Warn others within 2 days or it spreads. There is no remedy for this.'],
    ['a sharing request and a threat', 'Something bad will happen to you if you ignore it. Send this to everyone in your address book.'],
    ['forwarded again and again, and insisting', 'This is not a hoax.'],
  ])('fires on two kinds of weak cue: %s', (label, body) => {
    const subject = label.startsWith('forwarded') ? 'Fwd: FW: FW: Fwd: read this' : 'Hello';
    expect(findingsIn(fakeView({ subject, body }))).toHaveLength(1);
  });

  it('scores the subject and body together, and reports the strongest cue wherever it is', () => {
    const findings = findingsIn(fakeView({ subject: 'FW: FW: FW: this is not a joke', body: 'Hi all' }));
    expect(findings.map((finding) => [finding.location, finding.match])).toEqual([[{ part: 'subject' }, 'FW: FW: FW:']]);
  });

  it('scores an attached message on its own, at the attachment', () => {
    const view = fakeView({
      body: 'Is this real?',
      pieces: [
        { location: { part: 'body' }, text: 'Is this real?' },
        { location: { part: 'attachment', name: 'Fw luck.eml' }, text: 'Send this to 12 friends or bad luck will follow.' },
      ],
    });
    expect(findingsIn(view).map((finding) => finding.location)).toEqual([{ part: 'attachment', name: 'Fw luck.eml' }]);
  });
});

describe('chain-letter detector: ordinary mail', () => {
  it.each([
    'Please forward this to the parents of Year 6.',
    'Could you forward this to all staff before Friday?',
    'Please forward this to everyone in your team.',
    'Help us break the chain of infection: wash your hands and stay home if you are ill.',
    'Please reply within 24 hours or we will offer the place to another family.',
    'IT notice: do not open any emails titled "Invoice overdue". They are phishing; report them to the IT team.',
    'We need volunteers for the summer fair! Please share this with as many people as possible and pass it on to friends.',
    'If you do not send the form back by Friday, your child cannot go on the trip.',
    'It was seven years ago that the chain of events began.',
    'The DT club will make paper chains; this is not a joke, we really need paper.',
    'Fwd: Minutes of the governors meeting',
    'Send this to 3 colleagues in the maths department.',
  ])('finds nothing in %j', (body) => {
    expect(findingsIn(fakeView({ subject: 'Re: notice', body }))).toEqual([]);
  });

  it('finds nothing in the seed acceptable use policies, which name chain letters', () => {
    const seeds = new URL('../../fixtures/policies/', import.meta.url);
    for (const file of readdirSync(seeds).filter((name) => name.endsWith('.txt'))) {
      const body = readFileSync(new URL(file, seeds), 'utf8');
      expect(findingsIn(fakeView({ body })), file).toEqual([]);
    }
  });
});

describe('chainLetterVocabularySchema', () => {
  it.each([
    ['a cue that is not a regular expression', { strong: ['(unclosed'] }, ['strong', 0]],
    ['a cue naming a list that does not exist', { lists: { number: ['\\d+'] }, weak: ['ok', 'within {numbers} hours'] }, ['weak', 1]],
  ])('rejects %s, naming it', (_label, input, path) => {
    const result = chainLetterVocabularySchema.safeParse(input);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([path]);
  });

  it('expands lists and lets a space stand for any whitespace', () => {
    const detector = createChainLetterDetector(chainLetterVocabularySchema.parse({ lists: { count: ['\\d+', 'ten'] }, strong: ['send to {count} people'] }));
    expect(detector(fakeView({ body: 'SEND   to\nten people' }), context)).toHaveLength(1);
    expect(detector(fakeView({ body: 'resend to ten peoples' }), context)).toEqual([]);
  });

  // The cues are first looked for all at once; these cannot be joined, and are tried one by one.
  it.each([
    ['a back-reference', { strong: ['(pass|send) it on and \\1 it again'] }, 'Pass it on and pass it again', 'pass it on and send it again'],
    ['a group name used by two cues', { weak: ['(?<verb>pass) it on', '(?<verb>break) the chain'] }, 'pass it on, do not break the chain', 'pass it on'],
    // As written, its `foo` has no word end after it: `food` is a hit, as it was before the joined search.
    ['a cue that closes its own group', { strong: ['foo)|(?:chain mail'] }, 'food', 'a chain mailer'],
  ])('still finds cues with %s', (_label, input, chain, ordinary) => {
    const detector = createChainLetterDetector(chainLetterVocabularySchema.parse(input));
    expect(detector(fakeView({ body: chain }), context)).toHaveLength(1);
    expect(detector(fakeView({ body: ordinary }), context)).toEqual([]);
  });
});
