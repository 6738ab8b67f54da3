import { describe, expect, it } from 'vitest';
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
