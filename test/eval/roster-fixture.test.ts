import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

type Row = Record<string, string>;

function readRows(path: string): { header: string[]; rows: Row[] } {
  const text = readFileSync(path, 'utf8');
  const header = (parseCsv(text, { to_line: 1 }) as string[][])[0] ?? [];
  return { header, rows: parseCsv(text, { columns: true }) as Row[] };
}

const pupils = readRows('fixtures/roster/pupils.csv');
const staff = readRows('fixtures/roster/staff.csv');
const sds = readRows('fixtures/roster/sds-student.csv');
const SCHOOL_DOMAIN = 'stmarys-example.sch.uk';

/** The DfE check letter, written independently of the generator: weights 2..13, sum mod 23. */
function upnCheckLetter(digits: string): string {
  const sum = [...digits].reduce((n, d, i) => n + Number(d) * (i + 2), 0);
  return 'ABCDEFGHJKLMNPQRTUVWXYZ'[sum % 23] ?? '?';
}

const field = (row: Row, name: string): string => row[name] ?? '';
const known = (p: Row): string => `${field(p, 'Preferred Forename') || field(p, 'Legal Forename')} ${field(p, 'Preferred Surname') || field(p, 'Legal Surname')}`;
const legal = (p: Row): string => `${field(p, 'Legal Forename')} ${field(p, 'Legal Surname')}`;
const named = (name: string): Row[] => pupils.rows.filter((p) => known(p) === name || legal(p) === name);

describe('fixtures/roster/pupils.csv', () => {
  it('is a SIMS/Arbor-style export with the docs/architecture.md roster headers and at least 220 pupils', () => {
    expect(pupils.header).toEqual([
      'UPN',
      'Legal Forename',
      'Preferred Forename',
      'Middle Names',
      'Legal Surname',
      'Preferred Surname',
      'DOB',
      'Year',
      'Reg',
      'Contact Emails',
      'Email',
    ]);
    expect(pupils.rows.length).toBeGreaterThanOrEqual(220);
  });

  it('gives every pupil a distinct, checksum-valid UPN', () => {
    const upns = pupils.rows.map((p) => field(p, 'UPN'));
    expect(new Set(upns).size).toBe(upns.length);
    for (const upn of upns) {
      expect(upn).toMatch(/^[A-Z]\d{12}$/);
      expect(upn[0], upn).toBe(upnCheckLetter(upn.slice(1)));
    }
  });

  it('gives dates of birth that exist and fit the 2025/26 year group', () => {
    for (const p of pupils.rows) {
      const [dd, mm, yyyy] = field(p, 'DOB').split('/').map(Number);
      const date = new Date(Date.UTC(yyyy ?? 0, (mm ?? 0) - 1, dd ?? 0));
      expect(date.getUTCDate(), field(p, 'DOB')).toBe(dd);
      const year = field(p, 'Year') === 'Reception' ? 0 : Number(field(p, 'Year').replace('Year ', ''));
      const start = Date.UTC(2020 - year, 8, 1);
      const end = Date.UTC(2021 - year, 7, 31);
      expect(date.getTime() >= start && date.getTime() <= end, `${field(p, 'DOB')} in ${field(p, 'Year')}`).toBe(true);
    }
  });

  it('lists lower-case contact addresses, several for many pupils, shared by siblings', () => {
    for (const p of pupils.rows) {
      for (const address of field(p, 'Contact Emails').split(';')) expect(address).toMatch(/^[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]+$/);
    }
    expect(pupils.rows.filter((p) => field(p, 'Contact Emails').includes(';')).length).toBeGreaterThan(50);
    const [kwame] = named('Kwame Mensah');
    const [ama] = named('Ama Mensah');
    expect(kwame && field(kwame, 'Contact Emails')).toBe(ama && field(ama, 'Contact Emails'));
  });

  it('contains every hard case the name matcher must handle', () => {
    const cases = [
      'Libby Harding',
      'Elizabeth Harding',
      'Tobi Okafor-Bennett',
      'Maisie Fletcher',
      'Maisie Carter',
      'Zoë Lambert',
      "Siobhán O'Brien",
      'Łukasz Nowak',
      'Renée Fontaine',
      'José Nuñez',
      'Chloé Müller',
      "Rhea D'Souza",
      'Ciarán O’Connor',
      'Harriet Smith-Jones',
      'Sanne Van der Berg',
      'Gabriel De Souza',
      'Yusuf Al Hashimi',
      'Will Brown',
      'Hope Young',
      'Grace Green',
      'Rose King',
      'Mark Hall',
      'May Bell',
      'Joy White',
      'Faith Cook',
      'Jack Wood',
      'Frank Long',
      'Mei Li',
      'Kai Ng',
      'Kwame Mensah',
      'Kwame Asante',
    ];
    for (const name of cases) expect(named(name), name).toHaveLength(1);
    expect(pupils.rows.filter((p) => field(p, 'Middle Names') !== '').length).toBeGreaterThan(20);
  });
});

describe('fixtures/roster/staff.csv', () => {
  it('lists about forty staff at the school domain, none with a pupil’s full name', () => {
    expect(staff.header).toEqual(['Id', 'Legal Forename', 'Preferred Forename', 'Middle Names', 'Legal Surname', 'Preferred Surname', 'Email']);
    expect(staff.rows.length).toBeGreaterThanOrEqual(35);
    const pupilNames = new Set(pupils.rows.flatMap((p) => [known(p), legal(p)]));
    for (const s of staff.rows) {
      expect(field(s, 'Email').endsWith(`@${SCHOOL_DOMAIN}`)).toBe(true);
      expect(pupilNames.has(legal(s)), legal(s)).toBe(false);
    }
  });

  it('shares a surname with pupils, and no staff member’s personal address is a roster contact', () => {
    const pupilSurnames = new Set(pupils.rows.map((p) => field(p, 'Legal Surname')));
    expect(staff.rows.some((s) => pupilSurnames.has(field(s, 'Legal Surname')))).toBe(true);
    const contacts = new Set(pupils.rows.flatMap((p) => field(p, 'Contact Emails').split(';')));
    expect(contacts.has('rachel.fenwick82@gmail.com')).toBe(false);
    expect(contacts.has('jcarver_teacher@hotmail.co.uk')).toBe(false);
  });
});

describe('fixtures/roster/sds-student.csv', () => {
  it('describes twenty of the same pupils in School Data Sync v1 form', () => {
    expect(sds.header.slice(0, 3)).toEqual(['SIS ID', 'School SIS ID', 'Username']);
    expect(sds.rows).toHaveLength(20);
    for (const s of sds.rows) {
      const p = pupils.rows.find((row) => field(row, 'UPN') === field(s, 'SIS ID'));
      expect(p, field(s, 'SIS ID')).toBeDefined();
      if (!p) continue;
      expect([field(s, 'First Name'), field(s, 'Last Name'), field(s, 'Username')]).toEqual([field(p, 'Legal Forename'), field(p, 'Legal Surname'), field(p, 'Email')]);
      expect(field(s, 'Birthdate').split('-').reverse().join('/')).toBe(field(p, 'DOB'));
    }
  });
});

describe('fixtures/roster/make-roster.mjs', () => {
  it('generates exactly the committed roster files', async () => {
    const out = await mkdtemp(join(tmpdir(), 'hallmonitor-roster-'));
    try {
      await promisify(execFile)(process.execPath, ['fixtures/roster/make-roster.mjs', out]);
      for (const file of ['pupils.csv', 'staff.csv', 'sds-student.csv']) {
        expect((await readFile(join(out, file))).equals(await readFile(join('fixtures/roster', file))), file).toBe(true);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
