/**
 * Characters that change how text is stored but not how it reads. A soft hyphen or zero-width
 * space inside a name ("Kwa&shy;me") must not hide it from the detectors.
 */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200D\u2060\uFEFF]/g;
/** No-break and typographic spaces read as spaces (`&nbsp;` → " "). */
const SPACE_LIKE = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;
const LINE_BREAK = /\r\n?/g;
/** Any character one of the three rewrites changes: one pass to look, where the rewrites take three. */
const REWRITTEN = /[\r\u00AD\u180E\u200B-\u200D\u2060\uFEFF\u00A0\u2000-\u200A\u202F\u205F\u3000]/;

/** Text as a reader sees it: line breaks as `\n`, invisible characters gone, odd spaces plain. */
export function toReadableText(raw: string): string {
  if (!REWRITTEN.test(raw)) return raw;
  return raw.replace(LINE_BREAK, '\n').replace(INVISIBLE, '').replace(SPACE_LIKE, ' ');
}

export interface CappedText {
  readonly text: string;
  /** True when characters were cut off. */
  readonly truncated: boolean;
}

/** Keeps at most `maxChars` characters, never cutting a surrogate pair in half. */
export function capText(text: string, maxChars: number): CappedText {
  if (text.length <= maxChars) {
    return { text, truncated: false };
  }
  const end = isHighSurrogate(text.charCodeAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return { text: text.slice(0, end), truncated: true };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
