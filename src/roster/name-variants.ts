/**
 * The data behind the ways staff write a pupil's name other than as the roster has it: short
 * forms (Tom for Thomas) and one-letter slips (Fairclogh for Fairclough), which must never be
 * an English word. Loaded once per process; see `name-index.ts` for how they are used.
 *
 * Short forms: `rules/vocabulary/nicknames.csv`, the Nicknames dataset of Carlton Northern and
 * contributors (github: carltonnorthern/nicknames, names.csv, Apache-2.0, licence beside it in
 * `nicknames.LICENSE.txt`), plus `nicknames-extra.csv`, a few British short forms it lacks
 * (Izzy, Mo, Ola…). Dictionary: the `word-list` npm package (MIT, ~274,000 English words).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wordListPath from 'word-list';
import { DEFAULT_RULES_DIRECTORY } from '../package-root.js';
import { foldName } from './name-tokens.js';

export const DEFAULT_NICKNAME_FILES = ['nicknames.csv', 'nicknames-extra.csv'].map((file) => join(DEFAULT_RULES_DIRECTORY, 'vocabulary', file));

/** A short form, folded, to the folded full forenames it is short for: "tom" → ["thomas", "thom"]. */
export type ShortForms = ReadonlyMap<string, readonly string[]>;

/**
 * Parses the dataset's `name1,relationship,name2` rows (`name1` has_nickname `name2`). Rows of
 * another relationship, and short forms of one letter, are left out.
 * @throws Error naming the file and line when a row is not three cells.
 */
export function parseShortForms(csvText: string, fileLabel: string, into = new Map<string, string[]>()): Map<string, string[]> {
  const lines = csvText.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (index === 0 || line.trim() === '') return;
    const cells = line.split(',');
    if (cells.length !== 3) throw new Error(`${fileLabel} line ${index + 1}: expected name1,relationship,name2`);
    const [full, relationship, short] = cells.map((cell) => foldName(cell.trim()));
    if (relationship !== 'hasnickname' || full === undefined || short === undefined || short.length < 2 || full === short) return;
    const fulls = into.get(short);
    if (fulls === undefined) into.set(short, [full]);
    else if (!fulls.includes(full)) fulls.push(full);
  });
  return into;
}

export function loadShortForms(files: readonly string[] = DEFAULT_NICKNAME_FILES): ShortForms {
  const forms = new Map<string, string[]>();
  for (const file of files) parseShortForms(readFileSync(file, 'utf8'), file, forms);
  return forms;
}

export function loadDictionary(file: string = wordListPath): ReadonlySet<string> {
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((word) => word !== ''),
  );
}

let shippedShortForms: ShortForms | undefined;
let shippedDictionary: ReadonlySet<string> | undefined;

export function defaultShortForms(): ShortForms {
  shippedShortForms ??= loadShortForms();
  return shippedShortForms;
}

export function defaultDictionary(): ReadonlySet<string> {
  shippedDictionary ??= loadDictionary();
  return shippedDictionary;
}

/**
 * Whether `written` is `name` with one letter slipped: one transposed pair, one missing, one
 * extra (a doubled letter is one) or one wrong letter. Equal words are not a slip, nor is the
 * name with a plural s.
 */
export function isOneLetterSlip(written: string, name: string): boolean {
  const lengthGap = written.length - name.length;
  if (lengthGap > 1 || lengthGap < -1 || written === name) return false;
  // "the Mensahs": a family, not a slip.
  if (lengthGap === 1 && written === `${name}s`) return false;
  let at = 0;
  while (at < written.length && written.charCodeAt(at) === name.charCodeAt(at)) at += 1;
  if (lengthGap === 1) return written.slice(at + 1) === name.slice(at);
  if (lengthGap === -1) return written.slice(at) === name.slice(at + 1);
  if (written.slice(at + 1) === name.slice(at + 1)) return true;
  return written.charCodeAt(at) === name.charCodeAt(at + 1) && written.charCodeAt(at + 1) === name.charCodeAt(at) && written.slice(at + 2) === name.slice(at + 2);
}
