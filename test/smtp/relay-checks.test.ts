import { describe, expect, it } from 'vitest';
import { checkRecipient, checkSender, senderMatches } from '../../src/smtp/relay-checks.js';

const SCHOOL = ['oakfield.sch.uk'];

describe('senderMatches (a login bound to its senders)', () => {
  it('takes the exact addresses and the domains, subdomains included, it was given', () => {
    const senders = ['office@oakfield.sch.uk', 'juniors.oakfield.sch.uk'];
    expect(senderMatches('Office@Oakfield.sch.uk', senders)).toBe(true);
    expect(senderMatches('head@juniors.oakfield.sch.uk', senders)).toBe(true);
    expect(senderMatches('a@year6.juniors.oakfield.sch.uk', senders)).toBe(true);
    expect(senderMatches('head@oakfield.sch.uk', senders)).toBe(false);
    expect(senderMatches('office@elmwood.sch.uk', senders)).toBe(false);
    expect(senderMatches('a@evil-juniors.oakfield.sch.uk.example', senders)).toBe(false);
    expect(senderMatches('anyone@anywhere.example', 'any')).toBe(true);
  });
});

describe('checkSender', () => {
  it('accepts the school domain and its subdomains, any case', () => {
    expect(checkSender('Head@Oakfield.sch.uk', SCHOOL)).toBeUndefined();
    expect(checkSender('office@staff.oakfield.sch.uk', SCHOOL)).toBeUndefined();
  });

  it("passes the null sender: the school's out-of-office replies, NDRs and read receipts (RFC 3834, RFC 8098)", () => {
    expect(checkSender('', SCHOOL)).toBeUndefined();
  });

  it('refuses other domains and look-alikes', () => {
    expect(checkSender('a@elsewhere.org', SCHOOL)).toBe('sender-domain-not-allowed');
    expect(checkSender('a@evil-oakfield.sch.uk', SCHOOL)).toBe('sender-domain-not-allowed');
    expect(checkSender('a@oakfield.sch.uk.evil.org', SCHOOL)).toBe('sender-domain-not-allowed');
    expect(checkSender('a%b@oakfield.sch.uk', SCHOOL)).toBe('sender-domain-not-allowed');
  });
});

describe('checkRecipient', () => {
  it('accepts an ordinary external address', () => {
    expect(checkRecipient('parent.one@example.org')).toBeUndefined();
  });

  it.each([
    ['postmaster', 'recipient-without-domain'],
    ['user@', 'recipient-without-domain'],
    ['user%other.example@example.org', 'recipient-route-refused'],
    ['"a@b"@example.org', 'recipient-route-refused'],
    ['"a%b"@example.org', 'recipient-route-refused'],
    ['host!user@example.org', 'recipient-route-refused'],
    ['user@[127.0.0.1]', 'recipient-route-refused'],
    ['user@[ipv6:::1]', 'recipient-route-refused'],
    ['user@127.0.0.1', 'recipient-route-refused'],
    ['user@localhost', 'recipient-route-refused'],
    ['user@LOCALHOST.', 'recipient-route-refused'],
    ['user@mail.localhost', 'recipient-route-refused'],
    ['user@intranet', 'recipient-route-refused'],
  ])('refuses %s', (address, code) => {
    expect(checkRecipient(address)).toBe(code);
  });
});
