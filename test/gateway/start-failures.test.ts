import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

/**
 * A start that fails part-way stops what had started — scan workers, queue workers, the private Redis,
 * listening sockets — and exits with one clear line, instead of hanging on them or leaving them running.
 */
describe('hallmonitor serve: a start that fails part-way', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function occupiedPort(): Promise<number> {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    return (server.address() as { port: number }).port;
  }

  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  /** A folder with a configuration whose Redis address answers nothing, so the gateway starts its own. */
  async function site(extra = ''): Promise<{ folder: string; config: string; data: string }> {
    const folder = await mkdtemp(join(tmpdir(), 'hm-start-'));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    const config = join(folder, 'hallmonitor.yaml');
    await writeFile(config, `redis: redis://127.0.0.1:${await freePort()}\n${extra}`);
    return { folder, config, data: join(folder, 'data') };
  }

  /** redis-server processes started for this data folder that are still running. */
  function privateRedisRunning(data: string): string[] {
    try {
      return execFileSync('pgrep', ['-f', `redis-server .*${join(data, 'redis')}`], { encoding: 'utf8' })
        .trim()
        .split('\n');
    } catch {
      return [];
    }
  }

  function expectCleanFailure(run: ReturnType<typeof runCli>, data: string, problem: RegExp): void {
    expect(run.status, `exit status (null: still running after 60 s) — ${run.stderr}`).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(problem);
    expect(privateRedisRunning(data)).toEqual([]);
  }

  it('the SMTP port is taken', async () => {
    const { config, data } = await site();
    const run = runCli(['serve', '--config', config, '--data', data, '--listen', `127.0.0.1:${await occupiedPort()}`, '--web', '127.0.0.1:0']);
    expectCleanFailure(run, data, /EADDRINUSE|in use/);
  });

  it("the review app's port is taken, after the SMTP port opened", async () => {
    const { config, data } = await site();
    const smtpPort = await freePort();
    const run = runCli(['serve', '--config', config, '--data', data, '--listen', `127.0.0.1:${smtpPort}`, '--web', `127.0.0.1:${await occupiedPort()}`]);
    expectCleanFailure(run, data, /EADDRINUSE|in use/);
    // The SMTP port it had opened is free again.
    const again = createServer();
    await new Promise<void>((resolve, reject) => again.once('error', reject).listen(smtpPort, '127.0.0.1', resolve));
    await new Promise((resolve) => again.close(resolve));
  });

  it('the TLS certificate file cannot be read', async () => {
    const { folder, data } = await site();
    const config = join(folder, 'tls.yaml');
    await writeFile(config, `redis: redis://127.0.0.1:${await freePort()}\ntls:\n  cert: ${join(folder, 'missing.crt')}\n  key: ${join(folder, 'missing.key')}\n`);
    const run = runCli(['serve', '--config', config, '--data', data, '--listen', '127.0.0.1:0', '--web', '127.0.0.1:0']);
    expectCleanFailure(run, data, /missing\.(crt|key)/);
  });
});
