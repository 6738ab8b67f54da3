/** The lower-cased domain of `local@domain`; the last `@` counts, as a quoted local part may hold one. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** Each recipient domain once, sorted: all that audit entries, alerts and notices say about where a message went. */
export function recipientDomains(recipients: readonly string[]): string[] {
  return [...new Set(recipients.map(domainOf).filter((domain) => domain !== ''))].sort();
}

/** A recipient is internal when its domain is one of the school's domains or a subdomain of one. */
export function isInternalAddress(address: string, schoolDomains: readonly string[]): boolean {
  const domain = domainOf(address);
  return schoolDomains.some((school) => domain === school || domain.endsWith(`.${school}`));
}

export function splitRecipients(recipients: readonly string[], schoolDomains: readonly string[]): { internal: string[]; external: string[] } {
  const internal: string[] = [];
  const external: string[] = [];
  for (const recipient of recipients) (isInternalAddress(recipient, schoolDomains) ? internal : external).push(recipient);
  return { internal, external };
}
