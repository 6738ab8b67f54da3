import type { ParsedMail } from 'mailparser';
import type { Finding } from '../detect/finding.js';
import { termOf, type MarkedFinding } from '../store/false-positives.js';
import type { QuarantinedMessage } from '../store/quarantine-store.js';
import type { User } from '../store/user-directory.js';
import { highlightFindings } from './highlight.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { can } from './roles.js';

/**
 * Inside the frame as well as on it: nothing loads but inline styles and data: images. The frame's `sandbox`
 * (no allow-scripts, no allow-same-origin, no allow-forms, no allow-top-navigation) stops scripts, forms and
 * navigation of the page; the app's own `frame-src 'none'` stops the frame from being navigated elsewhere
 * (a `<meta http-equiv=refresh>`, a clicked link).
 */
export const HTML_BODY_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export interface MessagePageData {
  readonly user: User;
  readonly csrf: string;
  readonly message: QuarantinedMessage;
  readonly parsed: ParsedMail;
  readonly notice?: string;
  /** The sender's own request for release from their notice, with their reason. */
  readonly senderRequest?: { readonly requestedAt: Date; readonly reason: string } | undefined;
  /** Findings of this message reviewers marked as false positives. */
  readonly falsePositives?: readonly MarkedFinding[];
}

export function messagePage(data: MessagePageData): string {
  const { user, csrf, message, parsed } = data;
  const inPart = (part: string) => message.findings.filter((finding) => finding.location.part === part);
  const text = parsed.text ?? '';
  const body = html`${data.notice ? html`<p class="notice" role="status">${data.notice}</p>` : null}
${data.senderRequest ? html`<p class="notice"><strong>The sender asks for release</strong> (${data.senderRequest.requestedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC): ${data.senderRequest.reason}</p>` : null}
<p><a href="/quarantine">Back to the list</a></p>
<h2>Envelope</h2>
<dl class="envelope">
<dt>Received (UTC)</dt><dd>${message.receivedAt.toISOString().replace('T', ' ').slice(0, 19)}</dd>
<dt>School</dt><dd>${message.schoolId}</dd>
<dt>Sender</dt><dd>${message.from}</dd>
<dt>Recipients</dt><dd>${message.rcpt.join(', ')}</dd>
<dt>Subject</dt><dd>${highlightFindings(message.subject, inPart('subject'))}</dd>
<dt>Status</dt><dd>${message.status}${message.decidedBy ? ` by ${message.decidedBy}` : ''}</dd>
<dt>Rules</dt><dd>${message.ruleIds.join(', ')}</dd>
</dl>
${can(user.role, 'decide') && message.status === 'held' ? actionForms(message.id, csrf, can(user.role, 'delete')) : null}
<h2>Findings</h2>
${findingsList(message.findings, can(user.role, 'tune') ? { id: message.id, csrf } : undefined, data.falsePositives ?? [])}
<h2>Text</h2>
${text ? html`<pre class="body">${highlightFindings(text, inPart('body'))}</pre>` : html`<p>The message has no text part.</p>`}
${typeof parsed.html === 'string' && parsed.html !== '' ? htmlBody(parsed.html) : null}
<h2>Attachments</h2>
${attachmentsList(message.id, parsed, can(user.role, 'download'))}`;
  return page('Held message', body, { user, csrf });
}

/** The findings; with `marking` (the roles that tune), each with a form to mark it a false positive. */
function findingsList(findings: readonly Finding[], marking: { readonly id: string; readonly csrf: string } | undefined, marked: readonly MarkedFinding[]): SafeHtml {
  if (findings.length === 0) return html`<p>None recorded.</p>`;
  const isMarked = (finding: Finding) => marked.some((mark) => mark.category === finding.category && (mark.term ?? '') === (termOf(finding) ?? ''));
  return html`<div class="table-wrap" role="region" aria-label="Findings" tabindex="0"><table>
<thead><tr><th scope="col">Category</th><th scope="col">Severity</th><th scope="col">Where</th><th scope="col">Found</th><th scope="col" class="optional">Why</th>${marking ? html`<th scope="col">False positive</th>` : null}</tr></thead>
<tbody>${findings.map(
    (finding, index) =>
      html`<tr><td>${finding.category}${isMarked(finding) ? html` <strong class="flag">false positive</strong>` : null}</td><td>${finding.severity}</td><td>${'name' in finding.location ? `${finding.location.part}: ${finding.location.name}` : finding.location.part}</td><td><mark>${finding.match}</mark></td><td class="optional">${finding.explanation}</td>${
        marking ? html`<td>${isMarked(finding) ? 'Marked' : markForm(marking, index, finding)}</td>` : null
      }</tr>`,
  )}</tbody></table></div>`;
}

function markForm(marking: { readonly id: string; readonly csrf: string }, index: number, finding: Finding): SafeHtml {
  const id = `fp-${index}`;
  return html`<details><summary>Mark<span class="skip"> the ${finding.category} finding as a false positive</span></summary>
<form method="post" action="/quarantine/${encodeURIComponent(marking.id)}/false-positive">
<input type="hidden" name="_csrf" value="${marking.csrf}"><input type="hidden" name="finding" value="${String(index)}">
<p><label for="${id}-reason">Why it is wrong</label><br><input id="${id}-reason" name="reason" type="text" required maxlength="500"></p>
<p><button type="submit" class="secondary">Mark as false positive</button></p>
</form></details>`;
}

/** The HTML body, inert: a sandboxed frame with its own CSP, in `srcdoc` so it is never fetched from anywhere. */
function htmlBody(markup: string): SafeHtml {
  const document = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${HTML_BODY_CSP}"><meta name="referrer" content="no-referrer"></head><body>${markup}</body></html>`;
  return html`<h2>HTML body (shown inert: no scripts, no remote content)</h2>
<iframe class="html-body" title="The message's HTML body, inert" sandbox="" referrerpolicy="no-referrer" srcdoc="${document}"></iframe>`;
}

function attachmentsList(id: string, parsed: ParsedMail, downloads: boolean): SafeHtml {
  if (parsed.attachments.length === 0) return html`<p>None.</p>`;
  return html`<ul>${parsed.attachments.map(
    (attachment, index) =>
      html`<li>${attachment.filename ?? '(no name)'} — ${attachment.contentType}, ${attachment.size} bytes${
        downloads ? html` · <a href="/quarantine/${encodeURIComponent(id)}/attachments/${index}" download>Download</a>` : null
      }</li>`,
  )}</ul>`;
}

function actionForms(id: string, csrf: string, deletes: boolean): SafeHtml {
  const form = (action: string, label: string, hint: string, style: string) => html`<form method="post" action="/quarantine/${encodeURIComponent(id)}/${action}">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="reason-${action}">Reason to ${label.toLowerCase()} (recorded in the audit log)</label>
<p id="hint-${action}">${hint}</p>
<textarea id="reason-${action}" name="reason" rows="2" required maxlength="500" aria-describedby="hint-${action}"></textarea>
<p><button type="submit" class="${style}">${label}</button></p>
</form>`;
  return html`<h2>Decide</h2>
<div class="actions">
${form('release', 'Release', 'Deliver it to its recipients as it is.', '')}
${form('release-encrypted', 'Release encrypted', 'Deliver it encrypted: each recipient’s key, or a password envelope whose passphrase goes to the sender.', 'secondary')}
${form('reject', 'Return to sender', 'It will never be sent; the sender is told, with this reason as your note.', 'danger')}
${deletes ? form('delete', 'Delete', 'Destroys the message now: it will never be sent and the sender is not told (for a message someone is already dealing with). Only the audit entry and the metadata stay.', 'danger') : null}
</div>`;
}
