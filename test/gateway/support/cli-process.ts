import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/hallmonitor.js', import.meta.url));

/** One JSON log line of a `serve` or `worker` process. */
export interface LogLine {
  readonly msg?: string;
  readonly smtp?: { readonly port: number };
  readonly web?: { readonly port: number };
  readonly [field: string]: unknown;
}

/** A long-running `hallmonitor serve` or `worker`, as systemd or Compose would run it, with its log read back. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  /** The first line logged with this message, once it has been (60 s at most: a loaded machine starts slowly). */
  logged(message: string): Promise<LogLine>;
  /** How many lines with this message so far. */
  count(message: string): number;
  readonly exited: Promise<number | null>;
  /** SIGTERM, then the exit status; SIGKILL if it has not stopped within `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

export function startCli(args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as LogLine));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const find = (message: string) => lines.find((line) => line.msg === message);
  return {
    child,
    lines,
    async logged(message) {
      await expect.poll(() => find(message) !== undefined || child.exitCode !== null, { timeout: 60_000 }).toBe(true);
      const line = find(message);
      if (!line) throw new Error(`exited with ${child.exitCode} before logging "${message}": ${stderr.slice(0, 500)}`);
      return line;
    },
    count: (message) => lines.filter((line) => line.msg === message).length,
    exited,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs an administration command to its end without blocking this process (in-process peers keep answering). */
export function runCli(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
