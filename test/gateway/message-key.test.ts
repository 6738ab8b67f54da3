import { describe, expect, it } from 'vitest';
import { readTraceFacts } from '../../src/gateway/loop-guard.js';
import { messageKey } from '../../src/gateway/message-key.js';

describe('messageKey', () => {
  const secret = Buffer.alloc(32, 1);
  const envelope = { mailFrom: 'teacher@school.sch.uk', rcptTo: ['parent@example.org'] };

  it('is the same for the same envelope and body, and differs when either changes', () => {
    expect(messageKey(secret, envelope, 'body-a')).toBe(messageKey(secret, envelope, 'body-a'));
    expect(messageKey(secret, envelope, 'body-b')).not.toBe(messageKey(secret, envelope, 'body-a'));
    expect(messageKey(secret, { ...envelope, rcptTo: ['other@example.org'] }, 'body-a')).not.toBe(messageKey(secret, envelope, 'body-a'));
    expect(messageKey(Buffer.alloc(32, 2), envelope, 'body-a')).not.toBe(messageKey(secret, envelope, 'body-a'));
  });

  it('is 32 hex characters, safe in URLs, job ids and command lines', () => {
    for (let index = 0; index < 200; index += 1) expect(messageKey(secret, envelope, `body-${index}`)).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('the hash a message key is made from', () => {
  const secret = Buffer.alloc(32, 1);
  const envelope = { mailFrom: 'teacher@school.sch.uk', rcptTo: ['parent@example.org'] };
  const now = new Date('2026-11-24T09:00:00Z');
  const message = (subject: string, messageId: string) =>
    Buffer.from(`From: teacher@school.sch.uk\r\nSubject: ${subject}\r\nMessage-ID: <${messageId}@school.sch.uk>\r\n\r\nThe same text.\r\n`);

  it('is the same for the same bytes (a client’s retry) and differs when only the header differs (another message)', async () => {
    const first = await readTraceFacts(message('Trip', 'a1'), envelope, secret, now);
    const retry = await readTraceFacts(message('Trip', 'a1'), envelope, secret, now);
    const resent = await readTraceFacts(message('Trip', 'b2'), envelope, secret, now);
    const renamed = await readTraceFacts(message('Trip reminder', 'a1'), envelope, secret, now);
    expect(retry.messageHash).toBe(first.messageHash);
    expect(resent.messageHash).not.toBe(first.messageHash);
    expect(renamed.messageHash).not.toBe(first.messageHash);
  });
});
