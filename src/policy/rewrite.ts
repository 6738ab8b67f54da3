import { categoryFacts } from '../detect/categories.js';
import type { Finding } from '../detect/finding.js';

/**
 * The sender's own text with what the policy forbids taken out: full pupil names become the
 * initials their detector gives, identifiers are masked, swearing and slurs are removed. Replacements are by the matched text as
 * written, so a name repeated three times is rewritten three times.
 */
export function rewriteText(text: string, findings: readonly Finding[]): string {
  const replacements = findings
    .map((finding) => ({ from: finding.match, to: replacementFor(finding) }))
    .filter((replacement): replacement is { from: string; to: string } => replacement.to !== undefined && replacement.from.length > 0)
    .sort((a, b) => b.from.length - a.from.length);
  let rewritten = text;
  for (const { from, to } of replacements) rewritten = replaceEvery(rewritten, from, to);
  return rewritten;
}

/** The catalogue's `rewrite` treatment, unless the detector wrote the replacement (a pupil's initials). */
function replacementFor(finding: Finding): string | undefined {
  if (finding.replacement !== undefined) return finding.replacement;
  switch (categoryFacts(finding.category).rewrite) {
    case 'initials':
      return "[a pupil's initials]";
    case 'mask':
      return maskIdentifier(finding.match);
    case 'remove':
      return '[removed]';
    case 'keep':
      return undefined;
  }
}

/** Keeps only the last two characters, and the spacing as written: "QQ 12 34 56 C" → "•• •• •• •5 C". */
export function maskIdentifier(text: string): string {
  let keep = 2;
  const characters = [...text];
  for (let index = characters.length - 1; index >= 0; index -= 1) {
    if (!/[\p{L}\p{N}]/u.test(characters[index]!)) continue;
    if (keep > 0) keep -= 1;
    else characters[index] = '•';
  }
  return characters.join('');
}

function replaceEvery(text: string, from: string, to: string): string {
  const pattern = new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'), 'giu');
  return text.replace(pattern, to);
}
