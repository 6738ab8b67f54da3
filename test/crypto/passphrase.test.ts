import { describe, expect, it } from 'vitest';
import { renderPassphraseNotice } from '../../src/crypto/passphrase-notice.js';
import { generatePassphrase, PASSPHRASE_ENTROPY_BITS, preAgreedPassphrase } from '../../src/crypto/passphrase.js';

describe('generated passphrases', () => {
  it('are six groups of four from an alphabet with no look-alikes, over 100 bits, and do not repeat', () => {
    const seen = new Set<string>();
    for (let index = 0; index < 1000; index += 1) {
      const passphrase = generatePassphrase();
      expect(passphrase).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{4}(-[ACDEFGHJKMNPQRTUVWXY34679]{4}){5}$/);
      seen.add(passphrase);
    }
    expect(seen.size).toBe(1000);
    expect(PASSPHRASE_ENTROPY_BITS).toBeGreaterThan(100);
  });

  it('use every letter of the alphabet (no bias towards a few)', () => {
    const counts = new Map<string, number>();
    for (let index = 0; index < 500; index += 1) for (const char of generatePassphrase().replaceAll('-', '')) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(25);
    // 12,000 draws over 25 letters: 480 each on average; a broken generator lands far outside.
    for (const count of counts.values()) expect(count).toBeGreaterThan(350);
  });
});

describe('pre-agreed passphrases', () => {
  const agreed = { 'duty.team@council.example.gov.uk': 'exact-one', 'council.example.gov.uk': 'domain-one', 'Agency.Example.org': 'agency' };

  it('match the exact address first, then the domain, in any case', () => {
    expect(preAgreedPassphrase(agreed, 'Duty.Team@Council.example.gov.uk')).toBe('exact-one');
    expect(preAgreedPassphrase(agreed, 'other@council.example.gov.uk')).toBe('domain-one');
    expect(preAgreedPassphrase(agreed, 'someone@agency.example.org')).toBe('agency');
    expect(preAgreedPassphrase(agreed, 'someone@sub.agency.example.org')).toBeUndefined();
    expect(preAgreedPassphrase(agreed, 'parent@home.example.org')).toBeUndefined();
  });
});

describe('the passphrase notice to the sender', () => {
  it('names the recipients and the passphrase, and says to pass it on by phone or text', () => {
    const notice = renderPassphraseNotice('teacher@school.example.sch.uk', { passphrase: 'K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU', recipients: ['parent@home.example.org'] });
    expect(notice.to).toBe('teacher@school.example.sch.uk');
    expect(notice.text).toContain('K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU');
    expect(notice.text).toContain('parent@home.example.org');
    expect(notice.text).toContain('by phone or text message, never by email');
    expect(notice.html).toContain('K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU');
  });
});
