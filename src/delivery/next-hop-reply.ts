import type { SmtpReply } from '../smtp/spooled-message.js';

/** A recipient the next hop would not take, as its RCPT TO reply said. */
export interface RecipientRefusal {
  readonly recipient: string;
  readonly responseCode: number | undefined;
  readonly response: string | undefined;
}

/** Why a transaction with the next hop failed, in the terms nodemailer reports it. */
export interface NextHopFailure {
  /** nodemailer's error code: ECONNECTION, ETIMEDOUT, EENVELOPE, EMESSAGE, ... */
  readonly code: string | undefined;
  readonly responseCode: number | undefined;
  readonly response: string | undefined;
}

/** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; leave room for the code and our own words. */
const MAX_TEXT = 300;
const MAX_NAMED_RECIPIENTS = 5;
const UNREACHABLE_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ETLS', 'EPROXY']);

/** The next hop's acceptance, passed back to the client as it said it. */
export function acceptedReply(response: string): SmtpReply {
  return { code: 250, message: replyText(response) || '2.0.0 accepted by the next hop' };
}

/**
 * The next hop refused some recipients, so the message went to nobody (the DATA reply is one code for
 * every recipient). Any temporary refusal makes it 451 so the client retries them all; otherwise 550
 * naming the refused ones, so the sender can drop them and send again to the rest.
 */
export function refusedRecipientsReply(refusals: readonly RecipientRefusal[]): SmtpReply {
  if (refusals.some((refusal) => !isPermanent(refusal.responseCode))) {
    return { code: 451, message: '4.4.0 the next hop deferred a recipient; not sent to anyone, try again later' };
  }
  const named = refusals.slice(0, MAX_NAMED_RECIPIENTS).map((refusal) => `<${oneLine(refusal.recipient)}>`);
  const more = refusals.length > MAX_NAMED_RECIPIENTS ? ` and ${refusals.length - MAX_NAMED_RECIPIENTS} more` : '';
  const reason = refusals[0]?.response ? ` (${replyText(refusals[0].response)})` : '';
  return {
    code: 550,
    message: clip(`5.1.0 the next hop refused ${named.join(', ')}${more}${reason}; not sent to anyone: remove them and send again`),
  };
}

/** Any other failure: unreachable, timed out, or a refusal of the sender or the message itself. */
export function failureReply(failure: NextHopFailure): SmtpReply {
  if (failure.code === 'EAUTH') return { code: 451, message: "4.7.0 the next hop refused the gateway's credentials; try again later" };
  if (failure.code === 'ETLS') return { code: 451, message: '4.7.0 no secure connection to the next hop could be made; try again later' };
  if (failure.responseCode !== undefined && failure.responseCode >= 400) {
    const text = replyText(failure.response ?? '');
    if (isPermanent(failure.responseCode)) return { code: failure.responseCode, message: text || '5.0.0 refused by the next hop' };
    return { code: 451, message: clip(`4.4.0 the next hop deferred the message${text ? ` (${text})` : ''}; try again later`) };
  }
  if (failure.code === 'ETIMEDOUT') return { code: 451, message: '4.4.2 the next hop timed out; try again later' };
  if (failure.code !== undefined && UNREACHABLE_CODES.has(failure.code)) {
    return { code: 451, message: '4.4.1 the next hop is unreachable; try again later' };
  }
  return { code: 451, message: '4.3.0 delivery to the next hop failed; try again later' };
}

/** RFC 5321 §4.2.1: 5yz is permanent. 503 (bad sequence of commands) says the session was out of step, not that the message was refused. */
function isPermanent(responseCode: number | undefined): boolean {
  return responseCode !== undefined && responseCode >= 500 && responseCode !== 503;
}

/** The text of an SMTP reply without its codes, all lines joined into one. */
function replyText(response: string): string {
  const lines = response.split(/\r?\n/).map((line) => line.replace(/^\d{3}[ -]?/, '').trim());
  return clip(oneLine(lines.filter((line) => line !== '').join(' ')));
}

function oneLine(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, ' ').trim();
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 3)}...` : text;
}
