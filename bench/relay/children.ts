import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { connect } from 'node:net';

/**
 * The child processes this benchmark started. Each runs in its own process group, so stopping it
 * also stops what it started itself (Hallmonitor's private redis-server, Haraka's workers).
 */
export class Children {
  private readonly running = new Set<ChildProcess>();

  start(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, [...args], { stdio: 'ignore', ...options, detached: true });
    this.running.add(child);
    child.once('exit', () => this.running.delete(child));
    child.once('error', () => this.running.delete(child));
    return child;
  }

  /** Runs a command to completion, collecting its output; rejects on a non-zero exit. */
  run(command: string, args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = this.start(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}: ${output.slice(-2_000)}`))));
    });
  }

  /** SIGTERM (so a serve process can write its CPU profile and stop Redis), SIGKILL after a grace period. */
  async stop(child: ChildProcess, graceMillis = 5_000): Promise<void> {
    if (!this.running.has(child)) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMillis);
    await exited;
    clearTimeout(timer);
    signalGroup(child, 'SIGKILL');
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((child) => this.stop(child)));
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group has already exited.
  }
}

/** Waits until something accepts TCP connections on the loopback port, or the child exits. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMillis: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited before listening on port ${port}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMillis / 1000} s`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
