import { spawn } from 'node:child_process';

export interface SwaksRun {
  /** The server's answer to the message (the last reply before QUIT's), e.g. 250 after DATA. */
  readonly lastCode: number | undefined;
  readonly transcript: string;
}

/**
 * Sends a message file with Debian's swaks, a real SMTP client, and reads the server's last reply.
 * Asynchronous, because the gateway under test runs in this same process.
 */
export function swaks(port: number, file: string, envelope: { from: string; to: string[] }, extra: string[] = []): Promise<SwaksRun> {
  const child = spawn(
    'swaks',
    ['--server', '127.0.0.1', '--port', String(port), '--from', envelope.from, '--to', envelope.to.join(','), '--data', `@${file}`, '--timeout', '30', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let transcript = '';
  child.stdout.on('data', (chunk: Buffer) => (transcript += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (transcript += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', () => {
      const replies = [...transcript.matchAll(/^<(?:-|\*\*|~\*?|~)\s+(\d{3})[ -]/gm)].map((match) => Number(match[1]));
      resolve({ lastCode: replies.filter((code) => code !== 221).at(-1), transcript });
    });
  });
}
