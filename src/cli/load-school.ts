import { loadDetectors } from '../detect/registry.js';
import type { Detector } from '../detect/detector.js';
import { loadRuleSet } from '../policy/load-rules.js';
import { buildDirectory } from '../roster/directory.js';
import { loadPupilsCsv, loadStaffCsv } from '../roster/load-roster.js';
import type { School } from '../scan/school.js';
import { DEFAULT_RULES_DIRECTORY } from '../package-root.js';


export interface SchoolSources {
  readonly rosterPath?: string | undefined;
  readonly staffPath?: string | undefined;
  readonly domains: readonly string[];
  /** The rule set to run instead of the shipped one (its `vocabulary/` too, where it has one). */
  readonly rulesDirectory?: string | undefined;
  /** A school's own rules, replacing, extending or disabling rules of the base set by id. */
  readonly overridesDirectory?: string | undefined;
}

export interface LoadedSchool {
  readonly school: School;
  readonly detectors: readonly Detector[];
}

/** Loads everything a scan needs, all or nothing: any bad file throws before anything runs. */
export async function loadSchool(sources: SchoolSources, id = 'default'): Promise<LoadedSchool> {
  const [pupils, staff, ruleSet, detectors] = await Promise.all([
    sources.rosterPath ? loadPupilsCsv(sources.rosterPath) : [],
    sources.staffPath ? loadStaffCsv(sources.staffPath) : [],
    loadRuleSet(sources.rulesDirectory ?? DEFAULT_RULES_DIRECTORY, sources.overridesDirectory),
    loadDetectors(sources.rulesDirectory ?? DEFAULT_RULES_DIRECTORY, DEFAULT_RULES_DIRECTORY),
  ]);
  const school: School = {
    id,
    domains: sources.domains.map((domain) => domain.toLowerCase()),
    directory: buildDirectory(pupils, staff),
    ruleSet,
    staffGroups: new Map(),
  };
  return { school, detectors };
}
