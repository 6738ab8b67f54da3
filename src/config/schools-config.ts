import { z } from 'zod';
import { DEFAULT_OCR_WHEN, OCR_WHEN } from './school-sources.js';
import { cidrSchema, keylessFormByRecipientSchema, keylessFormSchema } from './gateway-config.js';

const domainSchema = z
  .string()
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a mail domain such as myschool.sch.uk')
  .transform((domain) => domain.toLowerCase());

const emailSchema = z.email().transform((address) => address.toLowerCase());

/** One school (tenant) on the gateway. Paths are relative to the configuration file. */
export const schoolConfigSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case words joined by hyphens')
    .describe('A short id for logs and the review app, e.g. st-marys.'),
  name: z.string().min(1).optional().describe("The school's name as it signs its mail; never reported as a person's name."),
  domains: z.array(domainSchema).min(1).describe("The school's own mail domains: its senders, and its internal recipients."),
  allow: z
    .array(cidrSchema)
    .min(1)
    .optional()
    .describe(
      "The networks this school's mail comes from, on a gateway that serves several schools: mail giving one of this school's domains as its sender from any other network (even one in the gateway's `allow`) gets 550 5.7.1. A login bound to the school's senders is not affected. Absent: any network in the gateway's `allow`.",
    ),
  microsoft365TenantIds: z
    .array(z.guid('expected the Directory (tenant) ID, a GUID').transform((id) => id.toLowerCase()))
    .default([])
    .describe(
      "The school's Microsoft 365 tenant IDs: its mail is relayed only when Exchange Online attributed it to one of them (X-MS-Exchange-CrossTenant-Id); another tenant's, or mail naming none, gets 550 5.7.1. Required when `allow` holds Exchange Online's ranges, which every tenant shares.",
    ),
  roster: z.string().min(1).optional().describe('The pupil export: a SIMS/Arbor CSV or a School Data Sync student file (docs/architecture.md, "The roster CSV").'),
  staff: z.string().min(1).optional().describe('The staff export, with the same name headers.'),
  rules: z.string().min(1).optional().describe("A folder of this school's rule files, which replace (same id), extend (new id) or disable the base rules."),
  staffGroups: z
    .record(z.string().regex(/^[a-z0-9-]+$/), z.array(emailSchema))
    .default({})
    .describe("Staff groups used by rules' `sender: { group }`, e.g. dsl: [dsl@myschool.sch.uk]."),
  phoneNumbers: z.array(z.string()).default([]).describe("The school's own telephone numbers, which are not personal data."),
  postcodes: z.array(z.string()).default([]).describe("The school's own postcodes, which are not personal data."),
  ocr: z
    .enum(OCR_WHEN)
    .default(DEFAULT_OCR_WHEN)
    .describe(
      'Which mail has the text in its images and scanned PDF pages read by OCR: external (mail with a recipient outside `domains`: a screenshot of a class list sent out is read), always, or never. OCR takes about a second an image on one core; mail with no image pays nothing. At most 10 images a message, 16 megapixels and 10 s an image: an image past a limit is left unread, a fact the rules read (`unread: ocr-limit`).',
    ),
  encryption: z
    .strictObject({
      keylessForm: keylessFormSchema
        .optional()
        .describe("This school's form for recipients without a usable OpenPGP key, pdf or html. Absent: the gateway's encryption.keylessForm."),
      keylessFormByRecipient: keylessFormByRecipientSchema
        .default({})
        .describe("This school's form for particular recipients, by address or domain: address or domain → pdf or html. It beats the gateway's list for the same recipient."),
    })
    .prefault({})
    .describe('How encrypted mail from this school reaches recipients without a key; PGP/MIME still goes to every recipient with one.'),
  alerts: z
    .strictObject({
      'business-manager': z.array(emailSchema).default([]).describe("The School Business Manager's addresses."),
      dpo: z.array(emailSchema).default([]).describe("The Data Protection Officer's addresses."),
      dsl: z.array(emailSchema).default([]).describe("The Designated Safeguarding Lead's addresses."),
    })
    .prefault({})
    .describe("Who receives alerts and digests for each role the rules notify (rules' notify)."),
});

export type SchoolConfig = z.output<typeof schoolConfigSchema>;
export type AlertRecipients = SchoolConfig['alerts'];
export type SchoolEncryption = SchoolConfig['encryption'];

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
