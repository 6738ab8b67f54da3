import type { Finding, FindingCategory, FindingLocation } from '../../src/detect/finding.js';

/** A finding as a detector would record it, for policy tests that need no message. */
export function finding(category: FindingCategory, location: FindingLocation = { part: 'body' }, match = 'x'): Finding {
  return { detector: 'test', category, severity: 'high', location, match, explanation: 'test finding' };
}
