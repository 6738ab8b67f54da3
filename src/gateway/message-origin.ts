import addressparser from 'nodemailer/lib/addressparser';
import { fieldValue, parseHeaderFields, pickFields } from '../message/header-fields.js';

/**
 * Exchange Online writes the tenant a message was sent from into this field when it leaves the tenant, and
 * removes it from what a client submits, so the value is Microsoft's word, not the sender's.
 */
export const CROSS_TENANT_FIELD = 'X-MS-Exchange-CrossTenant-Id';

/** Where a message comes from, as far as its envelope and header say, before it is scanned. */
export interface MessageOrigin {
  /**
   * The address whose school judges the message: the envelope sender, or for the null sender (an
   * out-of-office reply, an NDR, a read receipt) the `From:` address the school's mail service wrote.
   */
  readonly schoolAddress: string;
  /**
   * RFC 3834 §2 and RFC 5321 §4.5.5: the null sender, or an `Auto-Submitted:` other than `no`. Nobody is
   * told about it by mail (no notice to a sender), so an automatic message never starts a loop of them.
   */
  readonly automatic: boolean;
  /** Every `X-MS-Exchange-CrossTenant-Id` the header carries, lower case. */
  readonly crossTenantIds: readonly string[];
}

/** `header` is the header section as latin1 text (folded or unfolded). */
export function originOf(mailFrom: string, header: string): MessageOrigin {
  const fields = parseHeaderFields(header);
  const valuesOf = (name: string) => pickFields(fields, [name]).map(fieldValue);
  const autoSubmitted = valuesOf('Auto-Submitted').map(keywordOf);
  return {
    schoolAddress: mailFrom !== '' ? mailFrom : (firstAddress(valuesOf('From')[0]) ?? ''),
    automatic: mailFrom === '' || autoSubmitted.some((keyword) => keyword !== 'no'),
    crossTenantIds: valuesOf(CROSS_TENANT_FIELD).map((value) => value.trim().toLowerCase()),
  };
}

/** Why a message may not be relayed as this school's, or undefined when it may. */
export type TenantRefusal = 'tenant-missing' | 'tenant-mismatch';

/**
 * A school bound to its Microsoft 365 tenants relays only what Exchange Online attributed to one of them:
 * every other tenant shares the same sending ranges and certificate, so neither tells the school's mail
 * from theirs. No binding: nothing to check (the start-up refuses Exchange Online ranges without one).
 */
export function tenantRefusal(origin: MessageOrigin, schoolTenants: readonly string[]): TenantRefusal | undefined {
  if (schoolTenants.length === 0) return undefined;
  if (origin.crossTenantIds.length === 0) return 'tenant-missing';
  const own = new Set(schoolTenants.map((tenant) => tenant.toLowerCase()));
  return origin.crossTenantIds.every((tenant) => own.has(tenant)) ? undefined : 'tenant-mismatch';
}

/** `Auto-Submitted: auto-replied (vacation)` → `auto-replied`. */
function keywordOf(value: string): string {
  return value
    .replace(/\(.*?\)/g, ' ')
    .trim()
    .split(/[\s;]/)[0]!
    .toLowerCase();
}

function firstAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const address = addressparser(value, { flatten: true })[0]?.address;
  return address ? address.toLowerCase() : undefined;
}
