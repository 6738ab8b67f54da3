import { hashPassword } from '../smtp/password-hash.js';
import { UsageError } from './usage-error.js';

export const USAGE = 'hallmonitor smtp-password --password-stdin';

/**
 * `hallmonitor smtp-password --password-stdin`: prints the scrypt hash to put under `smtpUsers` in
 * the configuration. The password is read from standard input so it never appears in a process list.
 */
export async function runSmtpPassword(args: readonly string[], write: (line: string) => void): Promise<number> {
  if (args.length !== 1 || args[0] !== '--password-stdin') throw new UsageError(`usage: ${USAGE}`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password.length < 12) throw new UsageError('the password must be at least 12 characters');
  write(await hashPassword(password));
  return 0;
}
