import { seededRandom } from './seeded-random.js';

/**
 * Hostile MIME for `npm run fuzz`: deterministic from a seed, so a message that breaks the scanner can be made
 * again from its number. Each message mixes broken structure (missing, repeated and nested boundaries, deep
 * nesting), broken encodings (bad base64 and quoted-printable, unknown or lying charsets, raw 8-bit and NUL
 * bytes), oversized or malformed headers, empty or missing types, truncated base64, messages attached inside
 * themselves many times over, and attachments that only pretend to be PDF, ZIP, Office or mail.
 */
export function hostileMessage(seed: number): Buffer {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const parts: Buffer[] = [];
  const text = (value: string) => parts.push(Buffer.from(value, 'latin1'));

  text(headers(random, pick, chance));
  const depth = chance(0.1) ? 200 + Math.floor(random() * 3000) : Math.floor(random() * 6);
  body(depth);
  return Buffer.concat(parts);

  function body(level: number): void {
    if (level <= 0 || chance(0.2)) {
      leaf();
      return;
    }
    const boundary = chance(0.15) ? '' : chance(0.2) ? 'b' : `b${Math.floor(random() * 1e6)}`;
    const boundaryParameter = chance(0.1) ? '' : `; boundary="${boundary}"`;
    text(`Content-Type: multipart/${pick(['mixed', 'alternative', 'related', 'digest', 'signed', 'weird'])}${boundaryParameter}\r\n\r\n`);
    if (chance(0.3)) text('preamble with a --b line inside\r\n');
    const children = 1 + Math.floor(random() * (level > 50 ? 1 : 4));
    for (let child = 0; child < children; child += 1) {
      if (!chance(0.1)) text(`--${chance(0.1) ? boundary.slice(0, -1) : boundary}\r\n`);
      body(level - 1);
      text('\r\n');
    }
    if (!chance(0.25)) text(`--${boundary}--\r\n`);
    if (chance(0.2)) text('epilogue --b--\r\n');
  }

  function leaf(): void {
    const kind = pick(['text', 'html', 'pdf', 'zip', 'docx', 'xlsx', 'csv', 'rfc822', 'nested', 'binary', 'exe', 'untyped', 'tnef', 'gzip', 'rtf', 'smime', 'cfb']);
    const encoding = pick(['base64', 'quoted-printable', '8bit', '7bit', 'x-unknown', 'binary']);
    const charset = pick(['utf-8', 'iso-8859-1', 'x-no-such-charset', 'utf-7', 'iso-2022-jp', 'windows-1252', '']);
    const name = chance(0.5)
      ? `; name="${pick(['report.pdf', 'list.zip', 'notes.docx', 'marks.xlsx', 'a'.repeat(300), 'winmail.dat', 'mail.msg', 'old.xls', '..\\..\\x.exe', '=?utf-8?B?!!!?='])}"`
      : '';
    const type = {
      text: 'text/plain',
      html: 'text/html',
      pdf: 'application/pdf',
      zip: 'application/zip',
      docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      csv: 'text/csv',
      rfc822: 'message/rfc822',
      nested: 'message/rfc822',
      untyped: '',
      tnef: 'application/ms-tnef',
      gzip: 'application/gzip',
      rtf: 'application/rtf',
      smime: 'application/pkcs7-mime',
      cfb: 'application/vnd.ms-outlook',
      binary: 'application/octet-stream',
      exe: 'application/x-msdownload',
    }[kind];
    text(`Content-Type: ${type}${charset ? `; charset=${charset}` : ''}${name}\r\nContent-Transfer-Encoding: ${encoding}\r\n`);
    if (chance(0.4)) text(`Content-Disposition: attachment; filename*=utf-8''${chance(0.5) ? '%FF%FE' : 'x'}\r\n`);
    text('\r\n');
    const payload = kind === 'nested' ? nestedMessages(1 + Math.floor(random() * 40)) : content(kind);
    text(encoding === 'base64' ? brokenBase64(payload) : encoding === 'quoted-printable' ? brokenQuotedPrintable(payload) : payload.toString('latin1'));
    text('\r\n');
  }

  function content(kind: string): Buffer {
    const size = chance(0.05) ? 200_000 + Math.floor(random() * 300_000) : Math.floor(random() * 4_000);
    const noise = Buffer.alloc(size);
    for (let index = 0; index < size; index += 1) noise[index] = chance(0.7) ? 32 + Math.floor(random() * 95) : Math.floor(random() * 256);
    const magic: Record<string, string> = {
      pdf: '%PDF-1.7\n1 0 obj <<',
      zip: 'PK\u0003\u0004\u0014\u0000',
      docx: 'PK\u0003\u0004',
      xlsx: 'PK\u0003\u0004',
      exe: 'MZ\u0090\u0000',
      tnef: 'x\u009f>"\u0001\u0000',
      gzip: '\u001f\u008b\u0008\u0008',
      rtf: '{\\rtf1\\ansi{\\fonttbl;}\\u-3913 ',
      smime: '0\u0082\u0006\u008e\u0006\u0009*\u0086H\u0086\u00f7\r\u0001\u0007\u0002\u00a0',
      cfb: '\u00d0\u00cf\u0011\u00e0\u00a1\u00b1\u001a\u00e1',
      rfc822: 'From: x@y\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n',
    };
    const prose = chance(0.5) ? 'Dear parent, Zephyrine Quillfeather (DOB 01/02/2015) has an EHCP. <script>alert(1)</script> &#x26; ' : '';
    return Buffer.concat([Buffer.from(magic[kind] ?? '', 'latin1'), Buffer.from(prose, 'latin1'), noise]);
  }

  /** A message attached inside a message, `levels` deep: each level wraps the one below whole. */
  function nestedMessages(levels: number): Buffer {
    let message = Buffer.from('Subject: innermost\r\n\r\nZephyrine Quillfeather\r\n', 'latin1');
    for (let level = 0; level < levels; level += 1) {
      const head = `Subject: level ${level}\r\nContent-Type: multipart/mixed; boundary="n${level}"\r\n\r\n--n${level}\r\nContent-Type: message/rfc822\r\n\r\n`;
      message = Buffer.concat([Buffer.from(head, 'latin1'), message, Buffer.from(`\r\n--n${level}--\r\n`, 'latin1')]);
    }
    return message;
  }

  function brokenBase64(payload: Buffer): string {
    const whole = payload.toString('base64');
    const encoded = chance(0.2) ? whole.slice(0, Math.floor(random() * whole.length)) : whole;
    const lines = encoded.match(/.{1,76}/g) ?? [];
    return lines.map((line) => (chance(0.05) ? `${line.slice(0, 10)}!@#${line.slice(13)}` : line)).join(chance(0.1) ? '\n' : '\r\n') + (chance(0.3) ? '===' : '');
  }

  function brokenQuotedPrintable(payload: Buffer): string {
    let out = '';
    for (const byte of payload.subarray(0, 20_000))
      out += byte >= 33 && byte <= 126 && byte !== 61 ? String.fromCharCode(byte) : chance(0.1) ? '=Z' : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    return out.replace(/(.{70})/g, chance(0.5) ? '$1=\r\n' : '$1=');
  }
}

function headers(random: () => number, pick: <T>(items: readonly T[]) => T, chance: (p: number) => boolean): string {
  const lines = [
    `From: ${pick(['teacher@school.example.sch.uk', '"unterminated <x@y>', '=?utf-8?Q?=FF=FE?= <a@b>', '<>', ''])}`,
    `To: ${pick(['parent@example.org', 'a@b, c@d, '.repeat(200), 'group: ;', '=?x-unknown?B?AAAA?= <p@q>'])}`,
    `Subject: ${pick(['Report', '=?utf-8?B?' + 'Zm9v'.repeat(50) + '?=', '=?iso-2022-jp?B?GyRCJCIbKEI=?=', 'x'.repeat(chance(0.1) ? 200_000 : 100), '\u0000\u0001\u00ff'])}`,
    `Date: ${pick(['Mon, 23 Nov 2026 10:00:00 +0000', 'yesterday', ''])}`,
    'MIME-Version: 1.0',
  ];
  if (chance(0.2)) lines.push('a header line without a colon');
  if (chance(0.2)) lines.push(`X-Long: ${'folded\r\n '.repeat(2_000)}end`);
  if (chance(0.1)) lines.push('Content-Type: text/plain; charset="utf-8"; charset="latin1"');
  return `${lines.join('\r\n')}\r\n`;
}
