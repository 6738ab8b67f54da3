import { categoryFacts, FINDING_CATEGORIES, type EncryptionEffect } from './categories.js';

/** The README's "What it finds" table sits between these lines; `npm run docs:categories` rewrites it. */
export const TABLE_START = '<!-- generated from src/detect/categories.ts by `npm run docs:categories`: edit that file, not this table -->';
export const TABLE_END = '<!-- end of generated table -->';

const ENCRYPTION_WORDS: Readonly<Record<EncryptionEffect, string>> = {
  remedies: 'may go encrypted',
  'no-remedy': 'no remedy',
  neutral: '—',
};

/** One row per category from the catalogue, in contract order. */
export function renderCategoryTable(): string {
  const rows = FINDING_CATEGORIES.map((category) => {
    const facts = categoryFacts(category);
    const cells = [`\`${category}\``, facts.description, facts.severity, facts.incident ?? '—', ENCRYPTION_WORDS[facts.encryption]];
    return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  });
  return ['| category | what counts | severity | incident type when stopped | encryption |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** `document` with the text between the markers replaced by the current table; throws when a marker is missing. */
export function withCategoryTable(document: string): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`the document lacks the generated-table markers (${TABLE_START} … ${TABLE_END})`);
  return `${document.slice(0, start + TABLE_START.length)}\n${renderCategoryTable()}\n${document.slice(end)}`;
}
