import type { ReturnedNotice } from '../store/returned-store.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { OVERRIDE_REASONS, RELEASE_REASONS } from '../policy/justifications.js';

const UK_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', dateStyle: 'full', timeStyle: 'short' });

export interface ReturnedPageData {
  readonly notice: ReturnedNotice;
  readonly receivedAt: Date;
  readonly expiresAt: Date;
  /** Every rule that returned it allows an override, and none was revoked for this sender. */
  readonly offersOverride: boolean;
  /** Rules the DPO took the override of from this sender. */
  readonly revoked: readonly string[];
  readonly encrypt: boolean;
  readonly csrf: string;
  readonly action: string;
  readonly error?: string;
}

/** What was found, the version to send instead, and, where every rule allows it, "send it as it is, because …". */
export function returnedPage(data: ReturnedPageData): string {
  const { notice } = data;
  const body = html`<p>Your message of ${UK_TIME.format(data.receivedAt)} was returned to you, not sent.</p>
<h2>Why</h2>
<ul>${notice.reasons.map((reason) => html`<li>${reason.reason}.<br><small>${reason.clause}</small></li>`)}</ul>
${notice.found.length > 0 ? html`<h2>What we noticed</h2><ul>${notice.found.map((line) => html`<li>${line}</li>`)}</ul>` : null}
${notice.moveToBcc.length > 0 ? html`<h2>Move these addresses to Bcc</h2><ul>${notice.moveToBcc.map((address) => html`<li>${address}</li>`)}</ul>` : null}
${
  notice.rewrite
    ? html`<h2>A version you could send instead</h2>
<p>Copy it into a new message in Outlook:</p>
<p><strong>Subject:</strong> ${notice.rewrite.subject}</p>
<pre class="body">${notice.rewrite.body.trim()}</pre>`
    : null
}
${notice.suggestSecure ? html`<p>If these details must stay in, send it securely instead: add [secure] to the subject and it will be encrypted on its way.</p>` : null}
${data.offersOverride ? overrideForm(data) : noOverride(data)}`;
  return page('Your message was not sent', body);
}

function overrideForm(data: ReturnedPageData): SafeHtml {
  return html`<h2 id="send-as-it-is">Send it as it is</h2>
<p>If it must go as you wrote it, say why. Your reason, your address and the time are recorded for the Data Protection Officer, who sees every message sent this way.${data.encrypt ? ' It goes encrypted, as the policy asks for its content.' : ''}</p>
${data.error ? html`<p class="error" role="alert" id="reason-error">${data.error}</p>` : null}
<form method="post" action="${data.action}">
<input type="hidden" name="_csrf" value="${data.csrf}">
${reasonChoices('Why it should go as it is', OVERRIDE_REASONS, data.error)}
<p><button type="submit">Send it as it is</button></p>
</form>
<p><small>This link works once, until ${UK_TIME.format(data.expiresAt)}.</small></p>`;
}

function noOverride(data: ReturnedPageData): SafeHtml {
  return data.revoked.length > 0
    ? html`<p class="notice">The Data Protection Officer has withdrawn your option to send past ${data.revoked.join(', ')}. Send the suggested version instead, or speak to them.</p>`
    : html`<p class="notice">The school's policy does not let a sender set this aside. Send the suggested version instead; if you think the check is wrong, tell your Data Protection Officer.</p>`;
}

export interface HeldPageData {
  readonly receivedAt: Date;
  readonly expiresAt: Date;
  readonly csrf: string;
  readonly action: string;
  readonly error?: string;
}

/** A held message's "ask for release, because …": the DPO still decides. */
export function heldPage(data: HeldPageData): string {
  const body = html`<p>Your message of ${UK_TIME.format(data.receivedAt)} is held for the Data Protection Officer's review. You do not need to send it again.</p>
<p>If it should go as it is, ask for its release and say why. The Data Protection Officer sees your request beside the message and still decides; you will hear once they have.</p>
${data.error ? html`<p class="error" role="alert" id="reason-error">${data.error}</p>` : null}
<form method="post" action="${data.action}">
<input type="hidden" name="_csrf" value="${data.csrf}">
${reasonChoices('Why it should be released', RELEASE_REASONS, data.error)}
<p><button type="submit">Ask for its release</button></p>
</form>
<p><small>This link works once, until ${UK_TIME.format(data.expiresAt)}.</small></p>`;
  return page('Your message is held for review', body);
}

/** The outcome, in a sentence the sender can act on. */
export function senderDonePage(title: string, sentence: string): string {
  return page(title, html`<p class="notice" role="status">${sentence}</p><p>You can close this page.</p>`);
}

function reasonChoices(legend: string, reasons: readonly { readonly value: string; readonly label: string }[], error: string | undefined): SafeHtml {
  return html`<fieldset${error ? html` aria-describedby="reason-error"` : null}>
<legend>${legend}</legend>
${reasons.map((reason) => html`<div class="choice"><input type="radio" id="reason-${reason.value}" name="reason" value="${reason.value}" required> <label for="reason-${reason.value}">${reason.label}</label></div>`)}
</fieldset>
<p><label for="details">In your own words (needed for another reason)</label><br>
<textarea id="details" name="details" rows="3" maxlength="500"></textarea></p>`;
}

/** The reason as recorded: the chosen line, and the sender's words when given; undefined when it is not enough. */
export function reasonFrom(reasons: readonly { readonly value: string; readonly label: string }[], choice: string, details: string): string | undefined {
  const chosen = reasons.find((reason) => reason.value === choice);
  if (!chosen) return undefined;
  if (chosen.value === 'other') return details === '' ? undefined : details;
  return details === '' ? chosen.label : `${chosen.label}: ${details}`;
}
