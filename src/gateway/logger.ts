import { pino, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LogLevel } from '../config/gateway-config.js';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Fields on every line, e.g. `{ service: 'hallmonitor', role: 'worker' }`. */
  readonly base: Readonly<Record<string, string>>;
  /** Lines for people (a terminal: time, level, message, then the fields) rather than one JSON object per line. */
  readonly pretty: boolean;
  /** Where lines go, each ending in a newline; default standard output (pino's own fast writer for JSON). */
  readonly write?: (text: string) => void;
}

/**
 * The process's logger: JSON for log collectors (journald, Docker, a SIEM), or pino-pretty's layout on a
 * terminal. The fields are the same either way: ids, counts, codes and categories, never content.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = { level: options.level, base: { ...options.base } };
  if (!options.pretty) return options.write ? pino(settings, { write: options.write }) : pino(settings);
  const format = prettyFactory({ colorize: options.write === undefined, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  return pino(settings, { write: (line: string) => write(format(line)) });
}

/** People read a terminal; anything else (a pipe, a file, journald) gets JSON. */
export function isTerminal(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true;
}
