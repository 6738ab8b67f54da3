import { html, type SafeHtml } from './html.js';

/** What the pager's two links say: "Previous"/"Next", or "Newer"/"Older" for a list newest first. */
export interface PagerWords {
  readonly back: string;
  readonly on: string;
}

/**
 * "Page 2 of 5 · Previous · Next" under a paged list, or nothing when it fits on one page.
 * `hrefOf` gives a page's address, the list's filters kept.
 */
export function pager(page: number, total: number, pageSize: number, hrefOf: (page: number) => string, words: PagerWords): SafeHtml | null {
  const pages = Math.ceil(total / pageSize);
  if (pages <= 1) return null;
  return html`<nav aria-label="Pages"><p>Page ${page} of ${pages}
${page > 1 ? html` · <a href="${hrefOf(page - 1)}">${words.back}</a>` : null}
${page < pages ? html` · <a href="${hrefOf(page + 1)}">${words.on}</a>` : null}</p></nav>`;
}
