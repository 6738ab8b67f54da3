import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** A configuration, rule or vocabulary file that cannot be used: the file, the line and the field. */
export class InvalidFileError extends HallmonitorError {
  readonly disposition = 'configuration';

  constructor(
    readonly code: 'rules-invalid' | 'config-invalid',
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string | undefined,
    problem: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}${field ? ` ${field}` : ''}: ${problem}`);
    this.name = 'InvalidFileError';
  }
}

/** A rule or vocabulary file that cannot be used; the gateway refuses to start on it rather than run half a policy. */
export class RulesError extends InvalidFileError {
  constructor(file: string, line: number | undefined, field: string | undefined, problem: string) {
    super('rules-invalid', file, line, field, problem);
    this.name = 'RulesError';
  }
}

/** A configuration file that cannot be used; nothing starts on it. */
export class ConfigError extends InvalidFileError {
  constructor(file: string, line: number | undefined, field: string | undefined, problem: string) {
    super('config-invalid', file, line, field, problem);
    this.name = 'ConfigError';
  }
}

type FileErrorClass = new (file: string, line: number | undefined, field: string | undefined, problem: string) => InvalidFileError;

/** Parses YAML and validates it with `schema`; an error names the file, the line and the field. */
export function parseYamlFile<Schema extends z.ZodType>(schema: Schema, text: string, fileLabel: string, FileError: FileErrorClass = RulesError): z.output<Schema> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new FileError(fileLabel, line, undefined, yamlError.message.split('\n')[0] ?? 'invalid YAML');
  }
  const parsed = schema.safeParse(document.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const issue = mostSpecificIssue(parsed.error.issues, []);
  const offset = offsetOf(document, issue.path);
  throw new FileError(fileLabel, offset === undefined ? undefined : lineCounter.linePos(offset).line, fieldName(issue.path), issue.message);
}

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code: string;
  readonly errors?: readonly (readonly Issue[])[];
}

/**
 * A union (our condition types) reports "no alternative matched"; the useful message is the one
 * from the alternative that got furthest, i.e. whose issue has the longest path.
 */
function mostSpecificIssue(issues: readonly Issue[], prefix: readonly PropertyKey[]): Issue {
  const flattened = issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    const alternatives = issue.code === 'invalid_union' ? (issue.errors ?? []).filter((errors) => errors.length > 0) : [];
    return alternatives.length > 0 ? mostSpecificIssue(alternatives.flat(), path) : { ...issue, path };
  });
  return flattened.reduce((best, issue) => (issue.path.length > best.path.length ? issue : best));
}

/** The source offset of the node at `path`, or of its nearest ancestor that exists (a missing field). */
function offsetOf(document: Document, path: readonly PropertyKey[]): number | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const node = document.getIn(path.slice(0, length) as (string | number)[], true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('')
    .replace(/^\./, '');
}
