import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GpgResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** A private GnuPG home in a temp folder: real gpg 2.2, no agent shared with anything else. */
export class GpgHome {
  private constructor(readonly path: string) {}

  static async create(): Promise<GpgHome> {
    return new GpgHome(await mkdtemp(join(tmpdir(), 'hm-gpg-')));
  }

  async gpg(args: readonly string[], input?: Buffer | string): Promise<GpgResult> {
    const child = run('gpg', ['--homedir', this.path, '--batch', '--no-tty', ...args], { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 });
    if (input !== undefined) child.child.stdin?.end(input);
    try {
      const { stdout, stderr } = await child;
      return { code: 0, stdout, stderr: stderr.toString('utf8') };
    } catch (error) {
      const failed = error as { code?: number; stdout?: Buffer; stderr?: Buffer };
      return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? Buffer.alloc(0), stderr: failed.stderr?.toString('utf8') ?? '' };
    }
  }

  /** A fresh ed25519/cv25519 key without a passphrase; returns its armored public key. */
  async generateKey(userId: string): Promise<string> {
    const made = await this.gpg(['--passphrase', '', '--quick-gen-key', userId, 'future-default', 'default', 'never']);
    if (made.code !== 0) throw new Error(`gpg key generation failed: ${made.stderr}`);
    return (await this.gpg(['--armor', '--export', userId])).stdout.toString('utf8');
  }

  async importKey(armored: string): Promise<void> {
    const imported = await this.gpg(['--import'], armored);
    if (imported.code !== 0) throw new Error(`gpg import failed: ${imported.stderr}`);
  }

  decrypt(data: Buffer | string, passphrase?: string): Promise<GpgResult> {
    const secret = passphrase === undefined ? [] : ['--pinentry-mode', 'loopback', '--passphrase', passphrase];
    return this.gpg([...secret, '--decrypt'], data);
  }

  async writeFile(name: string, data: Buffer | string): Promise<string> {
    const path = join(this.path, name);
    await writeFile(path, data);
    return path;
  }

  async remove(): Promise<void> {
    await this.gpg(['--kill', 'gpg-agent']).catch(() => undefined);
    await run('gpgconf', ['--homedir', this.path, '--kill', 'all']).catch(() => undefined);
    await rm(this.path, { recursive: true, force: true });
  }
}
