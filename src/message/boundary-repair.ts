/** How much of a message is looked at to repair its top-level multipart header. */
export const REPAIR_WINDOW_BYTES = 256 * 1024;

const HEADER_END = /\r?\n\r?\n/;
/** The Content-Type field with its folded lines (RFC 5322 2.2.3). */
const CONTENT_TYPE_FIELD = /^content-type[ \t]*:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/im;
const BOUNDARY_PARAMETER = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;
/** A delimiter line: two hyphens and a boundary of 1 to 70 characters (RFC 2046 5.1.1). */
const DELIMITER_LINE = /^--([^\r\n]{1,70}?)[ \t]*$/gm;

/**
 * Repairs the top-level header of a multipart message whose boundary is missing, empty or never
 * used, so its parts are read as mail clients read them: with the boundary its first delimiter
 * line uses, or, when it has none, as plain text. Parameters put on a line of their own without
 * folding are folded back into their field first, in every part's header (foldParameterLines).
 * `head` is the message's first bytes; the repaired ones are returned, or `head` itself when
 * nothing needs repairing.
 */
export function repairTopLevelBoundary(head: Buffer): Buffer {
  const original = head.toString('latin1');
  const text = foldParameterLines(original);
  const headerEnd = HEADER_END.exec(text);
  if (!headerEnd) return text === original ? head : Buffer.from(text, 'latin1');
  const header = text.slice(0, headerEnd.index);
  const field = CONTENT_TYPE_FIELD.exec(header);
  const value = field?.[1]?.replace(/\r?\n[ \t]/g, ' ').trim() ?? '';
  const subtype = /^multipart\/([a-z0-9.+-]+)/i.exec(value)?.[1];
  if (!field || !subtype) return text === original ? head : Buffer.from(text, 'latin1');
  const body = text.slice(headerEnd.index + headerEnd[0].length);
  const parameter = BOUNDARY_PARAMETER.exec(value);
  const declared = parameter?.[1] ?? parameter?.[2] ?? '';
  const used = delimiters(body);
  if (declared !== '' && used.has(declared)) return text === original ? head : Buffer.from(text, 'latin1');
  const guessed = [...used].find((boundary) => !boundary.endsWith('--') && (used.has(`${boundary}--`) || countLines(body, boundary) >= 2));
  const repaired = guessed ? `multipart/${subtype}; boundary="${guessed.replace(/"/g, '')}"` : 'text/plain';
  const before = text.slice(0, field.index);
  const after = text.slice(field.index + field[0].length);
  return Buffer.from(`${before}Content-Type: ${repaired}${after}`, 'latin1');
}

/**
 * A Content-Type or Content-Disposition field that ends in `;` and is followed by a line such as
 * `boundary="…"` that was not folded (no leading space, RFC 5322 2.2.3): some servers write bounces
 * this way. That line is not a header field (it has no colon before the `=`), and mail clients
 * read it as the parameter it is; folding it back makes the parser do the same.
 */
const UNFOLDED_PARAMETER = /^(content-(?:type|disposition)[ \t]*:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*;[ \t]*\r?\n)(?=[a-z0-9_.-]+(?:\*\d+)?\*?[ \t]*=)/gim;

function foldParameterLines(text: string): string {
  let folded = text;
  for (let pass = 0; pass < MAX_UNFOLDED_PARAMETERS; pass += 1) {
    const next = folded.replace(UNFOLDED_PARAMETER, '$1\t');
    if (next === folded) break;
    folded = next;
  }
  return folded;
}

/** A field has a handful of parameters; each pass folds one more line of each field. */
const MAX_UNFOLDED_PARAMETERS = 4;

/** Boundaries of every delimiter line in the body, closing ones (`--b--`) included as `b--`. */
function delimiters(body: string): Set<string> {
  return new Set([...body.matchAll(DELIMITER_LINE)].map((match) => match[1] ?? ''));
}

function countLines(body: string, boundary: string): number {
  return [...body.matchAll(DELIMITER_LINE)].filter((match) => match[1] === boundary).length;
}
