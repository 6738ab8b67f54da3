/** One header field as written: its name and its complete text, folded lines included, without the final line break. */
export interface HeaderField {
  readonly name: string;
  readonly text: string;
}

/** A message split at the blank line that ends its header (RFC 5322 §2.1). */
export interface SplitMessage {
  readonly fields: readonly HeaderField[];
  /** The body's bytes: a view into the original buffer, not a copy. */
  readonly body: Buffer;
}

export function splitMessage(raw: Buffer): SplitMessage {
  const end = headerEnd(raw);
  return { fields: parseHeaderFields(raw.subarray(0, end.headerLength).toString('latin1')), body: raw.subarray(end.bodyStart) };
}

/** The fields of a header block (latin1 text, without the blank line), folded lines kept with their field. */
export function parseHeaderFields(headerText: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of headerText.split(/\r?\n/)) {
    if (line === '') continue;
    const last = fields[fields.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      fields[fields.length - 1] = { name: last.name, text: `${last.text}\r\n${line}` };
    } else {
      const colon = line.indexOf(':');
      if (colon > 0) fields.push({ name: line.slice(0, colon).trim(), text: line });
    }
  }
  return fields;
}

/** The fields with one of these names (case-insensitive), in their original order. */
export function pickFields(fields: readonly HeaderField[], names: readonly string[]): HeaderField[] {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  return fields.filter((field) => wanted.has(field.name.toLowerCase()));
}

/** A field's value with folding removed; latin1 keeps raw 8-bit bytes as they were. */
export function fieldValue(field: HeaderField): string {
  return field.text
    .slice(field.text.indexOf(':') + 1)
    .replace(/\r?\n[ \t]/g, ' ')
    .trim();
}

export function firstValue(fields: readonly HeaderField[], name: string): string | undefined {
  const field = pickFields(fields, [name])[0];
  return field ? fieldValue(field) : undefined;
}

/** Header fields back to bytes, each line ending CRLF as RFC 5322 requires on the wire. */
export function headerBytes(fields: readonly HeaderField[]): Buffer {
  return Buffer.from(fields.map((field) => `${field.text}\r\n`).join(''), 'latin1');
}

function headerEnd(raw: Buffer): { headerLength: number; bodyStart: number } {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerLength: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerLength: lf, bodyStart: lf + 2 };
  return { headerLength: raw.length, bodyStart: raw.length };
}
