import type { Finding } from '../detect/finding.js';
import { html, SafeHtml } from './html.js';

interface Range {
  start: number;
  end: number;
  category: string;
}

/**
 * The text with each finding's matched text in `<mark>`, everything escaped. A finding's span counts where it
 * still lands on its match; otherwise (the span was taken on another rendering of the body, e.g. HTML as text)
 * every occurrence of the match is marked, so nothing found goes unshown.
 */
export function highlightFindings(text: string, findings: readonly Pick<Finding, 'category' | 'match' | 'span'>[]): SafeHtml {
  const ranges = mergedRanges(text, findings);
  const parts: SafeHtml[] = [];
  let at = 0;
  for (const range of ranges) {
    parts.push(html`${text.slice(at, range.start)}<mark title="${range.category}">${text.slice(range.start, range.end)}</mark>`);
    at = range.end;
  }
  parts.push(html`${text.slice(at)}`);
  return html`${parts}`;
}

function mergedRanges(text: string, findings: readonly Pick<Finding, 'category' | 'match' | 'span'>[]): Range[] {
  const ranges: Range[] = [];
  const lower = text.toLowerCase();
  for (const finding of findings) {
    if (!finding.match) continue;
    const { span } = finding;
    if (span && text.slice(span.start, span.end) === finding.match) {
      ranges.push({ start: span.start, end: span.end, category: finding.category });
      continue;
    }
    const needle = finding.match.toLowerCase();
    for (let found = lower.indexOf(needle); found !== -1; found = lower.indexOf(needle, found + needle.length)) {
      ranges.push({ start: found, end: found + needle.length, category: finding.category });
    }
  }
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Range[] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range.start < last.end) {
      last.end = Math.max(last.end, range.end);
      if (!last.category.split(', ').includes(range.category)) last.category += `, ${range.category}`;
    } else merged.push({ ...range });
  }
  return merged;
}
