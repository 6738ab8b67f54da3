import { NUMBER_END, NUMBER_START, type IdentifierMatch } from './identifier-match.js';

/**
 * UK bank details: a six-digit sort code (nn-nn-nn, nn nn nn or nnnnnn) and an eight-digit account
 * number. Bare six- and eight-digit numbers are everywhere (dates, references), so a finding needs
 * a label: "sort code" before the sort code, or "account number" before the account number with a
 * sort code near it.
 */

const SORT_CODE = String.raw`\d{2}(?<separator>[- ]?)\d{2}\k<separator>\d{2}`;
const ACCOUNT_NUMBER = String.raw`\d{4} ?\d{4}`;

const SORT_CODE_SHAPE = new RegExp(`^${SORT_CODE}$`);
const ACCOUNT_NUMBER_SHAPE = new RegExp(`^${ACCOUNT_NUMBER}$`);

const SORT_CODE_LABEL = /\b(?:sort[ -]?code|s\/c)\b/gi;
const ACCOUNT_LABEL = /\b(?:(?:bank )?account (?:number|no\b\.?|num\b)|acc(?:ount|t)?\.? ?no\b\.?|a\/c(?: no\b\.?)?)/gi;

/** How far after its label a number may start, and how far apart sort code and account may be. */
const LABEL_REACH = 25;
const PAIR_REACH = 60;

const SORT_CODE_AFTER_LABEL = new RegExp(`^[^\\d\\n]{0,${LABEL_REACH}}?${NUMBER_START}(${SORT_CODE})${NUMBER_END}`);
const ACCOUNT_AFTER_LABEL = new RegExp(`^[^\\d\\n]{0,${LABEL_REACH}}?${NUMBER_START}(${ACCOUNT_NUMBER})${NUMBER_END}`);
const ACCOUNT_NEARBY = new RegExp(`^[^\\d]{0,${PAIR_REACH}}?${NUMBER_START}(${ACCOUNT_NUMBER})${NUMBER_END}`);
const SORT_CODE_NEARBY = new RegExp(`${NUMBER_START}(${SORT_CODE})${NUMBER_END}`, 'g');

export function isValidSortCode(candidate: string): boolean {
  return SORT_CODE_SHAPE.test(candidate);
}

export function isValidAccountNumber(candidate: string): boolean {
  return ACCOUNT_NUMBER_SHAPE.test(candidate);
}

interface Range {
  readonly start: number;
  readonly end: number;
}

/**
 * Labelled sort codes (with the account number after them when there is one) and labelled account
 * numbers with a sort code within reach; one match spans the sort code to the account number.
 */
export function findBankAccounts(text: string): IdentifierMatch[] {
  const ranges = [...sortCodesFromLabels(text), ...accountsFromLabels(text)];
  return mergeRanges(ranges).map(({ start, end }) => ({ start, end, text: text.slice(start, end) }));
}

function sortCodesFromLabels(text: string): Range[] {
  const ranges: Range[] = [];
  for (const label of text.matchAll(SORT_CODE_LABEL)) {
    const labelEnd = label.index + label[0].length;
    const sortCode = numberAfter(text, labelEnd, SORT_CODE_AFTER_LABEL);
    if (sortCode === undefined) continue;
    const account = numberAfter(text, sortCode.end, ACCOUNT_NEARBY);
    ranges.push({ start: sortCode.start, end: account?.end ?? sortCode.end });
  }
  return ranges;
}

function accountsFromLabels(text: string): Range[] {
  const ranges: Range[] = [];
  for (const label of text.matchAll(ACCOUNT_LABEL)) {
    const account = numberAfter(text, label.index + label[0].length, ACCOUNT_AFTER_LABEL);
    if (account === undefined) continue;
    const sortCode = sortCodeNear(text, account);
    if (sortCode === undefined) continue;
    ranges.push({ start: Math.min(sortCode.start, account.start), end: Math.max(sortCode.end, account.end) });
  }
  return ranges;
}

/** The number `pattern` (anchored, number in group 1) finds at `from`, as a range in `text`. */
function numberAfter(text: string, from: number, pattern: RegExp): Range | undefined {
  const match = pattern.exec(text.slice(from, from + PAIR_REACH + 20));
  const found = match?.[1];
  if (match === null || found === undefined) return undefined;
  const start = from + match[0].length - found.length;
  return { start, end: start + found.length };
}

function sortCodeNear(text: string, account: Range): Range | undefined {
  SORT_CODE_NEARBY.lastIndex = Math.max(0, account.start - PAIR_REACH);
  for (let match = SORT_CODE_NEARBY.exec(text); match !== null; match = SORT_CODE_NEARBY.exec(text)) {
    if (match.index > account.end + PAIR_REACH) break;
    const end = match.index + match[0].length;
    if (end <= account.start || match.index >= account.end) return { start: match.index, end };
  }
  return undefined;
}

function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: Range[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && range.start < last.end) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, range.end) };
    } else {
      merged.push(range);
    }
  }
  return merged;
}
