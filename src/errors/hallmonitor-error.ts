/*
 * One family for the gateway's own errors. Each has a stable `code` (for logs, metrics and tests; never the
 * message, which may name a file or a setting) and a `disposition` that says what whoever meets it should do.
 * Every edge reads the disposition the same way: the SMTP reply (smtpReplyFor), the review app's HTTP status
 * (httpStatusFor), the CLI's exit status (exitStatusFor) and the log line's `error` field (errorCode).
 * This module imports nothing, so every folder may use it.
 */

/** What to do about an error. */
export type Disposition =
  /** A peer or a service did not answer, or time ran out: the same request may succeed later. */
  | 'temporary'
  /** The request or its input is refused for good: asking again changes nothing. */
  | 'permanent'
  /** The configuration, or a file the administrator gave (roster, rules, keys), cannot be used: fix it, then start again. */
  | 'configuration';

export abstract class HallmonitorError extends Error {
  abstract readonly code: string;
  abstract readonly disposition: Disposition;
}

/**
 * The disposition of anything thrown. An error not of the family (a socket reset, a database that went away,
 * a bug) counts as temporary: a message the gateway could not decide on is tempfailed and retried, never
 * refused or delivered on a guess.
 */
export function dispositionOf(error: unknown): Disposition {
  return error instanceof HallmonitorError ? error.disposition : 'temporary';
}

/** A stable code for a log line or a metric: the family's code, Node's system code (ECONNREFUSED), else the error's class. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
}

/** An SMTP reply (RFC 5321 §4.2, enhanced status RFC 3463). */
export interface ErrorReply {
  readonly code: number;
  readonly message: string;
}

const SMTP_REPLIES: Record<Disposition, ErrorReply> = {
  temporary: { code: 451, message: '4.3.0 Temporary failure, please retry' },
  // The sending service keeps the message and retries while the administrator fixes the configuration.
  configuration: { code: 451, message: '4.3.5 Temporary failure, please retry' },
  permanent: { code: 554, message: '5.3.0 Message refused' },
};

/** The reply a client gets for a message that failed with `error`. */
export function smtpReplyFor(error: unknown): ErrorReply {
  return SMTP_REPLIES[dispositionOf(error)];
}

const HTTP_STATUSES: Record<Disposition, number> = { temporary: 503, configuration: 500, permanent: 400 };

/** The review app's status for `error`, where the error does not carry a more exact one of its own (`statusCode`). */
export function httpStatusFor(error: unknown): number {
  const own = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof own === 'number' ? own : HTTP_STATUSES[dispositionOf(error)];
}

/**
 * The CLI's exit status: 2 for input or configuration that cannot be used (bad options, an unreadable file,
 * a roster or rules that do not load), 75 (sysexits' EX_TEMPFAIL) when something it needs did not answer and
 * running it again later may work, 1 for anything else.
 */
export function exitStatusFor(error: unknown): number {
  if (!(error instanceof HallmonitorError)) return 1;
  return error.disposition === 'temporary' ? 75 : 2;
}
