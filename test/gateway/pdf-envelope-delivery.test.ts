import { randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/gateway/start-gateway.js';
import { startNextHop, type RunningNextHop } from '../actions/support/next-hop-server.js';
import { detachAll, runTool } from '../crypto/support/pdf-tools.js';
import { gatewaySettings, memoryLog } from './support/gateway-settings.js';
import { swaks } from './support/swaks.js';

const SENDER = 'priya.chaudhry@stmarys-example.sch.uk';
const PSYCHOLOGIST = 'a.farrell@edpsych-example.org.uk';
const COUNCIL = 'duty.team@council-example.gov.uk';
const LIMIT = 1024 * 1024;

/**
 * The encrypt verdict end to end through serve, for recipients without a key: the PDF envelope by default,
 * the web page where the school chose it for a recipient's domain, and a message whose encrypted form is
 * larger than the next hop takes held for the DPO with that reason.
 */
describe('keyless recipients through serve', () => {
  let folder: string;
  let nextHop: RunningNextHop;
  let gateway: RunningGateway;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'hm-pdf-delivery-'));
    nextHop = await startNextHop();
    const base = gatewaySettings(join(folder, 'data'), nextHop.url);
    gateway = await startGateway(
      {
        ...base,
        encryption: { ...base.encryption, maxEncryptedMessageBytes: LIMIT },
        schoolEncryption: { 'st-marys': { keylessFormByRecipient: { 'council-example.gov.uk': 'html' } } },
      },
      memoryLog().logger,
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await nextHop?.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function passphraseToldTo(sender: string, after: number): Promise<string> {
    let passphrase: string | undefined;
    await expect
      .poll(
        async () => {
          for (const message of nextHop.received.slice(after)) {
            if (!message.to.includes(sender)) continue;
            const parsed = await simpleParser(message.raw);
            if (parsed.subject === 'Hallmonitor: the passphrase for your secure message') passphrase = /^([A-Z0-9]{4}-){5}[A-Z0-9]{4}$/m.exec(parsed.text ?? '')?.[0];
          }
          return passphrase;
        },
        { timeout: 15_000 },
      )
      .toBeDefined();
    return passphrase!;
  }

  it('a pupil’s SEN details to an outside professional arrive as an AES-256 PDF that opens only with the passphrase the sender was told', async () => {
    const before = nextHop.received.length;
    const run = await swaks(gateway.smtp.port, 'fixtures/corpus/sen-review-external.eml', { from: SENDER, to: [PSYCHOLOGIST] });
    expect(run.lastCode, run.transcript).toBe(250);
    expect(run.transcript).toMatch(/sent encrypted \(PDF envelope to 1\)/);
    const sent = nextHop.received.slice(before).find((message) => message.to.includes(PSYCHOLOGIST))!;
    for (const secret of ['Libby', 'Harding', 'Annual review', 'dyslexia', 'EHCP']) expect(sent.raw.toString('latin1')).not.toContain(secret);
    const parsed = await simpleParser(sent.raw);
    expect(parsed.subject).toBe('Secure message');
    expect(parsed.text).toContain('Priya Chaudhry (priya.chaudhry@stmarys-example.sch.uk) has sent you a secure message.');
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual(['secure-message.pdf']);
    const pdf = join(folder, 'received.pdf');
    await writeFile(pdf, parsed.attachments[0]!.content);

    const passphrase = await passphraseToldTo(SENDER, before);
    const shown = await runTool('qpdf', ['--show-encryption', `--password=${passphrase}`, pdf]);
    expect(shown.stdout).toMatch(/^R = 6$/m);
    expect(shown.stdout).toMatch(/^file encryption method: AESv3$/m);
    expect((await runTool('pdftotext', [pdf, '-'])).code).not.toBe(0);
    const text = await runTool('pdftotext', ['-upw', passphrase, pdf, '-']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.replace(/\s+/g, ' ')).toContain("Ahead of the annual review next week: Libby Harding's EHCP outcomes for literacy are being met.");
    expect(text.stdout).toContain('Subject: Annual review next week');
  });

  it('a recipient whose domain the school set to html gets the web page, under the same rules', async () => {
    const before = nextHop.received.length;
    const run = await swaks(gateway.smtp.port, 'fixtures/corpus/sen-review-external.eml', { from: SENDER, to: [COUNCIL] });
    expect(run.lastCode, run.transcript).toBe(250);
    expect(run.transcript).toMatch(/sent encrypted \(password envelope to 1\)/);
    const sent = nextHop.received.slice(before).find((message) => message.to.includes(COUNCIL))!;
    expect((await simpleParser(sent.raw)).attachments.map((attachment) => attachment.filename)).toEqual(['secure-message.html', 'secure-message.asc']);
  });

  it('attachments come back byte for byte from the PDF the recipient receives', async () => {
    const notes = gibberish(200_000);
    const file = join(folder, 'with-attachment.eml');
    await writeFile(file, await compose(notes));
    const before = nextHop.received.length;
    const run = await swaks(gateway.smtp.port, file, { from: SENDER, to: [PSYCHOLOGIST] });
    expect(run.lastCode, run.transcript).toBe(250);
    const sent = nextHop.received.slice(before).find((message) => message.to.includes(PSYCHOLOGIST))!;
    const pdf = join(folder, 'with-attachment.pdf');
    await writeFile(pdf, (await simpleParser(sent.raw)).attachments[0]!.content);
    const files = await detachAll(pdf, await passphraseToldTo(SENDER, before), join(folder, 'detached'));
    expect(files.get('reading-notes.txt')?.equals(notes)).toBe(true);
  });

  it('a message whose encrypted form is larger than the next hop takes is held for the DPO, and the sender is told why', async () => {
    const file = join(folder, 'large.eml');
    // Four files, each under the scan's limit on one attachment's text, so only the size can hold it.
    await writeFile(file, await compose(...Array.from({ length: 4 }, () => gibberish(900_000))));
    const before = nextHop.received.length;
    const run = await swaks(gateway.smtp.port, file, { from: SENDER, to: [PSYCHOLOGIST] });
    expect(run.lastCode, run.transcript).toBe(250);
    expect(run.transcript).toMatch(/held for review/);
    let notice: string | undefined;
    await expect
      .poll(
        async () => {
          for (const message of nextHop.received.slice(before)) {
            const parsed = await simpleParser(message.raw);
            if (parsed.subject === 'Hallmonitor: your message is held for review') notice = parsed.text;
          }
          return notice;
        },
        { timeout: 15_000 },
      )
      .toBeDefined();
    expect(notice).toMatch(/encrypted, the message would be \d+\.\d MB: more than the 1\.0 MB the next hop accepts/);
    expect(nextHop.received.slice(before).some((message) => message.to.includes(PSYCHOLOGIST))).toBe(false);
  });
});

/** Consonants in short words, no vowels: text no detector finds a word or a number in, that deflate halves at best. */
const LETTERS = Buffer.from('bcdgjkmpqvwxz');

function gibberish(bytes: number): Buffer {
  const text = Buffer.alloc(bytes);
  for (let index = 0; index < bytes; index += 1) text[index] = index % 9 === 8 ? 0x20 : LETTERS[randomInt(LETTERS.length)]!;
  return text;
}

async function compose(...notes: Buffer[]): Promise<Buffer> {
  const original = await readFile('fixtures/corpus/sen-review-external.eml', 'utf8');
  const body = (await simpleParser(original)).text!;
  return new MailComposer({
    from: `Priya Chaudhry <${SENDER}>`,
    to: `"Dr A. Farrell" <${PSYCHOLOGIST}>`,
    subject: 'Annual review next week',
    text: body,
    attachments: notes.map((content, index) => ({ filename: index === 0 ? 'reading-notes.txt' : `reading-notes-${index + 1}.txt`, content, contentType: 'text/plain' })),
  })
    .compile()
    .build();
}
