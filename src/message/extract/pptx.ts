import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { openOoxml } from './ooxml.js';
import { decodeXmlEntities } from './xml-entities.js';

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
