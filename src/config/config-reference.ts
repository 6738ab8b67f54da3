import { z } from 'zod';
import { stringify } from 'yaml';
import { configSchema } from './config.js';
import { FIELD_VARIABLES } from './environment.js';

/** One setting of `hallmonitor.yaml`, as the documentation and `hallmonitor init` describe it. */
export interface SettingReference {
  /** Dotted path; `[]` marks a list's items, e.g. `schools[].alerts.dpo`. */
  readonly path: string;
  readonly depth: number;
  readonly type: string;
  readonly description: string;
  /** Absent when the setting has no default (it is optional, or required inside its list item). */
  readonly default?: unknown;
  readonly required: boolean;
  /** The environment variable that overrides it (secrets, the log level). */
  readonly environment?: string;
  /** Whether it holds further settings (an object or a list of objects). */
  readonly group: boolean;
}

interface JsonSchema {
  readonly type?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly additionalProperties?: JsonSchema | boolean;
}

/** Every setting, in the schema's order, from the descriptions the schemas carry. */
export function configReference(): SettingReference[] {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return settingsOf(schema, '', 0);
}

function settingsOf(schema: JsonSchema, prefix: string, depth: number): SettingReference[] {
  const settings: SettingReference[] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const children = field.type === 'array' && field.items?.properties ? field.items : field.type === 'object' && field.properties ? field : undefined;
    const environment = Object.entries(FIELD_VARIABLES).find(([, field]) => field === path)?.[0];
    settings.push({
      path,
      depth,
      type: typeOf(field),
      description: field.description ?? '',
      ...(field.default === undefined ? {} : { default: field.default }),
      required: schema.required?.includes(name) === true && field.default === undefined,
      ...(environment ? { environment } : {}),
      group: children !== undefined,
    });
    if (children) settings.push(...settingsOf(children, `${path}${field.type === 'array' ? '[]' : ''}.`, depth + 1));
  }
  return settings;
}

function typeOf(field: JsonSchema): string {
  if (field.enum) return field.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (field.type === 'array') return field.items?.properties ? 'list of objects' : `list of ${field.items?.type ?? 'values'}s`;
  if (field.type === 'object' && !field.properties) return 'map';
  return field.type ?? 'value';
}

/** `docs/configuration.md`. */
export function renderConfigurationDoc(settings: readonly SettingReference[]): string {
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from the configuration schema by `npm run docs:config`; edit the descriptions in src/config/, not this file. -->',
    '',
    '`hallmonitor serve --config hallmonitor.yaml` reads a YAML file with these settings; `hallmonitor init`',
    'writes one with every setting and its default. Command-line flags (docs/architecture.md, "hallmonitor serve") override the file, and',
    'the environment variables named below override it for secrets and the log level. Paths are relative to the file. A bad',
    'setting stops the gateway at start with the file, line and setting named.',
    '',
    '| setting | type | default | description |',
    '| --- | --- | --- | --- |',
  ];
  for (const setting of settings) {
    const shown = setting.default === undefined || setting.group ? (setting.required ? '*required*' : '') : `\`${JSON.stringify(setting.default)}\``;
    const environment = setting.environment ? ` Environment: \`${setting.environment}\`.` : '';
    lines.push(`| \`${setting.path}\` | ${escapeCell(setting.type)} | ${shown} | ${escapeCell(setting.description)}${environment} |`);
  }
  return `${lines.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * The file `hallmonitor init` writes: every setting with its description as a comment; those with a
 * default are set to it, the others are shown commented out, and one example school.
 */
export function renderInitFile(settings: readonly SettingReference[]): string {
  const lines = [
    '# Hallmonitor configuration, written by `hallmonitor init`. Every setting is shown with its default;',
    '# the full reference is docs/configuration.md. Secrets are better kept in the environment',
    '# (HALLMONITOR_DATABASE_URL, HALLMONITOR_QUARANTINE_KEY, HALLMONITOR_NEXT_HOP_PASSWORD).',
    '',
  ];
  /** Optional groups without a default (such as `tls`) are shown commented out, with all they hold. */
  const commentedGroups: string[] = [];
  for (const setting of settings.filter((each) => !each.path.includes('[]'))) {
    const indent = '  '.repeat(setting.depth);
    const name = setting.path.split('.').at(-1) ?? setting.path;
    const inCommentedGroup = commentedGroups.some((group) => setting.path.startsWith(`${group}.`));
    const off = inCommentedGroup || setting.default === undefined ? '# ' : '';
    lines.push(`${indent}# ${setting.description}${setting.environment ? ` Environment: ${setting.environment}.` : ''}`);
    if (setting.path === 'schools') lines.push(...EXAMPLE_SCHOOL);
    else if (setting.group && setting.type === 'list of objects' && setting.default !== undefined) lines.push(`${indent}${off}${yamlEntry(name, setting.default, indent)}`);
    else if (setting.group) {
      lines.push(`${indent}${off}${name}:`);
      if (off) commentedGroups.push(setting.path);
    } else if (setting.default === undefined || inCommentedGroup) lines.push(`${indent}# ${name}:`);
    else lines.push(`${indent}${yamlEntry(name, setting.default, indent)}`);
  }
  return `${lines.join('\n')}\n`;
}

function yamlEntry(name: string, value: unknown, indent: string): string {
  const text = stringify({ [name]: value }).trimEnd();
  return text.split('\n').join(`\n${indent}`);
}

const EXAMPLE_SCHOOL = [
  '# schools:',
  '#   - id: my-school',
  '#     name: My School',
  '#     domains: [myschool.sch.uk]',
  '#     roster: pupils.csv',
  '#     staff: staff.csv',
  '#     staffGroups: { dsl: [dsl@myschool.sch.uk] }',
  '#     phoneNumbers: ["020 7946 0000"]',
  '#     alerts:',
  '#       business-manager: [sbm@myschool.sch.uk]',
  '#       dpo: [dpo@myschool.sch.uk]',
  '#       dsl: [dsl@myschool.sch.uk]',
];
