import { describe, expect, it } from 'vitest';
import { originOf, tenantRefusal } from '../../src/gateway/message-origin.js';

const SCHOOL_TENANT = '8f2a6c1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';
const OTHER_TENANT = '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70';

function header(...lines: string[]): string {
  return lines.join('\r\n');
}

describe('originOf', () => {
  it("judges a null-sender message by its From: (the school's out-of-office reply) and calls it automatic", () => {
    const origin = originOf('', header('From: "Ms Example" <Teacher@StMarys-Example.sch.uk>', 'Auto-Submitted: auto-replied', 'Subject: Automatic reply: Trip'));
    expect(origin).toEqual({ schoolAddress: 'teacher@stmarys-example.sch.uk', automatic: true, crossTenantIds: [] });
  });

  it('keeps the envelope sender, and calls a message automatic only for an Auto-Submitted other than no', () => {
    expect(originOf('head@school.example', header('From: someone@elsewhere.example', 'Auto-Submitted: no')).automatic).toBe(false);
    expect(originOf('head@school.example', header('From: someone@elsewhere.example')).schoolAddress).toBe('head@school.example');
    expect(originOf('head@school.example', header('Auto-Submitted: auto-generated (digest)')).automatic).toBe(true);
    expect(originOf('head@school.example', header('auto-submitted:  Auto-Replied; owner-email="x@y.example"')).automatic).toBe(true);
  });

  it('reads every X-MS-Exchange-CrossTenant-Id, folded or not, in lower case; a null sender without From: has no school address', () => {
    const origin = originOf('', header(`X-MS-Exchange-CrossTenant-Id:\r\n ${SCHOOL_TENANT.toUpperCase()}`, `X-MS-Exchange-CrossTenant-Id: ${OTHER_TENANT}`));
    expect(origin.crossTenantIds).toEqual([SCHOOL_TENANT, OTHER_TENANT]);
    expect(origin.schoolAddress).toBe('');
  });
});

describe('tenantRefusal', () => {
  const from = (...tenants: string[]) => originOf('head@school.example', header(...tenants.map((tenant) => `X-MS-Exchange-CrossTenant-Id: ${tenant}`)));

  it("passes only mail Exchange Online attributed to one of the school's tenants", () => {
    expect(tenantRefusal(from(SCHOOL_TENANT), [SCHOOL_TENANT.toUpperCase()])).toBeUndefined();
    expect(tenantRefusal(from(OTHER_TENANT), [SCHOOL_TENANT])).toBe('tenant-mismatch');
    expect(tenantRefusal(from(), [SCHOOL_TENANT])).toBe('tenant-missing');
  });

  it("refuses a message that names the school's tenant beside another one", () => {
    expect(tenantRefusal(from(OTHER_TENANT, SCHOOL_TENANT), [SCHOOL_TENANT])).toBe('tenant-mismatch');
  });

  it('checks nothing for a school bound to no tenant', () => {
    expect(tenantRefusal(from(), [])).toBeUndefined();
    expect(tenantRefusal(from(OTHER_TENANT), [])).toBeUndefined();
  });
});
