import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** Why the inbound server refused something; each maps to exactly one SMTP reply below. */
export type RefusalCode =
  | 'client-not-allowed'
  | 'untrusted-proxy-peer'
  | 'too-many-connections-from-ip'
  | 'relay-not-permitted'
  | 'tls-required'
  | 'client-certificate-required'
  | 'sender-login-mismatch'
  | 'sender-network-mismatch'
  | 'tenant-missing'
  | 'tenant-mismatch'
  | 'sender-domain-not-allowed'
  | 'recipient-without-domain'
  | 'recipient-route-refused'
  | 'too-many-recipients'
  | 'message-too-big'
  | 'bare-line-ending'
  | 'authentication-failed'
  | 'authentication-throttled'
  | 'authentication-busy'
  | 'internal-fault';

interface ReplyText {
  readonly responseCode: number;
  /** RFC 3463 enhanced status code, written into the text because the server does not add them. */
  readonly status: string;
  readonly text: string;
}

// One table for every refusal, so the texts a sending server sees are reviewed in one place.
// Texts are generic: they never echo an address or any message content.
const REPLIES: Readonly<Record<RefusalCode, ReplyText>> = {
  'client-not-allowed': { responseCode: 554, status: '5.7.1', text: 'This gateway does not relay for your address' },
  'untrusted-proxy-peer': { responseCode: 554, status: '5.7.1', text: 'This gateway takes connections only through its load balancer' },
  'too-many-connections-from-ip': { responseCode: 421, status: '4.7.0', text: 'Too many connections from your address, try again later' },
  'relay-not-permitted': { responseCode: 530, status: '5.7.0', text: 'Authentication required to relay from your address' },
  'tls-required': { responseCode: 530, status: '5.7.0', text: 'Must issue a STARTTLS command first' },
  'client-certificate-required': { responseCode: 530, status: '5.7.0', text: 'A trusted client certificate is required' },
  'sender-network-mismatch': { responseCode: 550, status: '5.7.1', text: 'Sender domain is not relayed from your address' },
  'sender-login-mismatch': { responseCode: 553, status: '5.7.1', text: 'Sender address not owned by the authenticated login' },
  'tenant-missing': { responseCode: 550, status: '5.7.1', text: "Mail is relayed only from the school's own Microsoft 365 tenant; none was named" },
  'tenant-mismatch': { responseCode: 550, status: '5.7.1', text: 'Mail from this Microsoft 365 tenant is not relayed for this sender' },
  'sender-domain-not-allowed': { responseCode: 550, status: '5.7.1', text: 'Sender domain is not relayed by this gateway' },
  'recipient-without-domain': { responseCode: 550, status: '5.1.3', text: 'Recipient address must include a domain' },
  'recipient-route-refused': { responseCode: 550, status: '5.7.1', text: 'Recipient address form is not relayed' },
  'too-many-recipients': { responseCode: 452, status: '4.5.3', text: 'Too many recipients' },
  'message-too-big': { responseCode: 552, status: '5.3.4', text: 'Message exceeds the maximum size' },
  'bare-line-ending': { responseCode: 550, status: '5.5.2', text: 'Bare CR or LF in message data; lines must end with CRLF' },
  'authentication-failed': { responseCode: 535, status: '5.7.8', text: 'Authentication credentials invalid' },
  // RFC 4954 §6: a temporary failure; the client may try again once the window has passed.
  'authentication-throttled': { responseCode: 454, status: '4.7.0', text: 'Temporary authentication failure: too many failed attempts, try again later' },
  'authentication-busy': { responseCode: 454, status: '4.7.0', text: 'Temporary authentication failure: too many logins at once, try again in a moment' },
  'internal-fault': { responseCode: 451, status: '4.3.0', text: 'Temporary local problem, please try again later' },
};

/** A refusal carrying the SMTP reply smtp-server sends for it (`responseCode` plus the message). */
export class SmtpRefusal extends HallmonitorError {
  readonly code: RefusalCode;
  readonly responseCode: number;
  /** What the sending server should do next: retry later (4xx) or give up (5xx). */
  readonly disposition: 'temporary' | 'permanent';

  constructor(code: RefusalCode) {
    const reply = REPLIES[code];
    super(`${reply.status} ${reply.text}`);
    this.name = 'SmtpRefusal';
    this.code = code;
    this.responseCode = reply.responseCode;
    this.disposition = reply.responseCode < 500 ? 'temporary' : 'permanent';
  }
}

/** A handler's non-2xx answer to DATA as the error smtp-server turns into that reply. */
export function replyAsError(reply: { readonly code: number; readonly message: string }): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}
