import { describe, expect, it } from 'vitest';
import { acceptedReply, failureReply, refusedRecipientsReply } from '../../src/delivery/next-hop-reply.js';

const refusal = (recipient: string, responseCode: number) => ({ recipient, responseCode, response: `${responseCode} 5.1.1 <${recipient}>: no such user` });

describe('acceptedReply', () => {
  it("keeps the next hop's words on one line, without its codes", () => {
    expect(acceptedReply('250-2.0.0 Ok\n250 queued as ABC')).toEqual({ code: 250, message: '2.0.0 Ok queued as ABC' });
    expect(acceptedReply('250')).toEqual({ code: 250, message: '2.0.0 accepted by the next hop' });
  });
});

describe('refusedRecipientsReply', () => {
  it('names at most five refused recipients and counts the rest, in one line under 512 octets', () => {
    const refusals = Array.from({ length: 8 }, (_, i) => refusal(`gone${i}@example.org`, 550));
    const reply = refusedRecipientsReply(refusals);
    expect(reply.code).toBe(550);
    expect(reply.message).toContain('<gone4@example.org> and 3 more');
    expect(reply.message).not.toContain('gone5@');
    expect(`${reply.code} ${reply.message}`.length).toBeLessThan(512);
  });

  it('treats 503 as temporary: the session was out of step, not the recipient refused', () => {
    expect(refusedRecipientsReply([refusal('a@example.org', 503)]).code).toBe(451);
  });

  it('strips control characters a next hop or address could smuggle into the reply', () => {
    const reply = refusedRecipientsReply([{ recipient: 'a@example.org\r\n250 ok', responseCode: 550, response: '550 no\r\n' }]);
    expect(reply.message).not.toMatch(/[\r\n]/);
  });
});

describe('failureReply', () => {
  it('passes on permanent codes and turns temporary ones and faults into 451', () => {
    expect(failureReply({ code: 'EMESSAGE', responseCode: 552, response: '552 5.3.4 Message too big' })).toEqual({ code: 552, message: '5.3.4 Message too big' });
    expect(failureReply({ code: 'EENVELOPE', responseCode: 421, response: '421 4.4.2 closing' }).code).toBe(451);
    expect(failureReply({ code: 'ECONNECTION', responseCode: undefined, response: undefined }).message).toMatch(/^4\.4\.1 /);
    expect(failureReply({ code: 'ETIMEDOUT', responseCode: undefined, response: undefined }).message).toMatch(/^4\.4\.2 /);
    expect(failureReply({ code: 'ESTREAM', responseCode: undefined, response: undefined }).message).toMatch(/^4\.3\.0 /);
  });
});
