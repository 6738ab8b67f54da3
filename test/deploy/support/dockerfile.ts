/** One Dockerfile instruction with its continuation lines joined. */
export interface DockerInstruction {
  /** Upper case: FROM, COPY, EXPOSE … */
  readonly keyword: string;
  readonly argument: string;
  /** 1-based line where it starts, for failure messages. */
  readonly line: number;
}

/** Just enough of the Dockerfile grammar for the cross-checks: comments, backslash continuations. */
export function parseDockerfile(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && !pending)) return;
    const continues = line.endsWith('\\');
    const piece = continues ? line.slice(0, -1).trim() : line;
    pending = pending ? { text: `${pending.text} ${piece}`, line: pending.line } : { text: piece, line: index + 1 };
    if (continues) return;
    const [, keyword = '', argument = ''] = /^(\S+)\s*(.*)$/s.exec(pending.text) ?? [];
    instructions.push({ keyword: keyword.toUpperCase(), argument: argument.trim(), line: pending.line });
    pending = undefined;
  });
  return instructions;
}

/** The exec (JSON array) form of CMD, ENTRYPOINT, HEALTHCHECK … CMD; undefined for the shell form. */
export function execForm(argument: string): string[] | undefined {
  const json = argument.slice(argument.indexOf('['));
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The instructions of the last stage: what the image that runs is made of. */
export function finalStage(instructions: readonly DockerInstruction[]): DockerInstruction[] {
  const lastFrom = instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}
