import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.js';
import { keylessFormFor } from '../../src/gateway/gateway-services.js';

describe('keylessFormFor', () => {
  const { encryption } = configSchema.parse({
    encryption: { keylessForm: 'pdf', keylessFormByRecipient: { 'council.example.gov.uk': 'html', 'web@partner.example.org': 'html' } },
  });
  const settings = {
    encryption,
    schoolEncryption: {
      'st-marys': { keylessForm: 'html' as const, keylessFormByRecipient: { 'duty@council.example.gov.uk': 'pdf' as const } },
      'st-johns': { keylessFormByRecipient: {} },
    },
  };

  it("takes a recipient's own entry first: the school's address, then the gateway's address or domain", () => {
    expect(keylessFormFor(settings, 'st-marys', 'Duty@Council.Example.gov.uk')).toBe('pdf');
    expect(keylessFormFor(settings, 'st-marys', 'other@council.example.gov.uk')).toBe('html');
    expect(keylessFormFor(settings, 'st-johns', 'web@partner.example.org')).toBe('html');
  });

  it("then the school's choice, then the gateway's", () => {
    expect(keylessFormFor(settings, 'st-marys', 'parent@home.example.net')).toBe('html');
    expect(keylessFormFor(settings, 'st-johns', 'parent@home.example.net')).toBe('pdf');
    expect(keylessFormFor(settings, undefined, 'parent@home.example.net')).toBe('pdf');
    expect(keylessFormFor({ encryption }, 'unknown-school', 'parent@home.example.net')).toBe('pdf');
  });
});
