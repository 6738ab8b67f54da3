import type { ChildProcess } from 'node:child_process';
import type { Children } from '../relay/children.js';
import type { Attempt, SeenAction, SentMessage } from './accounting.js';

const SMTP_SOURCE = '/usr/sbin/smtp-source';

/** One smtp-source process: `messages` messages with one subject, each to its own recipient. */
export interface SourceShare {
  readonly name: string;
  readonly subject: string;
  readonly from: string;
  /** smtp-source -N puts a sequence number before it, so each message has its own recipient. */
  readonly to: string;
  readonly messages: number;
  /** The actions a scan of the same message chooses. */
  readonly expected: readonly SeenAction[];
}

/**
 * Postfix's smtp-source, one session per process (-s 1), verbose (-v), so each message's reply can be
 * read from its output in order. It never retries (its 4xx'd messages stay with it, as with any sender
 * that gives up) and -A keeps it going past them. Its messages are known by their recipient, unique per
 * message thanks to -N; the accounting's key is `rcpt:` and that address.
 */
export async function sendWithSmtpSource(children: Children, port: number, share: SourceShare): Promise<SentMessage[]> {
  const args = [
    '-A',
    '-d',
    '-N',
    '-v',
    '-s',
    '1',
    '-m',
    String(share.messages),
    '-l',
    '4096',
    '-M',
    'soak-source.example.org',
    '-f',
    share.from,
    '-t',
    share.to,
    '-S',
    share.subject,
    `127.0.0.1:${port}`,
  ];
  const output = await outputOf(children.start(SMTP_SOURCE, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
  return readOutcomes(output).map(({ recipient, code }) => {
    const attempt: Attempt = { started: -Infinity, ended: Infinity, ...(code === undefined ? {} : { code }) };
    return { key: `rcpt:${recipient}`, sender: 'smtp-source', expected: share.expected, attempts: [attempt] };
  });
}

/** Its verbose output, whether it finished or stopped on a fatal error (e.g. a refused connection). */
function outputOf(child: ChildProcess): Promise<string> {
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('latin1')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', () => resolve(output));
  });
}

type Stage = 'envelope' | 'data' | 'content';

/**
 * Each message's outcome from smtp-source -v: `RCPT TO:<…>` starts one; a failing reply before the
 * content, or the reply to the final `.`, ends it. A message whose `.` never got a reply (the connection
 * was lost) has no code.
 */
export function readOutcomes(output: string): { recipient: string; code: number | undefined }[] {
  const outcomes: { recipient: string; code: number | undefined }[] = [];
  let pending: { recipient: string; stage: Stage } | undefined;
  for (const line of output.split('\n')) {
    const said = line.replace(/^\S*smtp-source: /, '');
    const rcpt = /^RCPT TO:<([^>]*)>/.exec(said);
    if (rcpt) {
      if (pending) outcomes.push({ recipient: pending.recipient, code: undefined });
      pending = { recipient: rcpt[1]!.toLowerCase(), stage: 'envelope' };
      continue;
    }
    if (!pending) continue;
    if (said === 'DATA') pending.stage = 'data';
    else if (said === '.') pending.stage = 'content';
    const reply = /^<<< (\d{3})/.exec(said);
    if (!reply) continue;
    const code = Number(reply[1]);
    if (pending.stage === 'content' || code >= 400) {
      outcomes.push({ recipient: pending.recipient, code });
      pending = undefined;
    }
  }
  if (pending) outcomes.push({ recipient: pending.recipient, code: undefined });
  return outcomes;
}
