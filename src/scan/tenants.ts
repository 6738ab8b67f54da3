import { isInternalAddress } from '../message/addresses.js';
import { loadSchool, type LoadedSchool, type SchoolSources } from './load-school.js';

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
