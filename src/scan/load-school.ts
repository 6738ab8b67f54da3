import type { SchoolSources } from '../config/school-sources.js';
import type { Detector } from '../detect/detector.js';
import { loadDetectors } from '../detect/registry.js';
import { DEFAULT_RULES_DIRECTORY } from '../package-root.js';
import { loadRuleSet } from '../policy/load-rules.js';
import { buildDirectory } from '../roster/directory.js';
import { loadPupilsCsv, loadStaffCsv } from '../roster/load-roster.js';
import type { School } from './school.js';

export interface LoadedSchool {
  readonly school: School;
  readonly detectors: readonly Detector[];
}

/** Loads everything a scan needs, all or nothing: any bad file throws before anything runs. */
export async function loadSchool(sources: SchoolSources): Promise<LoadedSchool> {
  const rulesDirectory = sources.rulesDirectory ?? DEFAULT_RULES_DIRECTORY;
  const [pupils, staff, ruleSet, detectors] = await Promise.all([
    sources.rosterPath ? loadPupilsCsv(sources.rosterPath) : [],
    sources.staffPath ? loadStaffCsv(sources.staffPath) : [],
    loadRuleSet(rulesDirectory, sources.overridesDirectory),
    loadDetectors(rulesDirectory, DEFAULT_RULES_DIRECTORY, {
      schoolNames: sources.name ? [sources.name] : [],
      schoolPhoneNumbers: sources.phoneNumbers ?? [],
      schoolPostcodes: sources.postcodes ?? [],
    }),
  ]);
  const school: School = {
    id: sources.id ?? 'default',
    domains: sources.domains.map((domain) => domain.toLowerCase()),
    microsoft365TenantIds: (sources.microsoft365TenantIds ?? []).map((tenant) => tenant.toLowerCase()),
    directory: buildDirectory(pupils, staff),
    ruleSet,
    staffGroups: groupsByAddress(sources.staffGroups ?? {}),
    ...(sources.ocr ? { ocr: sources.ocr } : {}),
  };
  return { school, detectors };
}

function groupsByAddress(groups: Readonly<Record<string, readonly string[]>>): Map<string, string[]> {
  const byAddress = new Map<string, string[]>();
  for (const [group, addresses] of Object.entries(groups)) {
    for (const address of addresses) byAddress.set(address.toLowerCase(), [...(byAddress.get(address.toLowerCase()) ?? []), group]);
  }
  return byAddress;
}
