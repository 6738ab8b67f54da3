import { describe, expect, it } from 'vitest';
import { account, fateOf, proofFails, unexplainedCopies, type Attempt, type Delivery, type SentMessage } from '../../bench/soak/accounting.js';
import { headerFacts } from '../../bench/soak/flapping-next-hop.js';
import { personalise } from '../../bench/soak/mix.js';
import { readOutcomes } from '../../bench/soak/smtp-source-load.js';

const tempfailed = (started: number, ended: number): Attempt => ({ started, ended, code: 451 });
const lostConnection = (started: number, ended: number): Attempt => ({ started, ended });
const accepted = (started: number, ended: number): Attempt => ({ started, ended, code: 250 });
const copy = (key: string, at: number, recipients = ['parent@example.org']): Delivery => ({ key, recipients, at, encrypted: false });
const sent = (key: string, attempts: Attempt[]): SentMessage => ({ key, sender: 'client', attempts });

describe("the soak's proof", () => {
  it('puts each message in exactly one place', () => {
    expect(fateOf(sent('a', [accepted(0, 1)]), true, false)).toBe('delivered');
    expect(fateOf(sent('a', [accepted(0, 1)]), false, true)).toBe('quarantined');
    expect(fateOf(sent('a', [{ started: 0, ended: 1, code: 550 }]), false, false)).toBe('returned');
    expect(fateOf(sent('a', [tempfailed(0, 1), lostConnection(2, 3)]), false, false)).toBe('refused-for-now');
    expect(fateOf(sent('a', [tempfailed(0, 1), accepted(2, 3)]), false, false)).toBe('lost');
    expect(fateOf(sent('a', [accepted(0, 1)]), true, true)).toBe('conflict');
    expect(fateOf(sent('a', [{ started: 0, ended: 1, code: 550 }]), true, false)).toBe('conflict');
  });

  it('explains a second copy only by a failed try that was under way when the next hop took it', () => {
    // Taken during a try whose 250 was lost with the connection, then again during the retry: at-least-once.
    expect(unexplainedCopies([copy('a', 5), copy('a', 15)], [lostConnection(0, 10), accepted(12, 20)])).toEqual({ duplicates: 1, unexplained: 0 });
    // Two copies within one successful try, long after the failed one: the gateway sent it twice on its own.
    expect(unexplainedCopies([copy('a', 60_013), copy('a', 60_015)], [tempfailed(0, 10), accepted(60_012, 60_020)])).toEqual({ duplicates: 1, unexplained: 1 });
    // A copy long after every try ended.
    expect(unexplainedCopies([copy('a', 100_000)], [accepted(0, 10)])).toEqual({ duplicates: 0, unexplained: 1 });
    // One copy to each of two recipients (an encrypted message's forms) is no duplicate.
    expect(unexplainedCopies([copy('a', 5, ['x@example.org']), copy('a', 6, ['y@example.org'])], [accepted(0, 10)])).toEqual({ duplicates: 0, unexplained: 0 });
  });

  it('fails on a lost message, a conflict, a double hold or an unexplained copy, and holds otherwise', () => {
    const clean = account(
      [sent('a', [tempfailed(0, 1), accepted(2, 3)]), sent('b', [accepted(0, 1)]), sent('c', [{ started: 0, ended: 1, code: 550 }])],
      [copy('a', 2.5)],
      new Map([['b', 1]]),
    );
    expect(clean.fates).toMatchObject({ delivered: 1, quarantined: 1, returned: 1, lost: 0, conflict: 0 });
    expect(clean.retries).toBe(1);
    expect(proofFails(clean)).toBe(false);
    const fromSmtpSource = account([{ key: 'rcpt:1x@example.org', sender: 'smtp-source', attempts: [{ started: -Infinity, ended: Infinity, code: 451 }] }], [], new Map());
    expect(fromSmtpSource.smtpSourceFates['refused-for-now']).toBe(1);
    expect(proofFails(fromSmtpSource)).toBe(false);
    expect(proofFails(account([sent('a', [accepted(0, 1)])], [], new Map()))).toBe(true);
    expect(proofFails(account([sent('a', [accepted(0, 1)])], [], new Map([['a', 2]])))).toBe(true);
    expect(proofFails(account([sent('a', [accepted(0, 1)])], [copy('a', 0.5), copy('a', 0.6)], new Map()))).toBe(true);
  });
});

describe('the soak messages', () => {
  it('get their own Message-ID and a body of their own, without changing what a reader shows', () => {
    const template = Buffer.from('From: a@stmarys-example.sch.uk\r\nMessage-ID: <corpus-1@x>\r\nSubject: Trip\r\n\r\nPacked lunches please.\r\n');
    const first = personalise(template, '<soak-1-1@stmarys-example.sch.uk>');
    const second = personalise(template, '<soak-1-2@stmarys-example.sch.uk>');
    expect(headerFacts(first).messageId).toBe('<soak-1-1@stmarys-example.sch.uk>');
    expect(first.toString()).not.toContain('corpus-1');
    expect(first.toString()).toContain('Packed lunches please.');
    expect(first.subarray(first.indexOf('\r\n\r\n'))).not.toEqual(second.subarray(second.indexOf('\r\n\r\n')));
  });

  it("reads each smtp-source message's reply from its verbose output", () => {
    const output = [
      'smtp-source: MAIL FROM:<t@stmarys-example.sch.uk>',
      'smtp-source: <<< 250 Accepted',
      'smtp-source: RCPT TO:<1x@example.org>',
      'smtp-source: <<< 250 Accepted',
      'smtp-source: DATA',
      'smtp-source: <<< 354 End data with <CR><LF>.<CR><LF>',
      'smtp-source: .',
      'smtp-source: <<< 451 4.3.0 try again later',
      'smtp-source: RCPT TO:<2x@example.org>',
      'smtp-source: <<< 250 Accepted',
      'smtp-source: DATA',
      'smtp-source: <<< 354 End data',
      'smtp-source: .',
      'smtp-source: <<< 250 2.0.0 Ok',
      'smtp-source: RCPT TO:<3x@example.org>',
      'smtp-source: <<< 250 Accepted',
      'smtp-source: DATA',
      'smtp-source: <<< 354 End data',
      'smtp-source: .',
      'smtp-source: fatal: read: Connection reset by peer',
    ].join('\n');
    expect(readOutcomes(output)).toEqual([
      { recipient: '1x@example.org', code: 451 },
      { recipient: '2x@example.org', code: 250 },
      { recipient: '3x@example.org', code: undefined },
    ]);
  });
});
