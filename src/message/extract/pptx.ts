import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { openOoxml } from './ooxml.js';

/** Slides and speaker notes, numbered: `ppt/slides/slide12.xml`, `ppt/notesSlides/notesSlide3.xml`. */
const TEXT_PART = /^ppt\/(slides\/slide|notesSlides\/notesSlide)(\d+)\.xml$/;
/** DrawingML text runs `<a:t>` and paragraph ends `</a:p>` (ECMA-376 Part 1, 21.1.2). */
const RUN_OR_PARAGRAPH_END = /<a:t(?:\s[^<>]*)?>([^<]*)<\/a:t>|<\/a:p>/g;

/** PowerPoint presentations (.pptx, .pptm): the text of every slide, then every note, in slide order. */
export const extractPptx: Extractor = async (file, context) => {
  const { facts, parts } = await openOoxml(file.bytes, context, (name) => TEXT_PART.test(name));
  const ordered = [...parts.entries()].sort(([a], [b]) => partOrder(a) - partOrder(b));
  return textExtraction([ordered.map(([, xml]) => drawingText(xml.toString('utf8'))).join('\n')], facts);
};

/** Slides before notes, each by number. */
function partOrder(name: string): number {
  const [, kind = '', number = '0'] = TEXT_PART.exec(name) ?? [];
  return (kind.startsWith('notes') ? 1_000_000 : 0) + Number(number);
}

function drawingText(xml: string): string {
  let text = '';
  for (const [, run] of xml.matchAll(RUN_OR_PARAGRAPH_END)) {
    text += run === undefined ? '\n' : decodeXmlEntities(run);
  }
  return text;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (entity, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  });
}
