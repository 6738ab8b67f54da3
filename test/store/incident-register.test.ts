import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyIncident } from '../../src/store/incident-classifier.js';
import type { Incident } from '../../src/store/incident-register.js';
import { incidentsCsv } from '../../src/store/incidents-csv.js';
import { verdictEntry } from './support/invented-records.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';

describe('classifyIncident', () => {
  it.each([
    ['quarantine', ['recipients/misdirected', 'pupil-name'], ['Data emailed to incorrect recipient', 'Failure to redact'], true],
    ['return', ['recipients/visible-bulk'], ['Failure to use Bcc'], true],
    ['quarantine', ['recipients/personal-webmail', 'attachment/bulk-personal-data'], ['Data sent to personal email', 'Failure to redact'], true],
    ['quarantine', ['pupil-name', 'sensitive/sen', 'sensitive/health'], ['Unencrypted special-category data', 'Failure to redact'], true],
    ['return', ['personal-data/upn'], ['Failure to redact'], true],
    ['return', ['person-name'], ['Failure to redact'], true],
    ['return', ['language/profanity'], ['Offensive language'], false],
    ['quarantine', ['language/slur'], ['Offensive language'], false],
    ['return', ['content/chain-letter'], ['Chain letter'], false],
    ['quarantine', ['attachment/executable'], ['Unsafe attachment'], false],
    ['quarantine', ['attachment/unscannable', 'request/encrypt'], ['Other policy breach'], false],
    ['quarantine', [], ['Other policy breach'], false],
  ] as const)('%s with %j is %j', (action, categories, types, dataProtection) => {
    expect(classifyIncident(action, categories)).toEqual({ types, dataProtection });
  });

  it('records nothing for mail that met the policy', () => {
    expect(classifyIncident('deliver', ['pupil-name'])).toBeUndefined();
    expect(classifyIncident('encrypt', ['sensitive/health'])).toBeUndefined();
  });
});

describe('incidentsCsv', () => {
  const incident: Incident = {
    seq: 7,
    at: new Date('2026-11-20T10:00:00.000Z'),
    schoolId: 'st-marys-example',
    messageId: 'msg-7',
    action: 'return',
    types: ['Failure to use Bcc', 'Failure to redact'],
    dataProtection: true,
    categories: { 'recipients/visible-bulk': 1, 'pupil-name': 2 },
    ruleIds: ['=HYPERLINK("http://evil.example","x")', 'bulk-bcc'],
    sender: '@SUM(1+1)@stmarys-example.sch.uk',
    recipientDomains: ['example.org', 'example.net'],
    recipientCount: 24,
  };

  it('writes a header row and one quoted-safe row per incident', () => {
    const rows = parse(incidentsCsv([incident])) as string[][];
    expect(rows[0]).toEqual([
      'Date (UTC)',
      'School',
      'Incident type',
      'All types',
      'Personal data',
      'Action taken',
      'Finding categories',
      'Rules',
      'Sender',
      'Recipient domains',
      'Recipients',
      'Message id',
    ]);
    expect(rows[1]).toEqual([
      '2026-11-20T10:00:00.000Z',
      'st-marys-example',
      'Failure to use Bcc',
      'Failure to use Bcc; Failure to redact',
      'yes',
      'returned to sender',
      'recipients/visible-bulk (1); pupil-name (2)',
      `'=HYPERLINK("http://evil.example","x"); bulk-bcc`,
      "'@SUM(1+1)@stmarys-example.sch.uk",
      'example.org; example.net',
      '24',
      'msg-7',
    ]);
  });

  it('neutralises every formula prefix', () => {
    for (const prefix of ['=', '+', '-', '@', '\t', '\r']) {
      const [, row] = parse(incidentsCsv([{ ...incident, messageId: `${prefix}cmd` }])) as string[][];
      expect(row?.at(-1)).toBe(`'${prefix}cmd`);
    }
  });

  it('writes only the header for an empty register', () => {
    expect(incidentsCsv([]).trim().split('\n')).toHaveLength(1);
  });
});

describe.each(ENGINES)('incident register on %s', (engine) => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite(engine);
  });
  afterEach(async () => {
    await site.dispose();
  });

  it('enters every quarantine and return, and nothing else', async () => {
    const store = await site.open();
    await store.audit.append(verdictEntry({ messageId: 'd', action: 'deliver' }));
    await store.audit.append(verdictEntry({ messageId: 'e', action: 'encrypt' }));
    await store.audit.append(verdictEntry({ messageId: 'q', action: 'quarantine', categories: { 'recipients/misdirected': 1 } }));
    await store.audit.append(verdictEntry({ messageId: 'r', action: 'return', categories: { 'language/profanity': 3 }, schoolId: 'oak-example' }));

    const all = await store.incidents.list();
    expect(all.map((incident) => [incident.messageId, incident.types[0], incident.dataProtection])).toEqual([
      ['q', 'Data emailed to incorrect recipient', true],
      ['r', 'Offensive language', false],
    ]);
    expect(all[1]).toMatchObject({ seq: 4, schoolId: 'oak-example', categories: { 'language/profanity': 3 }, recipientCount: 1 });
    expect((await store.incidents.list({ schoolIds: ['oak-example'] })).map((incident) => incident.messageId)).toEqual(['r']);
    expect((await store.incidents.list({ dataProtectionOnly: true })).map((incident) => incident.messageId)).toEqual(['q']);
    expect((await store.incidents.list({ type: 'Offensive language' })).map((incident) => incident.messageId)).toEqual(['r']);
    expect((await store.incidents.list({ offset: 1 })).map((incident) => incident.messageId)).toEqual(['r']);
    expect(incidentsCsv(all).trim().split('\n')).toHaveLength(3);
  });
});
