import { html, type SafeHtml } from './html.js';
import { can } from './roles.js';
import type { SignedInUser } from './web-context.js';

export interface PageContext {
  /** The signed-in person; omitted on the sign-in page. The bar shows their open alerts when counted. */
  readonly user?: SignedInUser;
  /** The session's form token, for the sign-out button. */
  readonly csrf?: string;
}

/** The whole document: a skip link, the bar with sign-out, one stylesheet, and no script. */
export function page(title: string, body: SafeHtml, context: PageContext = {}): string {
  const { user, csrf } = context;
  return html`<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — Hallmonitor</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="bar">
<span>Hallmonitor review</span>
${
  user
    ? html`<nav aria-label="Account">${navLinks(user)} · <span>${user.email} (${user.role}${user.schools === 'all' ? '' : `, ${user.schools.length > 0 ? user.schools.join(', ') : 'no schools'}`})</span>
<form method="post" action="/sign-out"><input type="hidden" name="_csrf" value="${csrf}"> <button class="link" type="submit">Sign out</button></form></nav>`
    : null
}
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.text;
}

/** Links to the pages this role may open, and only those: a link that answers 403 is a dead end. */
function navLinks(user: SignedInUser): SafeHtml {
  const links = [
    { href: '/quarantine', label: 'Quarantine', shown: can(user.role, 'list') },
    { href: '/dashboard', label: 'Dashboard', shown: can(user.role, 'dashboard') },
    { href: '/activity', label: 'Activity', shown: can(user.role, 'activity') },
    { href: '/tuning', label: 'Tuning', shown: can(user.role, 'tune') },
    { href: '/register', label: 'Register', shown: can(user.role, 'register') },
    { href: '/alerts', label: user.openAlerts ? `Alerts (${user.openAlerts} open)` : 'Alerts', shown: can(user.role, 'alerts') },
    { href: '/overrides', label: 'Overrides', shown: can(user.role, 'overrides') },
    { href: '/rules', label: 'Rules', shown: can(user.role, 'list') },
    { href: '/accounts', label: 'Accounts', shown: can(user.role, 'accounts') && user.schools === 'all' },
  ].filter((link) => link.shown);
  return html`${links.map((link, index) => html`${index > 0 ? ' · ' : null}<a href="${link.href}">${link.label}</a>`)}`;
}
