import type { AlertAction } from '../store/alert-inbox.js';
import type { AlertRole } from '../store/user-directory.js';

/** What happened to a message, as the people alerted read it. */
export const ACTION_TAKEN: Readonly<Record<AlertAction, string>> = {
  deliver: 'delivered as sent',
  encrypt: 'sent encrypted',
  return: 'returned to the sender with advice; not sent',
  quarantine: "held for the Data Protection Officer's review; not sent",
  override: 'returned, then sent as it was by its sender, who gave a reason',
};

export const ROLE_TITLES: Readonly<Record<AlertRole, string>> = {
  'business-manager': 'Business Manager',
  dpo: 'Data Protection Officer',
  dsl: 'Designated Safeguarding Lead',
};

/** Why an alert or notice never quotes the message: it could carry the very data it is about. */
export const NO_CONTENT_NOTE = 'This email holds no part of the message itself. Open the review app to see it.';
