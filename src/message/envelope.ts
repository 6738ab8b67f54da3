/** The SMTP envelope: who the message is really from and to, whatever the headers say. */
export interface Envelope {
  /** Lower-cased reverse path; empty for the null sender `<>`. */
  readonly mailFrom: string;
  /** Lower-cased forward paths. */
  readonly rcptTo: readonly string[];
}
