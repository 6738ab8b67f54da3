/** A systemd unit file: section → directive → every value it was given, in order. */
export type UnitFile = Map<string, Map<string, string[]>>;

/** systemd.syntax(7), as far as these units use it: sections, `Key=value`, comments, no continuations. */
export function parseUnitFile(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const equals = line.indexOf('=');
    if (!section || equals < 0) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, equals).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(equals + 1).trim()]);
  }
  return unit;
}

/** The last value of a directive (the one systemd uses for single-valued settings). */
export function directive(unit: UnitFile, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}
