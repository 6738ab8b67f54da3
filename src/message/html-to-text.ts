import { compile } from 'html-to-text';
import type { DomNode, FormatCallback } from 'html-to-text';
import { toReadableText } from './readable-text.js';

/**
 * Deepest element nesting handed to the converter. htmlparser2 is quadratic in nesting depth and
 * html-to-text walks the tree recursively, overflowing the stack at about 2000 levels; real mail
 * stays far below this (browsers flatten anything past 512).
 */
const MAX_NESTING_DEPTH = 1000;

/** A table cell keeps its words apart from the next cell's: `<td>Kwame</td><td>Mensah</td>`. */
const tableCell: FormatCallback = (element: DomNode, walk, builder) => {
  walk(element.children, builder);
  builder.addLiteral('\t');
};

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

/**
 * Words are split only where the markup splits them for a reader: inline tags join
 * (`Kwa<b>me</b>` → "Kwame"), block elements and `<br>` break lines. Link targets and image alt
 * text are left out: they are not what the reader sees, and would invent words.
 */
const convert = compile({
  wordwrap: false,
  // U+200B is removed rather than read as a space, see toReadableText.
  whitespaceCharacters: ' \t\r\n\f',
  formatters: { tableCell },
  limits: { maxInputLength: Number.MAX_SAFE_INTEGER, maxDepth: MAX_NESTING_DEPTH },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'table', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'td', format: 'tableCell' },
    { selector: 'th', format: 'tableCell' },
    ...HEADINGS.map((selector) => ({ selector, options: { uppercase: false } })),
  ],
});

/** Turns HTML into the text a reader sees; see `convert` for how words are kept whole. */
export function htmlToReadableText(html: string): string {
  const safe = nestsDeeperThan(html, MAX_NESTING_DEPTH) ? flattenMarkup(html) : html;
  return toReadableText(convert(safe)).trim();
}

/** A tag, read in linear time: `[^<>]*` never rescans past the next `<`. */
const TAG = /<(\/?)([a-zA-Z][\w:-]*)[^<>]*>/g;
/** Elements that hold no content, or that the HTML parser closes when a sibling opens. */
const NON_NESTING = new Set(('area base br col embed hr img input link meta param source track wbr ' + 'p li dt dd option optgroup tr td th thead tbody tfoot rt rp').split(' '));

/** Follows the open-element stack the HTML parser would build, closing down to a matching end tag. */
function nestsDeeperThan(html: string, maxDepth: number): boolean {
  const stack: string[] = [];
  const open = new Map<string, number>();
  for (const [, closing, rawName = ''] of html.matchAll(TAG)) {
    const name = rawName.toLowerCase();
    if (NON_NESTING.has(name)) {
      continue;
    }
    if (!closing) {
      stack.push(name);
      open.set(name, (open.get(name) ?? 0) + 1);
      if (stack.length > maxDepth) {
        return true;
      }
    } else if (open.get(name)) {
      let popped: string | undefined;
      do {
        popped = stack.pop();
        if (popped !== undefined) {
          open.set(popped, (open.get(popped) ?? 1) - 1);
        }
      } while (popped !== undefined && popped !== name);
    }
  }
  return false;
}

const LINE_BREAKING = new Set(
  ('address article aside blockquote br dd div dl dt footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre ' + 'section table td th tr ul').split(' '),
);

/** Hostile nesting: drop every tag, keeping a line break where a block element was. */
function flattenMarkup(html: string): string {
  return html.replace(TAG, (_tag, _closing: string, name: string) => (LINE_BREAKING.has(name.toLowerCase()) ? '<br>' : ''));
}
