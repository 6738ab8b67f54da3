import { parseArgs } from 'node:util';
import { describeLocation } from './scan-report.js';
import { scanFile, SCHOOL_OPTIONS, schoolSourcesFromFlags } from './scan-command.js';
import { loadTenants } from '../scan/tenants.js';
import { DEFAULT_RULES_DIRECTORY } from '../package-root.js';
import { UsageError } from './usage-error.js';
import { explainVerdict } from '../policy/explain.js';
import { loadRuleSet } from '../policy/load-rules.js';
import { renderPolicyTable } from '../policy/policy-table.js';

export const USAGE = 'hallmonitor rules check [DIR] | rules explain FILE.eml [--roster F] [--staff F] [--domain D ...] [--from A] [--rcpt A ...] [--rules DIR] | rules table [DIR]';

/** `rules check` validates a rule directory offline exactly as start-up does; `explain` shows a verdict's reasons. */
export async function runRules(args: readonly string[], write: (line: string) => void): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'check') {
    const directory = rest[0] ?? DEFAULT_RULES_DIRECTORY;
    const ruleSet = await loadRuleSet(directory);
    write(`${directory}: ${ruleSet.rules.length} rules, valid`);
    return 0;
  }
  if (subcommand === 'table') {
    write(renderPolicyTable(await loadRuleSet(rest[0] ?? DEFAULT_RULES_DIRECTORY)));
    return 0;
  }
  if (subcommand === 'explain') return explain(rest, write);
  throw new UsageError(`usage: ${USAGE}`);
}

async function explain(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { ...SCHOOL_OPTIONS, from: { type: 'string' }, rcpt: { type: 'string', multiple: true } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(`usage: ${USAGE}`);
  const tenants = await loadTenants(await schoolSourcesFromFlags(values));
  const result = await scanFile(file, tenants, { ...(values.from ? { mailFrom: values.from } : {}), ...(values.rcpt ? { rcptTo: values.rcpt } : {}) });
  write(explainVerdict(result.verdict, (finding) => `${finding.category} in ${describeLocation(finding.location)}: "${finding.match}"`));
  return 0;
}
