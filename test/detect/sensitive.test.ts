import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Finding } from '../../src/detect/finding.js';
import {
  createSensitiveDetector,
  SENSITIVE_CATEGORIES,
  SensitiveVocabularyError,
  sensitiveVocabularySchema,
  type SensitiveCategoryVocabulary,
  type SensitiveVocabulary,
} from '../../src/detect/sensitive.js';
import type { MessageView } from '../../src/message/message-view.js';
import { readMessage } from '../../src/message/read-message.js';
import { fakeContext, fakeDirectory, fakeView } from './fake-directory.js';

const vocabularySource = parse(readFileSync(new URL('../../rules/vocabulary/sensitive.yaml', import.meta.url), 'utf8'));
const vocabulary = sensitiveVocabularySchema.parse(vocabularySource);
const detect = createSensitiveDetector(vocabulary);
/**
 * The vocabulary is tested in messages about a pupil, named in the subject, as the terms count
 * only about a person; `about a person` below tests that rule.
 */
const context = fakeContext({ directory: fakeDirectory([{ id: 'P1', forename: 'Ava', surname: 'Example' }]) });
const ABOUT_A_PUPIL = 'Ava Example';

function findingsIn(body: string, detector = detect): readonly Finding[] {
  return detector(fakeView({ subject: ABOUT_A_PUPIL, body }), context);
}

function matchesIn(body: string): string[] {
  return findingsIn(body).map((finding) => `${finding.category}: ${finding.match}`);
}

describe('sensitive vocabulary file', () => {
  it('is valid and has words for every category', () => {
    for (const words of Object.values(vocabulary.categories)) {
      expect(words.terms.length + words.acronyms.length).toBeGreaterThan(5);
    }
  });
});

describe('sensitive detector: each category', () => {
  const cases: [sentence: string, category: string, match: string][] = [
    ['A.O. has asthma and keeps an inhaler in her bag.', 'sensitive/health', 'asthma'],
    ['His EpiPen is in the office.', 'sensitive/health', 'EpiPen'],
    ['She was referred to CAMHS last month.', 'sensitive/health', 'CAMHS'],
    ['There have been signs of self harm.', 'sensitive/health', 'self harm'],
    ['He takes methylphenidate at lunch.', 'sensitive/health', 'methylphenidate'],
    ['Her individual healthcare plan is attached.', 'sensitive/health', 'individual healthcare plan'],
    ['Her health care plan is attached.', 'sensitive/health', 'health care plan'],
    ['He was admitted to hospital on Monday.', 'sensitive/health', 'admitted to hospital'],
    ['He has an EHCP and 1:1 support.', 'sensitive/sen', 'EHCP'],
    ['Please ask the SENCo before the review.', 'sensitive/sen', 'SENCo'],
    ['She is on the SEND register.', 'sensitive/sen', 'SEND register'],
    ['Support for pupils with SEND in maths.', 'sensitive/sen', 'with SEND'],
    ['He is dyslexic and has access arrangements.', 'sensitive/sen', 'dyslexic'],
    ['Diagnosis of ASD confirmed.', 'sensitive/sen', 'ASD'],
    ['She has Down’s syndrome.', 'sensitive/sen', 'Down’s syndrome'],
    ['The education, health and care plan was finalised.', 'sensitive/sen', 'education, health and care plan'],
    ['He is subject to a child protection plan.', 'sensitive/safeguarding', 'child protection plan'],
    ['She made a disclosure to her teacher.', 'sensitive/safeguarding', 'made a disclosure'],
    ['Her social worker will attend.', 'sensitive/safeguarding', 'social worker'],
    ['LAC review on Tuesday.', 'sensitive/safeguarding', 'LAC'],
    ['A section 47 enquiry has started.', 'sensitive/safeguarding', 'section 47'],
    ['Police shared an Operation Encompass notice.', 'sensitive/safeguarding', 'Operation Encompass'],
    ['This was logged on CPOMS.', 'sensitive/safeguarding', 'CPOMS'],
    ['She gets free school meals.', 'sensitive/free-school-meals', 'free school meals'],
    ['He is FSM.', 'sensitive/free-school-meals', 'FSM'],
    ['The PP pupils in Year 5 get tutoring.', 'sensitive/free-school-meals', 'PP pupils'],
    ['He is eligible for pupil premium.', 'sensitive/free-school-meals', 'pupil premium'],
    ['Ethnicity: White British', 'sensitive/ethnicity', 'White British'],
    ['Her family are Gypsy/Roma.', 'sensitive/ethnicity', 'are Gypsy/Roma'],
    ['Census code WBRI', 'sensitive/ethnicity', 'WBRI'],
    ['He is a practising Muslim and fasts during Ramadan.', 'sensitive/religion', 'is a practising Muslim'],
    ['Religion: Sikh', 'sensitive/religion', 'Religion: Sikh'],
    ['The family are Jehovah’s Witnesses.', 'sensitive/religion', 'Jehovah’s Witnesses'],
    ['She came out as gay last term.', 'sensitive/sexual-orientation', 'came out as gay'],
    ['He identifies as non-binary.', 'sensitive/sexual-orientation', 'identifies as non-binary'],
    ['A transgender pupil in Year 9.', 'sensitive/sexual-orientation', 'transgender'],
    ['She failed her hearing screen at birth.', 'sensitive/health', 'failed her hearing screen'],
    ['He has mild hearing loss in one ear.', 'sensitive/health', 'hearing loss'],
    ['Glasses were prescribed after the eye test.', 'sensitive/health', 'Glasses were prescribed'],
    ['He is registered disabled.', 'sensitive/health', 'registered disabled'],
    ['The family are Roma.', 'sensitive/ethnicity', 'are Roma'],
    ['She is a Traveller of Irish heritage.', 'sensitive/ethnicity', 'is a Traveller of Irish heritage'],
    ['A Gypsy family has moved onto the site.', 'sensitive/ethnicity', 'Gypsy family'],
  ];

  it.each(cases)('%j → %s', (sentence, category, match) => {
    const found = findingsIn(sentence).filter((finding) => finding.category === category);
    expect(found.map((finding) => finding.match)).toContain(match);
  });

  it('covers every category', () => {
    expect(new Set(cases.map(([, category]) => category))).toEqual(new Set(SENSITIVE_CATEGORIES));
  });

  it('records a high-severity fact with its span and plain words', () => {
    const body = 'Note: A.O. has asthma.';
    const [finding] = findingsIn(body);
    expect(finding).toMatchObject({
      detector: 'sensitive',
      category: 'sensitive/health',
      severity: 'high',
      location: { part: 'body' },
      match: 'asthma',
      span: { start: 15, end: 21 },
      explanation: 'Health or medical information about a person appears in the body.',
    });
    expect(finding?.suggestion).toContain('[secure]');
  });

  it('looks in the subject too', () => {
    const findings = detect(fakeView({ subject: 'CP plan meeting: Ava Example', body: '' }), context);
    expect(findings).toMatchObject([{ category: 'sensitive/safeguarding', location: { part: 'subject' }, match: 'CP plan' }]);
  });
});

describe('sensitive detector: one fact once', () => {
  it('reports an acronym inside a longer term of its category once, as the term', () => {
    expect(matchesIn('Her new SEN support plan starts in January.')).toEqual(['sensitive/sen: SEN support plan']);
  });
});

describe('sensitive detector: a diagnosis that is a special educational need is health too', () => {
  it.each(['autism', 'ADHD', 'Down’s syndrome', 'hearing impairment', 'dyspraxia'])('reports %s as both', (condition) => {
    const categories = findingsIn(`She has ${condition}.`).map((finding) => finding.category);
    expect(categories).toEqual(expect.arrayContaining(['sensitive/health', 'sensitive/sen']));
  });
});

describe('sensitive detector: about a person', () => {
  const nobody = fakeContext();
  const matches = (body: string, subject = ''): string[] => detect(fakeView({ subject, body }), nobody).map((finding) => `${finding.category}: ${finding.match}`);

  it.each([
    'Seizures in the grid caused the outage on Friday.',
    'Depression in the housing market has slowed sales.',
    'Autism awareness training for all staff is on Monday at 3.30 in the hall.',
    'Our policy: if a child has asthma, he or she keeps an inhaler in the classroom.',
    'Every pupil with an EHCP has an annual review.',
    'The diabetes charity bake sale raised £200.',
    'Adults in the U.S. and the U.K. have higher death rates from diabetes and cancer than in the E.U.',
    // Official forms and reports: populations, bodies after "the", a P.O. box.
    'Help for people with disabilities: write to P.O. Box 12, or call if you are among persons who are deaf or have a speech disability. The DVLA will tell you which form to use.',
    'In the 1980s, rates of HIV in the US and Canada were alike; by 2003 the prevalence of HIV in the US was ten times that in Canada.',
    // A lecture's headings, one to a line: "Age" is not a forename.
    'Older people are vulnerable to certain types of mental health problems\nAge\nHealth is the main concern of the elderly',
    // A list of references: authors' initials and a country's possessive.
    'Pennock, R (2005), ‘Australia’s response to HIV/AIDS’, Policy Institute.\nBarton, S, Gatti, D. D and Lowe, M (2009), ‘Networks’.',
    // A page of bookmarks: titles and an institute named after a condition.
    "Usability.gov - provided by the National Cancer Institute. Webmaster's Color Lab. Tomalak's Realm Daily Links.",
    // Law: requirements set down by a rule, not a doctor.
    'The Administrator need not accept an application if any of the requirements prescribed in paragraph (b) are lacking; the applicant may amend his application in the form prescribed by § 13.',
  ])('does not count %j, which describes no one', (body) => {
    expect(matches(body)).toEqual([]);
  });

  it.each([
    ['Her seizures are more frequent.', 'sensitive/health: seizures'],
    ['Zara has depression and sees a counsellor.', 'sensitive/health: depression'],
    ['ZK has an EHCP from September.', 'sensitive/sen: EHCP'],
    ['Z.K. is on the SEND register.', 'sensitive/sen: SEND register'],
    ['Your son has asthma, so please send an inhaler.', 'sensitive/health: asthma'],
    ['Two pupils in 4B get free school meals.', 'sensitive/free-school-meals: free school meals'],
    ['People with asthma should carry an inhaler, and Leo has asthma too.', 'sensitive/health: asthma'],
    ['The PEP meeting for ZK is on Tuesday with the virtual school.', 'sensitive/safeguarding: PEP meeting'],
    ['Kai has settled well; his PEP is attached.', 'sensitive/safeguarding: his PEP'],
    ['Mia has been prescribed an inhaler by her GP.', 'sensitive/health: prescribed'],
    ["Tamsin's Cancer Research fun run: she was diagnosed with leukaemia last year.", 'sensitive/health: leukaemia'],
  ])('counts %j, which names someone', (body, expected) => {
    expect(matches(body)).toContain(expected);
  });

  it('counts a term anywhere in a message that names a pupil, or with initials in the subject', () => {
    const aboutAva = fakeContext({ directory: fakeDirectory([{ id: 'P1', forename: 'Ava', surname: 'Example' }]) });
    const view = fakeView({ subject: 'Review', body: 'Ava Example, Year 4.\n\n'.concat('Notes follow. '.repeat(40), 'Diagnosis of ASD confirmed.') });
    const expected = ['sensitive/health: Diagnosis of', 'sensitive/health: ASD', 'sensitive/sen: ASD'];
    expect(detect(view, aboutAva).map((finding) => `${finding.category}: ${finding.match}`)).toEqual(expected);
    expect(detect(view, nobody)).toEqual([]);
    expect(matches('Diagnosis of ASD confirmed.', 'Re: A.E.')).toEqual(expected);
  });
});

describe('sensitive detector: traps that must not fire', () => {
  it.each([
    'Health and safety briefing at 3pm.',
    'Her account has been disabled; the feature is disabled for all staff.',
    'She is agnostic about the new timetable.',
    'He taught the Great Depression and the British Indian Ocean Territory in Year 9.',
    'Her seizures of drugs at the border; the grid seizures.',
    'His complaint fell on deaf ears.',
    'Please send me the file.',
    'SEND THE FORM BACK BY FRIDAY.',
    'Send support tickets to IT.',
    'The school meals menu for next term.',
    'Universal infant free school meals start in September.',
    'Religious education homework is due.',
    'RE lesson moved to room 4.',
    'Our school is a Catholic school.',
    'We are Catholic in character and ethos.',
    'She came first in the race.',
    'He came out as the winner.',
    'She is anxious about the trip.',
    'Transition to secondary school starts in June.',
    'A dyslexia-friendly classroom display.',
    'The Great Depression topic in Year 9.',
    'The disabled toilet is out of order.',
    'Mental health awareness week starts Monday.',
    'Our pupil premium strategy statement is online.',
    'Black History Month assembly.',
    'LGBTQ+ History Month display.',
    'Children in Need day: wear pyjamas.',
    'The care planning meeting for the new building.',
    'Mash the potatoes.',
    'A pep talk before the match.',
    'See pp. 12-14 of the textbook.',
    'The lac of the lake.',
    'Sen. Smith visited.',
    // A bank's KYC field list: a politically exposed person, not a Personal Education Plan.
    '62\tPOLITICAL CONNECTION\tvarchar\t4\tO\tPEP STATUS\tAPP_POL_CONN\nPEP\tPolitically Exposed Person',
  ])('%j', (sentence) => {
    expect(matchesIn(sentence)).toEqual([]);
  });
});

describe('sensitive vocabulary: pattern syntax', () => {
  const emptyCategory: SensitiveCategoryVocabulary = { description: 'x', suggestion: 'y', terms: [], acronyms: [], exclude: [] };

  function vocabularyWith(health: Partial<SensitiveCategoryVocabulary>, lists: Record<string, string[]> = {}): SensitiveVocabulary {
    return {
      lists,
      categories: {
        health: { ...emptyCategory, description: 'Health information', ...health },
        sen: emptyCategory,
        safeguarding: emptyCategory,
        'free-school-meals': emptyCategory,
        ethnicity: emptyCategory,
        religion: emptyCategory,
        'sexual-orientation': emptyCategory,
      },
    };
  }

  function matches(health: Partial<SensitiveCategoryVocabulary>, text: string, lists?: Record<string, string[]>): string[] {
    return findingsIn(text, createSensitiveDetector(vocabularyWith(health, lists))).map((finding) => finding.match);
  }

  it('searching around literals stops where the whole-text search stops: at a hyphen joining the next word, at a dash-spaced phrase', () => {
    const words = { terms: ['dyslexia', 'self-harm', 'care plan[s]'] };
    const text = 'A dyslexia-friendly room. Self – harm-free. Her dyslexia. Care plans-led. Care  plans\nagreed, self\u00a0harm.';
    const around = findingsIn(text, createSensitiveDetector(vocabularyWith(words)));
    const whole = findingsIn(text, createSensitiveDetector(vocabularyWith(words), 'whole-text'));
    expect(around.map((finding) => finding.match)).toEqual(['dyslexia', 'Care  plans', 'self\u00a0harm']);
    expect(around).toEqual(whole);
  });

  it('[x] is optional, (a|b) is one of, and matches stop at word edges', () => {
    const terms = ['inhaler[s]', 'self-harm[ing|ed]', '(asthma|epilepsy) nurse'];
    expect(matches({ terms }, 'inhaler, inhalers, inhalersx, self-harming, epilepsy nurse')).toEqual(['inhaler', 'inhalers', 'self-harming', 'epilepsy nurse']);
  });

  it('a space or hyphen matches either, across line breaks; an apostrophe matches both forms', () => {
    const terms = ['self-harm', "Crohn's"];
    expect(matches({ terms }, "self harm; self-\nharm; selfharm; Crohn’s; Crohn's")).toEqual(['self harm', 'self-\nharm', 'Crohn’s', "Crohn's"]);
  });

  it('a space next to an optional word is optional with it', () => {
    const terms = ['pupil premium [plus]', '[individual] health care plan', "Tourette['s] [syndrome]"];
    const text = 'pupil premium. pupil premium plus; health care plan, individual health care plan; ' + "Tourette, Tourette's, Tourette syndrome, Tourette's syndrome";
    expect(matches({ terms }, text)).toEqual([
      'pupil premium',
      'pupil premium plus',
      'health care plan',
      'individual health care plan',
      'Tourette',
      "Tourette's",
      'Tourette syndrome',
      "Tourette's syndrome",
    ]);
  });

  it('optional words that carry their own space stay as written', () => {
    const terms = ['is [a |an ][devout ]Quaker'];
    expect(matches({ terms }, 'is Quaker; is a Quaker; is a devout Quaker; is devout Quaker; isQuaker')).toEqual([
      'is Quaker',
      'is a Quaker',
      'is a devout Quaker',
      'is devout Quaker',
    ]);
  });

  it('acronyms match capitals only where they are written as capitals', () => {
    expect(matches({ acronyms: ['SEND (support|team)'] }, 'SEND Support, SEND team, send support, Send team')).toEqual(['SEND Support', 'SEND team']);
  });

  it('{name} stands for any phrase in the named list', () => {
    const lists = { drug: ['insulin', 'Ritalin'] };
    expect(matches({ terms: ['(takes|needs) {drug}'] }, 'He takes Ritalin; she needs insulin.', lists)).toEqual(['takes Ritalin', 'needs insulin']);
  });

  it('an exclude match that overlaps a term defuses it', () => {
    const words = { terms: ['is a Christian'], exclude: ['Christian (school|ethos)'] };
    expect(matches(words, 'The school is a Christian school. He is a Christian.')).toEqual(['is a Christian']);
    expect(findingsIn('The school is a Christian school. He is a Christian.', createSensitiveDetector(vocabularyWith(words)))[0]?.span).toEqual({
      start: 37,
      end: 51,
    });
  });

  it('the schema names the path of a malformed pattern', () => {
    const bad = structuredClone(vocabularySource) as { categories: { sen: { terms: string[] } } };
    bad.categories.sen.terms.push('(unclosed');
    const result = sensitiveVocabularySchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['categories', 'sen', 'terms', bad.categories.sen.terms.length - 1]);
    expect(result.error?.issues[0]?.message).toContain('missing ")"');
  });

  it('the schema rejects a list that does not exist and a missing category', () => {
    const unknownList = structuredClone(vocabularySource) as { categories: { religion: { terms: string[] } } };
    unknownList.categories.religion.terms.push('is {nothing}');
    expect(sensitiveVocabularySchema.safeParse(unknownList).error?.issues[0]?.message).toContain('no list named "nothing"');
    const missing = structuredClone(vocabularySource) as { categories: Record<string, unknown> };
    delete missing.categories.ethnicity;
    expect(sensitiveVocabularySchema.safeParse(missing).success).toBe(false);
  });

  it('building a detector from an unchecked vocabulary fails with a config error', () => {
    const build = () => createSensitiveDetector(vocabularyWith({ terms: ['asthma]'] }));
    expect(build).toThrow(SensitiveVocabularyError);
    expect(build).toThrow(expect.objectContaining({ code: 'SENSITIVE_VOCABULARY_INVALID', disposition: 'configuration' }));
  });
});

describe('sensitive detector: searching only around literals', () => {
  const reference = createSensitiveDetector(vocabulary, 'whole-text');
  const found = (detector: typeof detect, view: MessageView) =>
    detector(view, context).map((finding) => `${finding.category} ${finding.span?.start}-${finding.span?.end} ${finding.match}`);

  it('finds exactly what the patterns find on the whole text, in every message of the labelled corpus', async () => {
    const corpus = new URL('../../fixtures/corpus/', import.meta.url);
    const files = readdirSync(corpus).filter((file) => file.endsWith('.eml'));
    expect(files.length).toBeGreaterThan(50);
    let findings = 0;
    for (const file of files) {
      const view = await readMessage(readFileSync(new URL(file, corpus)));
      const expected = found(reference, view);
      findings += expected.length;
      expect(found(detect, view), file).toEqual(expected);
    }
    expect(findings).toBeGreaterThan(20);
  });

  it('finds exactly what the whole-text search finds where phrases are spaced, dashed, wrapped and joined in every way', () => {
    // Every term of every category, written with the separators a match may span, beside the words
    // that end a stretch early (a hyphen joining the next word, a dash in place of a space).
    const joins = [' ', '  ', '\n', ' - ', '-', '‐', ' – ', '\u00a0', '\t\n '];
    const phrases = Object.values(vocabulary.categories).flatMap((words) => [...words.terms, ...words.acronyms, ...words.exclude]);
    const written = phrases.map((phrase, index) =>
      phrase
        .replace(/\[([^\]|]*)[^\]]*\]/g, index % 2 === 0 ? '$1' : '')
        .replace(/\(([^)|]*)[^)]*\)/g, '$1')
        .replace(/\{[^}]*\}/g, 'autism')
        .replace(/ /g, () => joins[index % joins.length] ?? ' '),
    );
    const decorations = ['', '-friendly', ' policy', '-led', '.', ') and', 'ly'];
    const text = written
      .map((phrase, index) => {
        const before = index % 3 === 0 ? 'Her ' : index % 3 === 1 ? '(' : 'the pupil is ';
        const after = decorations[index % decorations.length] ?? '';
        return `${before}${phrase}${after}${index % 5 === 0 ? '\n\n' : '; '}`;
      })
      .join('');
    const view = fakeView({ body: text });
    const expected = found(reference, view);
    expect(expected.length).toBeGreaterThan(phrases.length / 2);
    expect(found(detect, view)).toEqual(expected);
  });
});
