import { randomBytes } from 'node:crypto';
import libmime from 'libmime';
import addressparser from 'nodemailer/lib/addressparser';
import { encode as encodeQuotedPrintable, wrap as wrapQuotedPrintable } from 'nodemailer/lib/qp';
import { envelopePageParts } from './envelope-html.js';
import { escapeHtml } from '../escape.js';
import { firstValue, headerBytes, pickFields, splitMessage, type HeaderField } from '../message/header-fields.js';
import { OUTER_FIELDS } from './pgp-mime.js';

export interface EnvelopeEmailOptions {
  /** The armored payload from `encryptWithPassphrase`. */
  readonly armoredPayload: Buffer;
  /** `generated`: the sender passes it on by phone or text; `pre-agreed`: the recipient's organisation already has it. */
  readonly passphraseSource: 'generated' | 'pre-agreed';
  /**
   * Largest payload also attached as `secure-message.asc` (default 10 MiB). Above it only the HTML
   * goes, which OpenPGP tools open as well (`gpg --decrypt secure-message.html` finds the armored
   * block inside), so a large message is not sent twice over.
   */
  readonly separatePayloadLimitBytes?: number;
}

export const ENVELOPE_SUBJECT = 'Secure message';
export const DEFAULT_SEPARATE_PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * The email that carries the envelope: a short text and HTML explanation, `secure-message.html` (opens
 * in any browser, offline) and `secure-message.asc` (the same payload, for OpenPGP tools). Only the
 * original transport headers show; no subject, body or attachment name of the original goes out in clear.
 * Built by hand rather than with MailComposer so the payload is encoded once, in pieces, and never
 * base64-inflated: armor is already 7-bit text in short lines.
 */
export function buildEnvelopeEmail(original: Buffer, options: EnvelopeEmailOptions): Buffer {
  const { fields } = splitMessage(original);
  const sender = senderOf(fields);
  const explanation = explain(sender, options);
  const mixed = boundary();
  const alternative = boundary();
  const [before, after] = envelopePageParts({ sender: sender.label });
  const payload = options.armoredPayload;
  const attachSeparately = payload.length <= (options.separatePayloadLimitBytes ?? DEFAULT_SEPARATE_PAYLOAD_LIMIT_BYTES);
  const html = noteAsHtml(explanation);
  const pieces = [
    headerBytes(outerFields(fields, mixed)),
    `\r\n--${mixed}\r\nContent-Type: multipart/alternative; boundary="${alternative}"\r\n\r\n`,
    `--${alternative}\r\n${textPart('text/plain; charset=utf-8', explanation.join('\n\n'))}`,
    `--${alternative}\r\n${textPart('text/html; charset=utf-8', html)}`,
    `--${alternative}--\r\n`,
    `--${mixed}\r\n${attachmentHeaders('secure-message.html', 'text/html; charset=utf-8', 'quoted-printable')}`,
    quotedPrintable(before, 'continued'),
    ...payloadAsQuotedPrintable(payload),
    quotedPrintable(after, 'last'),
    ...(attachSeparately ? [`--${mixed}\r\n${attachmentHeaders('secure-message.asc', 'application/pgp-encrypted', '7bit')}`, payload] : []),
    `--${mixed}--\r\n`,
  ];
  return Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece)));
}

export interface PdfEnvelopeEmailOptions {
  /** The encrypted PDF from `buildPdfEnvelope`. */
  readonly pdf: Buffer;
  readonly passphraseSource: EnvelopeEmailOptions['passphraseSource'];
}

/**
 * The email that carries the PDF envelope: the covering note (text and HTML) and `secure-message.pdf`.
 * As with the web page, only transport headers and who sent it show; everything else is inside the PDF.
 * The PDF is base64 written straight into the output, 57 bytes to a 76-character line (RFC 2045 §6.8).
 */
export function buildPdfEnvelopeEmail(original: Buffer, options: PdfEnvelopeEmailOptions): Buffer {
  const { fields } = splitMessage(original);
  const sender = senderOf(fields);
  const note = explainPdf(sender, options.passphraseSource);
  const mixed = boundary();
  const alternative = boundary();
  const head = Buffer.from(
    [
      headerBytes(outerFields(fields, mixed)).toString('latin1'),
      `\r\n--${mixed}\r\nContent-Type: multipart/alternative; boundary="${alternative}"\r\n\r\n`,
      `--${alternative}\r\n${textPart('text/plain; charset=utf-8', note.join('\n\n'))}`,
      `--${alternative}\r\n${textPart('text/html; charset=utf-8', noteAsHtml(note))}`,
      `--${alternative}--\r\n`,
      `--${mixed}\r\n${attachmentHeaders('secure-message.pdf', 'application/pdf', 'base64')}`,
    ].join(''),
    'latin1',
  );
  const tail = Buffer.from(`--${mixed}--\r\n`, 'latin1');
  const lines = Math.ceil(options.pdf.length / BASE64_LINE_BYTES);
  const out = Buffer.allocUnsafe(head.length + Math.ceil(options.pdf.length / 3) * 4 + lines * 2 + tail.length);
  let at = head.copy(out, 0);
  for (let offset = 0; offset < options.pdf.length; offset += BASE64_LINE_BYTES) {
    at += out.write(options.pdf.subarray(offset, offset + BASE64_LINE_BYTES).toString('base64'), at, 'latin1');
    at += out.write('\r\n', at, 'latin1');
  }
  at += tail.copy(out, at);
  return out.subarray(0, at);
}

const BASE64_LINE_BYTES = 57;

function outerFields(fields: readonly HeaderField[], mixed: string): HeaderField[] {
  return [
    ...pickFields(fields, OUTER_FIELDS),
    { name: 'Subject', text: `Subject: ${ENVELOPE_SUBJECT}` },
    { name: 'MIME-Version', text: 'MIME-Version: 1.0' },
    { name: 'Content-Type', text: `Content-Type: multipart/mixed; boundary="${mixed}"` },
  ];
}

function noteAsHtml(paragraphs: readonly string[]): string {
  return `<!doctype html><html><body>${paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n')}</body></html>`;
}

function explainPdf(sender: Sender, source: EnvelopeEmailOptions['passphraseSource']): string[] {
  const password =
    source === 'generated'
      ? `2. Type the password when your PDF reader asks for it. ${sender.name} will give it to you by phone or text message; it is never in an email.`
      : "2. Type the password your organisation agreed with the sender's school when your PDF reader asks for it. It is never in an email.";
  return [
    `${sender.label} has sent you a secure message. It is protected because it may contain personal information.`,
    'To read it:',
    '1. Open the attached file secure-message.pdf. Any PDF reader opens it: the one on your phone, tablet or computer, a web browser (Edge, Chrome, Firefox, Safari) or Adobe Acrobat Reader.',
    password,
    "3. Any files sent with the message are inside the PDF: open your reader's attachments panel (often a paperclip).",
    'If you were not expecting this message, telephone the sender before opening anything.',
  ];
}

function textPart(contentType: string, text: string): string {
  return `Content-Type: ${contentType}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(text, 'last')}`;
}

function attachmentHeaders(filename: string, contentType: string, encoding: string): string {
  return `Content-Type: ${contentType}; name="${filename}"\r\nContent-Transfer-Encoding: ${encoding}\r\nContent-Disposition: attachment; filename="${filename}"\r\n\r\n`;
}

/**
 * Quoted-printable with CRLF line ends (a bare LF is refused by careful MTAs, this gateway included).
 * A `continued` piece ends with a soft line break so the next piece goes on with the same text; the
 * `last` one ends with the CRLF that RFC 2046 §5.1.1 counts as part of the next boundary line. HTML
 * parsers turn CRLF back into LF before hashing scripts, so the page's CSP hashes still match.
 */
function quotedPrintable(text: string, position: 'continued' | 'last'): string {
  const encoded = wrapQuotedPrintable(encodeQuotedPrintable(Buffer.from(text, 'utf8')), 76).replace(/\r?\n/g, '\r\n');
  return `${encoded}${position === 'continued' ? '=' : ''}\r\n`;
}

/**
 * Armor is [A-Za-z0-9+/=] in CRLF lines of 64: already quoted-printable once each "=" is written "=3D",
 * and "=" occurs only in the last lines, so the bulk goes out as it is, without a copy.
 */
function payloadAsQuotedPrintable(payload: Buffer): Buffer[] {
  const firstEquals = payload.indexOf('=');
  if (firstEquals < 0) return [payload];
  const lineStart = payload.lastIndexOf('\n', firstEquals) + 1;
  return [payload.subarray(0, lineStart), Buffer.from(payload.subarray(lineStart).toString('latin1').replace(/=/g, '=3D'), 'latin1')];
}

function boundary(): string {
  return `hm-envelope-${randomBytes(12).toString('hex')}`;
}

function explain(sender: Sender, options: EnvelopeEmailOptions): string[] {
  const passphrase =
    options.passphraseSource === 'generated'
      ? `2. Type the passphrase. ${sender.name} will give it to you by phone or text message; it is never in an email.`
      : "2. Type the passphrase your organisation agreed with the sender's school. It is never in an email.";
  return [
    `${sender.label} has sent you a secure message. It is protected because it may contain personal information.`,
    'To read it:',
    '1. Open the attached file secure-message.html in a web browser (Edge, Chrome, Firefox or Safari). It works offline: you need no account, no app and no website.',
    passphrase,
    'If you use OpenPGP software (such as GnuPG, Sequoia or Thunderbird), secure-message.asc, or secure-message.html itself, opens with the same passphrase.',
    'If you were not expecting this message, telephone the sender before opening anything.',
  ];
}

interface Sender {
  /** `Name (address)`, for the first mention. */
  readonly label: string;
  /** The name alone, for the next. */
  readonly name: string;
}

/** Who sent it, as people read it: the decoded (RFC 2047) display name, then the address in brackets. */
function senderOf(fields: readonly HeaderField[]): Sender {
  const from = firstValue(fields, 'From');
  const [first] = from ? addressparser(from, { flatten: true }) : [];
  const address = first?.address ?? '';
  const name = first?.name ? libmime.decodeWords(Buffer.from(first.name, 'latin1').toString('utf8')).replace(/\s+/g, ' ').trim() : '';
  if (name && address) return { label: `${name} (${address})`, name };
  return { label: address || 'The sender', name: name || address || 'the sender' };
}
