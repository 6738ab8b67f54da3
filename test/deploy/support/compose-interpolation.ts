/**
 * Compose's variable interpolation (compose-spec "Interpolation"): `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, and `$$` for a literal dollar. A required variable
 * that is missing throws, as `docker compose` refuses to run.
 */
export function interpolate(text: string, environment: Readonly<Record<string, string>>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, colon?: string, operator?: string, operand?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = braced ?? bare ?? '';
      const value = environment[name];
      const missing = value === undefined || (colon === ':' && value === '');
      if (!missing) return value;
      if (operator === '?') throw new Error(`${name} is required: ${operand ?? ''}`);
      if (operator === '-') return operand ?? '';
      return '';
    },
  );
}

/** The variables a compose file cannot run without (`${VAR:?…}` or `${VAR?…}`). */
export function requiredVariables(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((match) => match[1]!));
}

/** `NAME=value` lines of a dotenv file; comments and blank lines skipped. */
export function parseEnvFile(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) variables.set(match[1]!, match[2]!.trim());
  }
  return variables;
}
