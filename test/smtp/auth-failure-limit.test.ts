import { describe, expect, it } from 'vitest';
import { AuthFailureLimit } from '../../src/smtp/auth-failure-limit.js';

describe('AuthFailureLimit', () => {
  it('holds back one address after its failures, and lets it try again once the window has passed', () => {
    const limit = new AuthFailureLimit({ perAddress: 2, total: 10, windowMs: 1_000 });
    limit.failed('192.0.2.1', 0);
    expect(limit.throttled('192.0.2.1', 10)).toBeUndefined();
    limit.failed('192.0.2.1', 20);
    expect(limit.throttled('192.0.2.1', 30)).toBe('address');
    expect(limit.throttled('192.0.2.2', 30)).toBeUndefined();
    expect(limit.throttled('192.0.2.1', 1_001)).toBeUndefined();
  });

  it('holds back everyone once the failures from all addresses reach the total: a campaign spread over many addresses', () => {
    const limit = new AuthFailureLimit({ perAddress: 5, total: 3, windowMs: 1_000 });
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) limit.failed(address, 0);
    expect(limit.throttled('198.51.100.7', 10)).toBe('total');
    expect(limit.throttled('198.51.100.7', 1_001)).toBeUndefined();
  });
});
