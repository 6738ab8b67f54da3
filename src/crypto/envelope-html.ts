import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { escapeHtml } from '../escape.js';

/**
 * openpgp's browser build, a classic script defining the global `openpgp`. The package's export map
 * hides it, so it is found beside the entry point Node resolves. Its source-map comment goes: the page
 * must not even name another file.
 */
function openpgpBrowserBuild(): string {
  const entry = createRequire(import.meta.url).resolve('openpgp');
  return readFileSync(join(dirname(entry), '..', 'openpgp.min.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

/** Read once per process: 400 KB that every envelope carries. */
let pageScripts: readonly string[] | undefined;

function scripts(): readonly string[] {
  pageScripts ??= [openpgpBrowserBuild(), readFileSync(join(PACKAGE_ROOT, 'src', 'crypto', 'envelope-page', 'page.js'), 'utf8')];
  return pageScripts;
}

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; padding: 2rem 1rem; background: Canvas; color: CanvasText; }
main { max-width: 46rem; margin: 0 auto; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
input { font: inherit; font-family: ui-monospace, monospace; padding: .5rem; width: min(100%, 24rem); letter-spacing: .05em; }
button { font: inherit; padding: .5rem 1.25rem; margin-top: .75rem; cursor: pointer; }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
h2:focus { outline: none; }
.error { color: #b00020; font-weight: 600; }
dl > div { display: contents; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-family: inherit; border-top: 1px solid GrayText; padding-top: 1rem; }
.note { color: GrayText; font-size: .9rem; }
[hidden] { display: none !important; }
`;

export interface EnvelopePageOptions {
  /** Who sent it, as the recipient knows them (the decoded `From:`); shown as text before the message is opened. */
  readonly sender: string;
}

/**
 * The self-contained HTML envelope: openpgp.js, the page script and the payload in one file, under a
 * CSP that allows only those two scripts (by hash), WebAssembly for Argon2, and no network at all.
 */
export function renderEnvelopePage(armoredPayload: Buffer, options: EnvelopePageOptions): Buffer {
  const [before, after] = envelopePageParts(options);
  return Buffer.concat([Buffer.from(before), armoredPayload, Buffer.from(after)]);
}

/**
 * The page around its payload: the markup before it and the scripts after it. The armored payload
 * (base64 and header lines only, so it cannot end the element it sits in) goes between; the email
 * encodes that large middle apart from the rest, without building the whole page twice.
 */
export function envelopePageParts(options: EnvelopePageOptions): [string, string] {
  const [library, page] = scripts() as [string, string];
  const csp = [
    "default-src 'none'",
    `script-src ${hashSource(library)} ${hashSource(page)} 'wasm-unsafe-eval'`,
    `style-src ${hashSource(STYLE)}`,
    "connect-src 'none'",
    "img-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  const before = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Secure message</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Secure message</h1>
<p>A protected message from <strong>${escapeHtml(options.sender)}</strong>. It opens here, on this device; nothing is sent anywhere.</p>
<form id="unlock" autocomplete="off">
<label for="passphrase">Passphrase (the sender gives it to you by phone or text message)</label>
<input id="passphrase" name="passphrase" type="password" autocomplete="off" autocapitalize="characters" spellcheck="false" aria-describedby="status" required>
<div><button id="open" type="submit">Open the message</button></div>
<p id="status" role="status" aria-live="polite"></p>
</form>
<section id="message" hidden aria-labelledby="message-heading">
<h2 id="message-heading" tabindex="-1">Message</h2>
<dl>
<div id="row-from"><dt>From</dt><dd id="field-from"></dd></div>
<div id="row-to"><dt>To</dt><dd id="field-to"></dd></div>
<div id="row-cc"><dt>Cc</dt><dd id="field-cc"></dd></div>
<div id="row-date"><dt>Date</dt><dd id="field-date"></dd></div>
<div id="row-subject"><dt>Subject</dt><dd id="field-subject"></dd></div>
</dl>
<pre id="body"></pre>
<div id="attachments-section" hidden>
<h2>Attachments</h2>
<ul id="attachments"></ul>
</div>
</section>
<noscript><p class="error">This message needs JavaScript to open. It can also be opened with OpenPGP software from the file secure-message.asc.</p></noscript>
<p class="note">Keep the passphrase to yourself. OpenPGP software (GnuPG, Sequoia, Thunderbird) opens this file, or the attached secure-message.asc, with the same passphrase.</p>
</main>
<script type="application/pgp-encrypted" id="payload">
`;
  const after = `</script>
<script>${library}</script>
<script>${page}</script>
</body>
</html>
`;
  return [before, after];
}

/** CSP Level 2 hash source: the digest of the element's exact text. */
function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}
