import { describe, expect, it } from 'vitest';
import { detectEncryptRequest } from '../../src/detect/encrypt-request.js';
import { fakeContext, fakeView } from './fake-directory.js';

const context = fakeContext();

function tagsIn(subject: string, body = '') {
  return detectEncryptRequest(fakeView({ subject, body }), context);
}

describe('encrypt-request detector', () => {
  it.each([
    ['[secure] Referral for a pupil', '[secure]', 0],
    ['Payroll changes [ENCRYPT]', '[ENCRYPT]', 16],
    ['RE: [Secure] minutes', '[Secure]', 4],
    ['[ Secure ] transfer notes', '[ Secure ]', 0],
    ['[encrypt]: bank details', '[encrypt]', 0],
  ])('finds the request in %j', (subject, match, start) => {
    expect(tagsIn(subject)).toEqual([
      {
        detector: 'encrypt-request',
        category: 'request/encrypt',
        severity: 'low',
        location: { part: 'subject' },
        match,
        span: { start, end: start + match.length },
        explanation: `The sender asked for this message to be encrypted by writing ${match} in the subject.`,
      },
    ]);
  });

  it.each(['Secure the hall for Friday', 'Encrypt your laptop (IT reminder)', '[secured] lockers', '[encryption] training', '(secure) referral', 'secure] referral [encrypt'])(
    'finds nothing in %j',
    (subject) => {
      expect(tagsIn(subject)).toEqual([]);
    },
  );

  it('reads only the subject, not the body', () => {
    expect(tagsIn('Minutes', 'Next time put [secure] in the subject.')).toEqual([]);
  });
});
