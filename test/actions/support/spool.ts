import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpooledMessage } from '../../../src/smtp/spooled-message.js';

/** A spool directory for one test. */
export function spoolDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'hm-actions-'));
}

/** Writes `raw` to the spool as the inbound server would, and describes it. */
export async function spool(directory: string, raw: Buffer, mailFrom: string, rcptTo: readonly string[]): Promise<SpooledMessage> {
  const id = randomBytes(8).toString('hex');
  const path = join(directory, `${id}.spool`);
  await writeFile(path, raw);
  return {
    id,
    path,
    sizeBytes: raw.length,
    envelope: { mailFrom, rcptTo },
    client: { address: '127.0.0.1', hostname: 'client.test', secure: false, user: undefined },
  };
}

/** A message with what relays like to change: a leading dot, 8-bit text, trailing spaces, a long line, no final newline. */
export function awkwardMessage(): Buffer {
  return Buffer.from(
    [
      'From: Ms Teacher <teacher@school.sch.uk>',
      'To: parent@example.org',
      'Subject: Trip =?UTF-8?Q?caf=C3=A9?=',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Lunch at the café.   ',
      '.a line that starts with a dot',
      '..and one with two',
      'x'.repeat(900),
      'Thanks',
    ].join('\r\n'),
  );
}
