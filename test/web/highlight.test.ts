import { describe, expect, it } from 'vitest';
import { highlightFindings } from '../../src/web/highlight.js';
import { html } from '../../src/web/html.js';

describe('html', () => {
  it('escapes every value that is not already SafeHtml, and drops null, undefined and false', () => {
    const value = `<img src=x onerror="alert('x')">&`;
    expect(html`<p title="${value}">${value}${html`<b>${'<i>'}</b>`}${[1, '<', null]}${undefined}${false}</p>`.text).toBe(
      '<p title="&#60;img src=x onerror=&#34;alert(&#39;x&#39;)&#34;&#62;&#38;">&#60;img src=x onerror=&#34;alert(&#39;x&#39;)&#34;&#62;&#38;<b>&#60;i&#62;</b>1&#60;</p>',
    );
  });
});

describe('highlightFindings', () => {
  it('marks spans that land on their match, finds matches whose span does not, merges overlaps and escapes the rest', () => {
    const text = 'Dear <Ada Quill>, Ada Quill has asthma.';
    const marked = highlightFindings(text, [
      { category: 'pupil-name', match: 'Ada Quill', span: { start: 6, end: 15 } },
      { category: 'person-name', match: 'Quill has', span: { start: 0, end: 3 } },
      { category: 'sensitive/health', match: 'ASTHMA' },
      { category: 'pupil-name', match: '' },
    ]);
    expect(marked.text).toBe(
      'Dear &#60;<mark title="pupil-name">Ada Quill</mark>&#62;, Ada <mark title="person-name">Quill has</mark> <mark title="sensitive/health">asthma</mark>.',
    );
  });

  it('leaves text without findings as escaped text', () => {
    expect(highlightFindings('a < b', []).text).toBe('a &#60; b');
  });
});
