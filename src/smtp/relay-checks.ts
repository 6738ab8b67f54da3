import { isIP } from 'node:net';
import type { RefusalCode } from './smtp-replies.js';

/*
 * Open-relay protection for addresses as smtp-server hands them over (angle brackets gone; a
 * source route such as <@a,@b:u@c> already dropped, as RFC 5321 section 4.1.2 and appendix C
 * require, so the route is never followed). A refusal code, or undefined when the address may pass.
 */

// Characters that make a local part route somewhere else: the %-hack (user%host@relay), UUCP bang
// paths (host!user@relay), a second @ inside a quoted local part, and a leftover route colon.
const ROUTING_CHARACTERS = /[%!@:]/;

/**
 * The sender must be at one of the school's own domains or a subdomain of one (or any domain, with `'any'`).
 * The null sender passes: the school's mail service sends its out-of-office replies, NDRs and read receipts
 * with it (RFC 3834 §3.3, RFC 8098 §2.1, RFC 5321 §4.5.5); they are scanned like any other mail.
 */
export function checkSender(address: string, senderDomains: readonly string[] | 'any'): RefusalCode | undefined {
  if (address === '') return undefined;
  const parts = splitAddress(address);
  if (parts === undefined || ROUTING_CHARACTERS.test(parts.local)) return 'sender-domain-not-allowed';
  const domain = parts.domain;
  if (senderDomains === 'any') return undefined;
  return senderDomains.some((own) => domain === own || domain.endsWith(`.${own}`)) ? undefined : 'sender-domain-not-allowed';
}

/**
 * Whether a login bound to `senders` may use this MAIL FROM: an exact address, or a domain (and its
 * subdomains), as Postfix's `reject_sender_login_mismatch` with `smtpd_sender_login_maps` does.
 */
export function senderMatches(address: string, senders: readonly string[] | 'any'): boolean {
  if (senders === 'any') return true;
  const parts = splitAddress(address);
  if (parts === undefined) return false;
  const lower = address.toLowerCase();
  return senders.some((allowed) => {
    const own = allowed.toLowerCase();
    return own.includes('@') ? own === lower : parts.domain === own || parts.domain.endsWith(`.${own}`);
  });
}

/** A recipient must be a plain mailbox at a public-looking domain name. */
export function checkRecipient(address: string): RefusalCode | undefined {
  const parts = splitAddress(address);
  if (parts === undefined) return 'recipient-without-domain';
  if (ROUTING_CHARACTERS.test(parts.local)) return 'recipient-route-refused';
  return isRoutableDomain(parts.domain) ? undefined : 'recipient-route-refused';
}

/** Lower-cases and splits at the last @; the domain part never contains one. */
export function splitAddress(address: string): { local: string; domain: string } | undefined {
  const lower = address.toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0 || at === lower.length - 1) return undefined;
  return { local: lower.slice(0, at), domain: lower.slice(at + 1) };
}

// Address literals ([127.0.0.1], [IPv6:::1]), bare IPs, localhost and single-label names all
// resolve to something local or site-specific rather than to an Internet mail domain.
function isRoutableDomain(domain: string): boolean {
  const name = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  if (name.startsWith('[') || isIP(name) !== 0) return false;
  if (name === 'localhost' || name.endsWith('.localhost') || name.endsWith('.localdomain')) return false;
  return name.includes('.');
}
