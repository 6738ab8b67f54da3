import { describe, expect, it } from 'vitest';
import { htmlToReadableText } from '../../src/message/html-to-text.js';

describe('htmlToReadableText', () => {
  it.each([
    ['separate inline elements keep the space between them', '<b>Kwame</b> <b>Mensah</b>', 'Kwame Mensah'],
    ['an inline tag inside a word does not split it', 'Kwa<b>me</b> Men<i>sah</i>', 'Kwame Mensah'],
    ['spans side by side join', '<span>Kwa</span><span>me</span>', 'Kwame'],
    ['&nbsp; is a normal space', 'Kwame&nbsp;Mensah', 'Kwame Mensah'],
    ['a soft hyphen and a zero-width space do not split a word', 'Kwa&shy;me Men&#8203;sah', 'Kwame Mensah'],
    ['<wbr> is not a space', 'Kwame<wbr>Mensah', 'KwameMensah'],
    ['link targets are left out, link text kept', '<a href="https://example.net/Invented-Person">the form</a>', 'the form'],
    ['image alt text is left out', 'Photo: <img src="x.png" alt="Invented Person">', 'Photo:'],
    ['scripts and styles are left out', '<style>p{color:red}</style><script>var who = "Invented Person"</script>Hello', 'Hello'],
    ['headings keep their case', '<h1>Kwame Mensah</h1>', 'Kwame Mensah'],
    ['entities are decoded', 'Zo&euml; &amp; J&#246;rg', 'Zoë & Jörg'],
  ])('%s', (_case, html, text) => {
    expect(htmlToReadableText(html)).toBe(text);
  });

  it('breaks lines at block elements and <br>, never inside one', () => {
    const text = htmlToReadableText('<div>Kwame Mensah</div><div>Year 6</div><p>First</p><p>Second</p>line<br>break');
    expect(text.split('\n').filter((line) => line !== '')).toEqual(['Kwame Mensah', 'Year 6', 'First', 'Second', 'line', 'break']);
  });

  it('keeps the words of neighbouring table cells apart, one row per line', () => {
    const text = htmlToReadableText('<table><tr><th>Forename</th><th>Surname</th></tr><tr><td>Kwame</td><td>Mensah</td></tr></table>');
    expect(text.split('\n').map((line) => line.trim().split(/\s+/))).toEqual([
      ['Forename', 'Surname'],
      ['Kwame', 'Mensah'],
    ]);
  });

  it('converts hostile nesting quickly and keeps its words', () => {
    const depth = 50_000;
    const html = `${'<span><div>'.repeat(depth)}Kwa<b>me</b> Mensah${'</div></span>'.repeat(depth)}`;
    const started = performance.now();
    const text = htmlToReadableText(html);
    expect(text).toBe('Kwame Mensah');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('reads unclosed tags without running away', () => {
    const html = '<a'.repeat(100_000) + ' Kwame Mensah';
    const started = performance.now();
    htmlToReadableText(html);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
