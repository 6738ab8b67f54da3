import { readFileSync, readdirSync } from 'node:fs';
import { resolveConfusablesTransformer, toAsciiLowerCaseTransformer } from 'obscenity';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createLanguageDetector, languageVocabularySchema } from '../../src/detect/language.js';
import type { Finding } from '../../src/detect/finding.js';
import { fakeContext, fakeView } from './fake-directory.js';

const vocabulary = languageVocabularySchema.parse(parse(readFileSync(new URL('../../rules/vocabulary/language.yaml', import.meta.url), 'utf8')));
const detect = createLanguageDetector(vocabulary);
const context = fakeContext();

function findingsIn(body: string): readonly Finding[] {
  return detect(fakeView({ body }), context);
}

describe('language vocabulary file', () => {
  it('is valid and keeps profanity, slurs and whitelist apart', () => {
    expect(vocabulary.profanity.length).toBeGreaterThan(40);
    expect(vocabulary.slurs.length).toBeGreaterThan(30);
    expect(vocabulary.whitelist).toContain('arsenal');
  });
});

describe('language detector: swearing', () => {
  const cases: [sentence: string, match: string][] = [
    ['What the fuck is this?', 'fuck'],
    ['That was fucking awful', 'fucking'],
    ['He is a motherfucker', 'motherfucker'],
    ['Oh shit, I forgot the forms', 'shit'],
    ['This is a load of shite', 'shite'],
    ['Absolute bullshit from the trust', 'bullshit'],
    ['Bollocks to the new timetable', 'Bollocks'],
    ['The inspector was a complete tosser', 'tosser'],
    ['What a wanker', 'wanker'],
    ['Stop being a bellend', 'bellend'],
    ['He is such a twat', 'twat'],
    ["Can't be arsed with marking", 'arsed'],
    ['Get off your arse', 'arse'],
    ['What an arsehole', 'arsehole'],
    ['Tell him to sod off', 'sod off'],
    ['You pillock', 'pillock'],
    ['Total knobhead', 'knobhead'],
    ['What a dickhead', 'dickhead'],
    ['She called her a slag', 'slag'],
    ['He called her a munter', 'munter'],
    ['I am pissed off with the photocopier', 'pissed'],
    ['Son of a bitch', 'bitch'],
    ['The lying bastard', 'bastard'],
    ['You are a cunt', 'cunt'],
    ['Stop it, you prick', 'you prick'],
    ['WTF is going on', 'WTF'],
    ['ffs, the printer is jammed again', 'ffs'],
    ['FFS who moved the laptops', 'FFS'],
    ['FUCK THIS', 'FUCK'],
  ];
  it.each(cases)('finds profanity in %j', (sentence, match) => {
    const findings = findingsIn(sentence);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      detector: 'language',
      category: 'language/profanity',
      severity: 'medium',
      location: { part: 'body' },
      match,
      suggestion: 'Remove or rephrase this word.',
    });
    const span = findings[0]?.span;
    expect(span && sentence.slice(span.start, span.end)).toBe(match);
  });
});

describe('language detector: disguised words', () => {
  const cases: [sentence: string, match: string][] = [
    ['what the f*ck', 'f*ck'],
    ['what the f**k', 'f**k'],
    ['f***ing hell', 'f***ing'],
    ['this is sh*t', 'sh*t'],
    ['total sh1t', 'sh1t'],
    ['sh1tty week', 'sh1tty'],
    ['$hit happens', '$hit'],
    ['fvck that', 'fvck'],
    ['b0ll0cks to it', 'b0ll0cks'],
    ['5h!t, said 1 of them', '5h!t'],
    ['utter $h1t!', '$h1t'],
    ['kiss my @rse', '@rse'],
    ['what the f.u.c.k', 'f.u.c.k'],
    ['what the F-U-C-K', 'F-U-C-K'],
    ['oh s h i t', 's h i t'],
    ['fuuuuuck', 'fuuuuuck'],
    ['shiiiiit', 'shiiiiit'],
    ['FuCk', 'FuCk'],
    ['ｆｕｃｋ', 'ｆｕｃｋ'],
    ['𝐟𝐮𝐜𝐤 off', '𝐟𝐮𝐜𝐤'],
    ['fυck (Greek upsilon)', 'fυck'],
    ['bo||ocks', 'bo||ocks'],
    ['sod\noff', 'sod\noff'],
  ];
  it.each(cases)('sees through %j', (sentence, match) => {
    const findings = findingsIn(sentence);
    expect(findings.map((finding) => finding.match)).toEqual([match]);
    const span = findings[0]?.span;
    expect(span && sentence.slice(span.start, span.end)).toBe(match);
  });
});

describe('language detector: slurs', () => {
  const cases: [sentence: string, match: string][] = [
    ['Stop acting like a retard', 'retard'],
    ["Don't be such a spaz", 'spaz'],
    ['He called him a spastic', 'spastic'],
    ['You mong', 'mong'],
    ['They shouted paki at him', 'paki'],
    ['Some of them are faggots', 'faggots'],
    ['She was called a dyke', 'dyke'],
    ['He called the new boy a poofter', 'poofter'],
    ['What a window licker', 'window licker'],
    ['Stop being a r3tard', 'r3tard'],
    ['Called him a n*gger', 'n*gger'],
    ['That tranny', 'tranny'],
  ];
  it.each(cases)('finds a slur in %j', (sentence, match) => {
    const findings = findingsIn(sentence);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ category: 'language/slur', severity: 'high', match });
  });
});

describe('language detector: French, where "retard" is lateness', () => {
  it.each([
    'Les pénalités de retard sont définies par la bibliothèque pour chaque type de document et de lecteur.',
    'Cliquer sur « Documents en retard » : on obtient la liste des lecteurs ayant des retards dans le retour des documents.',
    'Chers parents, le car aura du retard ce matin. Les élèves de la classe de Mme Roche arriveront vers dix heures.',
  ])('finds nothing in %j', (sentence) => {
    expect(findingsIn(sentence)).toEqual([]);
  });

  it('still finds the slur in English, beside a French phrase, and in an English reply quoting French', () => {
    expect(findingsIn('He has a certain je ne sais quoi, but stop calling him a retard.').map((finding) => finding.match)).toEqual(['retard']);
    expect(
      findingsIn(
        'Le car est en retard ce matin, les élèves de la classe arriveront vers dix heures et nous vous tiendrons au courant.\n\nThe boys on the back seat called him a retard all the way to Dover and the staff did nothing about it.',
      ).map((finding) => finding.match),
    ).toEqual(['retard']);
  });
});

describe('language detector: no Scunthorpe problems', () => {
  const traps = [
    'We are playing Scunthorpe United on Saturday.',
    'The coach leaves for Penistone at nine.',
    'Your assessment results are attached.',
    'The analysis shows good progress.',
    'No cocktail sausages at the summer fair, please.',
    'Trips to Sussex, Middlesex and Essex are planned.',
    'We read Emily Dickinson in Year 9.',
    'Mr Cockburn will cover the lesson.',
    'Mrs Hancock and Mr Babcock are on duty.',
    'The shiitake mushrooms for food technology have arrived.',
    'The cockerel and the peacock in the farm visit.',
    'We watched a Hitchcock film in media studies.',
    'Tickets for Dick Whittington, the panto, are on sale.',
    'A classic novel with a long passage about a grape harvest.',
    'The therapist will visit on Tuesday.',
    'He supports Arsenal.',
    'Please do not scrap the document.',
    'The Matsushita and Panasonic history project.',
    'A sextant and a sextet in the music room.',
    'Keep the classroom spic and span.',
    'The Wankel engine in the DT exhibition.',
    'Arsenic in Victorian wallpaper.',
    'A print by Camille Pissarro.',
    'A walk along Offa’s Dyke for the Year 8 trip.',
    'Homo sapiens and Homo erectus in the evolution topic.',
    'Faggots and peas on Thursday’s lunch menu.',
    'The slag heap at Aberfan: a history lesson.',
    'Fire retardant curtains for the hall.',
    'Spastic diplegia is described in the care plan.',
    'Her spasticity has improved with physiotherapy.',
    'The Mongolia project and the Hmong people, among others.',
    'Pakistan, Japan and Japanese food day.',
    'A raccoon in a cocoon.',
    'The class started to snigger.',
    'Niger and Nigeria are different countries; a small niggle.',
    'Terry Wogan presented Children in Need.',
    'Yiddish songs and Santiago de Compostela.',
    'A pike in the pond.',
    'Acacia wood, also called shittim wood.',
    'The village of Shitterton in Dorset and Twatt in Orkney.',
    'The coach goes through Bitchfield, then Scunthorpe and Penistone.',
    'A walk from Pishill to Pisshill Bank.',
    'Diffs of the policy; the staffs and offset lists.',
    'You may feel a small prick during the vaccination.',
    'Prick your finger with the lancet.',
    'Moby-Dick by Herman Melville and Dickens.',
    'Dick Turpin was a highwayman.',
    'Badminton needs a shuttlecock. What a cock-up!',
    'A cockney accent and cockles.',
    'The bell ends at 3pm. The bell end of the day.',
    'Mend the door knob.',
    'It was a bloody long day.',
    'Damn, I forgot. What a load of crap.',
    'Book the A55 coach; Y5 hit their targets; see page 5/46.',
    'Grades A* to C; A*A*A predicted.',
    'The U.S.A. and the U.K. signed it.',
    'Class 3B had a great day; 10am start; 1st place.',
    'Email me at dickinson.s@school.sch.uk',
    'The cocktail of drugs in the science lesson.',
    'Mr Horsfall, Mr Hitchin and Ms Cumberbatch.',
    'Our document on passive voice.',
    'The Shakespeare assignment and the classics.',
    'Tit for tat; blue tits and great tits in the bird survey.',
    'Lesson on the Essex witch trials.',
    'The kids love Bassett’s liquorice allsorts.',
    'Analyst, assistant, assassin, embassy, harass.',
  ];
  it(`has at least 40 traps`, () => {
    expect(traps.length).toBeGreaterThanOrEqual(40);
  });
  it.each(traps)('finds nothing in %j', (sentence) => {
    expect(findingsIn(sentence)).toEqual([]);
  });

  it('finds nothing in the seed acceptable use policies', () => {
    const seeds = new URL('../../fixtures/policies/', import.meta.url);
    for (const file of readdirSync(seeds).filter((name) => name.endsWith('.txt'))) {
      expect(findingsIn(readFileSync(new URL(file, seeds), 'utf8')), file).toEqual([]);
    }
  });
});

describe('language detector: where and how often', () => {
  it('reports every occurrence, with its own span, in every piece', () => {
    const view = fakeView({
      subject: 'This shit again',
      body: 'Shit. More shit.',
      pieces: [
        { location: { part: 'subject' }, text: 'This shit again' },
        { location: { part: 'body' }, text: 'Shit. More shit.' },
        { location: { part: 'attachment', name: 'notes.docx' }, text: 'a bellend' },
        { location: { part: 'attachment-name', name: 'twats.txt' }, text: 'twats.txt' },
      ],
    });
    const findings = detect(view, context);
    expect(findings.map((finding) => [finding.location, finding.match, finding.span])).toEqual([
      [{ part: 'subject' }, 'shit', { start: 5, end: 9 }],
      [{ part: 'body' }, 'Shit', { start: 0, end: 4 }],
      [{ part: 'body' }, 'shit', { start: 11, end: 15 }],
      [{ part: 'attachment', name: 'notes.docx' }, 'bellend', { start: 2, end: 9 }],
      [{ part: 'attachment-name', name: 'twats.txt' }, 'twats', { start: 0, end: 5 }],
    ]);
  });

  it('keeps spans right after spelt-out letters earlier in the text', () => {
    const text = 'a b c d, then f.u.c.k and shit';
    expect(findingsIn(text).map((finding) => [finding.match, finding.span])).toEqual([
      ['f.u.c.k', { start: 14, end: 21 }],
      ['shit', { start: 26, end: 30 }],
    ]);
  });

  it('reports a slur over the swear word it overlaps', () => {
    const findings = findingsIn('you fucking retard');
    expect(findings.map((finding) => [finding.category, finding.match])).toEqual([
      ['language/profanity', 'fucking'],
      ['language/slur', 'retard'],
    ]);
  });

  it('finds a word far into a long message', () => {
    const filler = 'Please return the permission slips for the museum trip by Friday. '.repeat(400);
    const findings = findingsIn(`${filler}Bloody hell, what a twat.${filler}`);
    expect(findings.map((finding) => finding.match)).toEqual(['twat']);
    expect(findings[0]?.span?.start).toBe(filler.length + 'Bloody hell, what a '.length);
  });
});

describe('language detector: confusable letters', () => {
  // One single-letter pattern per letter, so that any look-alike of any letter must be found.
  const letters = [...'abcdefghijklmnopqrstuvwxyz'];
  const perLetter = createLanguageDetector(languageVocabularySchema.parse({ profanity: letters.map((letter) => `|${letter}|`), slurs: ['|xyz|'] }));
  const confusables = resolveConfusablesTransformer();
  const lower = toAsciiLowerCaseTransformer();
  const letterLookalikes: number[] = [];
  for (let codePoint = 0; codePoint <= 0x1ffff; codePoint++) {
    if (!('transform' in confusables) || !('transform' in lower)) break;
    const mapped = confusables.transform(codePoint);
    const letter = mapped === undefined ? undefined : lower.transform(mapped);
    if (codePoint !== mapped && letter !== undefined && letter >= 0x61 && letter <= 0x7a) letterLookalikes.push(codePoint);
  }

  it('reads every look-alike of a letter in obscenity’s table', () => {
    expect(letterLookalikes.length).toBeGreaterThan(1000);
    const missed = letterLookalikes.filter((codePoint) => {
      const text = `word ${String.fromCodePoint(codePoint)} word`;
      return perLetter(fakeView({ body: text }), context).length !== 1;
    });
    expect(missed.map((codePoint) => codePoint.toString(16))).toEqual([]);
  });
});

describe('languageVocabularySchema', () => {
  const valid = { profanity: ['|fuck'], slurs: ['|retard'] };
  it.each([
    ['an upper-case pattern', { ...valid, profanity: ['Fuck'] }],
    ['a pattern the repeat collapse can never match', { ...valid, profanity: ['fuuck'] }],
    ['a malformed pattern', { ...valid, slurs: ['[abc'] }],
    ['a pattern that matches empty text', { ...valid, slurs: ['[a]'] }],
    ['an upper-case whitelist term', { ...valid, whitelist: ['Arsenal'] }],
    ['an empty list', { ...valid, slurs: [] }],
  ])('rejects %s', (_label, input) => {
    expect(languageVocabularySchema.safeParse(input).success).toBe(false);
  });

  it('names the bad entry', () => {
    const result = languageVocabularySchema.safeParse({ ...valid, profanity: ['|ok', 'fuuck'] });
    expect(result.error?.issues[0]?.path).toEqual(['profanity', 1]);
  });

  it('accepts doubled letters that the collapse keeps, and defaults the whitelist', () => {
    expect(languageVocabularySchema.parse({ profanity: ['|bollocks', '|sod off|'], slurs: ['|x|'] }).whitelist).toEqual([]);
  });
});

describe('createLanguageDetector', () => {
  it('refuses a vocabulary that skipped validation, with a config error', () => {
    expect(() => createLanguageDetector({ profanity: ['Fuck'], slurs: ['|x|'], whitelist: [] })).toThrow(
      expect.objectContaining({ code: 'LANGUAGE_VOCABULARY_INVALID', disposition: 'configuration' }),
    );
  });
});
