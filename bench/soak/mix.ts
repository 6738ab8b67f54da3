import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLabels } from '../../src/eval/labels.js';
import type { Envelope } from '../../src/message/envelope.js';
import { readMessage } from '../../src/message/read-message.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { completeEnvelope } from '../../src/scan/scan-message.js';
import { composeMessage, twentyKilobyteBody } from '../messages.js';
import type { SeenAction } from './accounting.js';
import { seededRandom } from '../seeded-random.js';

export const SCHOOL_DOMAIN = 'stmarys-example.sch.uk';
const CORPUS = join(PACKAGE_ROOT, 'fixtures/corpus');

/** What a message of the mix is about, for the printed mix and the weights. */
export type MixKind = 'clean' | 'names' | 'sensitive' | 'profanity' | 'attachment' | 'recipients' | 'other' | 'large';

/** One message the scripted client sends, with the actions its labels allow. */
export interface SoakMessage {
  /** Its Message-ID, unique to this run. */
  readonly key: string;
  readonly kind: MixKind;
  readonly withAttachment: boolean;
  readonly envelope: Envelope;
  readonly raw: Buffer;
  readonly expected: readonly SeenAction[];
}

interface Template {
  readonly file: string;
  readonly kind: MixKind;
  readonly withAttachment: boolean;
  readonly envelope: Envelope;
  readonly raw: Buffer;
  readonly expected: readonly SeenAction[];
  /** Relative frequency: most school mail is clean. */
  readonly weight: number;
}

const WEIGHTS: Readonly<Record<MixKind, number>> = { clean: 6, names: 2, sensitive: 2, profanity: 2, attachment: 1, recipients: 1, other: 1, large: 1 };
/** A few large messages: one in this many. */
const LARGE_SHARE = 200;
/** Just under the text a scan reads from one attachment (maxAttachmentTextChars), beyond which it is unscannable and held. */
const LARGE_ATTACHMENT_BYTES = 900 * 1024;

/**
 * The labelled corpus (fixtures/corpus: clean mail, pupils' names, sensitive and personal data, swearing,
 * PDF/DOCX/XLSX/ZIP attachments, risky recipients) as templates, plus a large clean message with a 900 KB
 * text attachment (about 1.2 MB encoded). Each message sent gets its own Message-ID and a reference in its body, since the gateway
 * knows one message's tries by envelope and body (src/gateway/message-key.ts): two different messages
 * must not look like retries of one.
 */
export async function loadTemplates(): Promise<Template[]> {
  const labels = await loadLabels(join(CORPUS, 'labels.yaml'));
  const templates: Template[] = [];
  for (const label of labels) {
    const raw = withCrlf(await readFile(join(CORPUS, label.file)));
    const view = await readMessage(raw);
    const kind = kindOf(label.expect.map((finding) => finding.category));
    const envelope = completeEnvelope(view, {
      ...(label.envelope?.from ? { mailFrom: label.envelope.from } : {}),
      ...(label.envelope?.rcpt ? { rcptTo: label.envelope.rcpt } : {}),
    });
    const expected = (typeof label.verdict === 'string' ? [label.verdict] : label.verdict) as SeenAction[];
    templates.push({ file: label.file, kind, withAttachment: view.attachments.length > 0, envelope, raw, expected, weight: WEIGHTS[kind] });
  }
  templates.push(await largeTemplate());
  return templates;
}

/** `count` messages drawn from the templates by weight with a seeded generator, so a run can be repeated. */
export function drawMix(templates: readonly Template[], count: number, seed: number): SoakMessage[] {
  const random = seededRandom(seed);
  const ordinary = templates.filter((template) => template.kind !== 'large');
  const large = templates.filter((template) => template.kind === 'large');
  const total = ordinary.reduce((sum, template) => sum + template.weight, 0);
  return Array.from({ length: count }, (_, index) => {
    const template = large.length > 0 && index % LARGE_SHARE === LARGE_SHARE - 1 ? large[0]! : pick(ordinary, random() * total);
    const key = `<soak-${seed}-${index}@${SCHOOL_DOMAIN}>`;
    return { key, kind: template.kind, withAttachment: template.withAttachment, envelope: template.envelope, raw: personalise(template.raw, key), expected: template.expected };
  });
}

function pick(templates: readonly Template[], point: number): Template {
  let rest = point;
  for (const template of templates) {
    rest -= template.weight;
    if (rest < 0) return template;
  }
  return templates[templates.length - 1]!;
}

function kindOf(categories: readonly string[]): MixKind {
  if (categories.length === 0) return 'clean';
  if (categories.some((category) => category.startsWith('language/'))) return 'profanity';
  if (categories.some((category) => category.startsWith('sensitive/') || category.startsWith('personal-data/'))) return 'sensitive';
  if (categories.some((category) => category.startsWith('attachment/'))) return 'attachment';
  if (categories.some((category) => category === 'pupil-name' || category === 'person-name')) return 'names';
  if (categories.some((category) => category.startsWith('recipients/'))) return 'recipients';
  return 'other';
}

async function largeTemplate(): Promise<Template> {
  const from = `catherine.ashworth@${SCHOOL_DOMAIN}`;
  const to = 'governors@example.org';
  const paragraph = `${twentyKilobyteBody([])}\n\n`;
  const notes = paragraph.repeat(Math.floor(LARGE_ATTACHMENT_BYTES / paragraph.length));
  const raw = await composeMessage(twentyKilobyteBody([]), [{ filename: 'curriculum-notes.txt', content: notes, contentType: 'text/plain' }], {
    from,
    to,
    subject: 'Curriculum notes for the governors',
  });
  return { file: 'large', kind: 'large', withAttachment: true, envelope: { mailFrom: from, rcptTo: [to] }, raw, expected: ['deliver'], weight: 0 };
}

/** SMTP wants CRLF line ends; the gateway refuses bare LF (SMTP smuggling). */
function withCrlf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/**
 * The template with `key` as its Message-ID and the key again where no reader shows it: the epilogue of a
 * multipart message, or a last line of a single part (re-encoded for base64).
 */
export function personalise(raw: Buffer, key: string): Buffer {
  const text = raw.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const header = text.slice(0, split + 2).replace(/^Message-ID:.*\r\n(?:[ \t].*\r\n)*/im, '');
  const body = text.slice(split + 4);
  const reference = `soak reference ${key.slice(1, key.indexOf('@'))}`;
  const unfolded = header.replace(/\r\n[ \t]+/g, ' ');
  const multipart = /^Content-Type:\s*multipart\//im.test(unfolded);
  const base64 = /^Content-Transfer-Encoding:\s*base64/im.test(unfolded);
  const newBody = multipart ? `${body}\r\n${reference}\r\n` : base64 ? reencoded(body, reference) : `${body.replace(/\r\n$/, '')}\r\n${reference}\r\n`;
  return Buffer.from(`Message-ID: ${key}\r\n${header}\r\n${newBody}`, 'latin1');
}

function reencoded(body: string, reference: string): string {
  const decoded = Buffer.concat([Buffer.from(body.replace(/\s+/g, ''), 'base64'), Buffer.from(`\n${reference}\n`)]);
  return `${decoded.toString('base64').replace(/.{1,76}/g, '$&\r\n')}`;
}
