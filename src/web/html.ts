import { escapeHtml } from '../escape.js';

/** Markup that is already safe: only `html` and `raw` make one, so every other value is escaped. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | readonly Interpolated[];

/**
 * The one way pages are written: a template literal whose values are escaped unless they are `SafeHtml`
 * (arrays are joined, `null`/`undefined`/`false` vanish). Values go in element content or quoted attributes only.
 */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolated[]): SafeHtml {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(text);
}

function render(value: Interpolated): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}
