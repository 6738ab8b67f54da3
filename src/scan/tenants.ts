import { domainOf, isInternalAddress } from '../message/addresses.js';
import { type SchoolSources } from '../config/school-sources.js';
import { loadSchool, type LoadedSchool } from './load-school.js';

/** Every school on one gateway; the sender's domain chooses which school's roster and rules apply. */
export interface Tenants {
  readonly schools: readonly LoadedSchool[];
}

export async function loadTenants(sources: readonly SchoolSources[]): Promise<Tenants> {
  return { schools: await Promise.all(sources.map(loadSchool)) };
}

/** The school whose domain (or a subdomain of it) sends this mail; undefined for a sender of no school. */
export function schoolForSender(tenants: Tenants, mailFrom: string): LoadedSchool | undefined {
  return tenants.schools.find((loaded) => isInternalAddress(mailFrom, loaded.school.domains));
}

/**
 * The school that judges mail from this sender: the sender's own, else the first (a single school
 * configured without domains). A school with no domains takes the sender's domain as its own, so
 * that "internal" still means the sender's colleagues.
 */
export function resolveSchool(tenants: Tenants, mailFrom: string): LoadedSchool {
  const loaded = schoolForSender(tenants, mailFrom) ?? tenants.schools[0];
  if (!loaded) throw new Error('hallmonitor: no school is configured');
  const senderDomain = mailFrom.includes('@') ? domainOf(mailFrom) : '';
  if (loaded.school.domains.length > 0 || !senderDomain) return loaded;
  return { ...loaded, school: { ...loaded.school, domains: [senderDomain] } };
}
