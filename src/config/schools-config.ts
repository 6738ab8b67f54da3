import { z } from 'zod';

const domainSchema = z
  .string()
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a mail domain such as myschool.sch.uk')
  .transform((domain) => domain.toLowerCase());

const emailSchema = z.email().transform((address) => address.toLowerCase());

/** One school (tenant) on the gateway. Paths are relative to the configuration file. */
export const schoolConfigSchema = z.strictObject({
  /** A short id for logs and the review app, e.g. `st-marys`. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case words joined by hyphens'),
  /** The school's name as it signs its mail; never reported as a person's name. */
  name: z.string().min(1).optional(),
  /** The school's own mail domains: its senders, and its internal recipients. */
  domains: z.array(domainSchema).min(1),
  /** Pupil export (CONTRACTS.md §2). */
  roster: z.string().min(1).optional(),
  /** Staff export, same name headers. */
  staff: z.string().min(1).optional(),
  /** A folder of rule files that replace (same id), extend (new id) or `disable` the base rules. */
  rules: z.string().min(1).optional(),
  /** Staff groups used by rules' `sender: { group }`, e.g. `dsl: [dsl@myschool.sch.uk]`. */
  staffGroups: z.record(z.string().regex(/^[a-z0-9-]+$/), z.array(emailSchema)).default({}),
  /** The school's own telephone numbers and postcodes, which are not personal data. */
  phoneNumbers: z.array(z.string()).default([]),
  postcodes: z.array(z.string()).default([]),
  /** Who receives alerts and digests for each role the rules notify (rules' `notify`). */
  alerts: z
    .strictObject({
      'business-manager': z.array(emailSchema).default([]),
      dpo: z.array(emailSchema).default([]),
      dsl: z.array(emailSchema).default([]),
    })
    .prefault({}),
});

export type SchoolConfig = z.output<typeof schoolConfigSchema>;
export type AlertRecipients = SchoolConfig['alerts'];

export const schoolsSchema = z
  .array(schoolConfigSchema)
  .min(1)
  .superRefine((schools, context) => {
    const owners = new Map<string, string>();
    schools.forEach((school, index) => {
      for (const domain of school.domains) {
        const owner = owners.get(domain);
        if (owner) context.addIssue({ code: 'custom', path: [index, 'domains'], message: `${domain} already belongs to ${owner}` });
        owners.set(domain, school.id);
      }
    });
  });
