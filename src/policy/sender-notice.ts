import { categoryFacts } from '../detect/categories.js';
import type { Finding } from '../detect/finding.js';
import type { Envelope } from '../message/envelope.js';
import { isInternalAddress } from '../message/addresses.js';
import type { MessageView } from '../message/message-view.js';
import { rewriteText } from './rewrite.js';
import type { Action, Verdict } from './verdict.js';

/** What the sender is told, before it is rendered as an email. It never goes to anyone but the sender. */
export interface NoticeContent {
  readonly to: string;
  readonly action: Action;
  readonly headline: string;
  /** One line per deciding rule: the reason, then the clause it enforces. */
  readonly reasons: readonly { readonly reason: string; readonly clause: string }[];
  /** What was found and where, in plain words, with the fix for each. */
  readonly found: readonly string[];
  /** The sender's message rewritten without what the policy forbids; absent when nothing changes. */
  readonly rewrite: { readonly subject: string; readonly body: string } | undefined;
  /** External addresses to move to Bcc, when too many were visible to each other. */
  readonly moveToBcc: readonly string[];
  /** Whether adding [secure] to the subject would let the content be sent as it is. */
  readonly suggestSecure: boolean;
  /** The signed, one-time link to the sender's page for this message, when the gateway kept it (src/web/sender-routes.ts). */
  readonly link?: SenderLink;
}

export interface SenderLink {
  readonly url: string;
  readonly expiresAt: Date;
  /** Every rule that returned the message allows `override: justification`: the page offers "send it as it is". */
  readonly offersOverride: boolean;
}

/** Every rule that stopped the message (the verdict's deciding ones) lets the sender set it aside with a reason. */
export function senderMayOverride(verdict: Verdict): boolean {
  const deciding = verdict.rules.filter((rule) => rule.action === verdict.action);
  return deciding.length > 0 && deciding.every((rule) => rule.override === 'justification');
}

const HEADLINES: Record<Action, string> = {
  return: 'Your message was not sent',
  quarantine: 'Your message is being held for review by the Data Protection Officer',
  encrypt: 'Your message was sent encrypted',
  deliver: 'Your message was sent, with a note about school policy',
};

/**
 * The notice for the sender of a message, or undefined when there is nothing to tell them
 * (a clean delivery, or a null sender that could not receive it).
 */
export function buildSenderNotice(view: MessageView, envelope: Envelope, verdict: Verdict, schoolDomains: readonly string[]): NoticeContent | undefined {
  if (envelope.mailFrom === '') return undefined;
  const tellsSender = verdict.action === 'return' || verdict.notifications.some((notification) => notification.to === 'sender');
  if (!tellsSender || verdict.rules.length === 0) return undefined;
  const deciding = verdict.rules.filter((rule) => rule.action === verdict.action);
  const relevant = deciding.length > 0 ? deciding : verdict.rules;
  return {
    to: envelope.mailFrom,
    action: verdict.action,
    headline: HEADLINES[verdict.action],
    reasons: relevant.map((rule) => ({ reason: rule.reason, clause: rule.clause })),
    found: uniqueLines(verdict.findings.map(describeFinding)),
    rewrite: rewriteMessage(view, verdict.findings),
    moveToBcc: verdict.findings.some((finding) => categoryFacts(finding.category).noticeListsVisibleRecipients) ? visibleExternal(view, schoolDomains) : [],
    suggestSecure: verdict.action === 'return' && verdict.findings.some(isSendableSecurely) && !verdict.findings.some(isNeverSendable),
  };
}

function describeFinding(finding: Finding): string {
  return finding.suggestion ? `${finding.explanation} ${sentence(capitalise(finding.suggestion))}` : finding.explanation;
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function rewriteMessage(view: MessageView, findings: readonly Finding[]): NoticeContent['rewrite'] {
  const body = view.pieces.find((piece) => piece.location.part === 'body')?.text ?? '';
  const subject = rewriteText(view.subject, findings);
  const rewrittenBody = rewriteText(body, findings);
  return subject === view.subject && rewrittenBody === body ? undefined : { subject, body: rewrittenBody };
}

function visibleExternal(view: MessageView, schoolDomains: readonly string[]): string[] {
  return [...view.to, ...view.cc].map((address) => address.address).filter((address) => !isInternalAddress(address, schoolDomains));
}

/** Content the policy allows out when it is encrypted (the catalogue's `encryption: remedies`). */
function isSendableSecurely(finding: Finding): boolean {
  return categoryFacts(finding.category).encryption === 'remedies';
}

/**
 * Problems that encryption does not fix (`encryption: no-remedy`): mail to the wrong family is a breach
 * encrypted or not. A pupil's name in the subject too: the subject line travels unencrypted.
 */
function isNeverSendable(finding: Finding): boolean {
  return categoryFacts(finding.category).encryption === 'no-remedy' || (finding.category === 'pupil-name' && finding.location.part === 'subject');
}

function uniqueLines(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
