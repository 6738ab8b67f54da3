import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { decodeWindows1252 } from './text.js';

/**
 * RTF documents (RTF 1.9.1): the text a word processor shows. Tables, pictures, fonts, styles and
 * document properties are skipped; `\'hh` bytes are decoded in the document's code page, and
 * `\uN` characters read with their fallback skipped.
 */
export const extractRtf: Extractor = async (file, context) => textExtraction([rtfText(file.bytes.toString('latin1'), context.limits.maxAttachmentTextChars)]);

/** Destinations that hold no text a reader sees. */
const SKIPPED_DESTINATIONS = new Set([
  'fonttbl',
  'colortbl',
  'stylesheet',
  'info',
  'pict',
  'object',
  'objdata',
  'themedata',
  'colorschememapping',
  'datastore',
  'latentstyles',
  'listtable',
  'listoverridetable',
  'rsidtbl',
  'generator',
  'xmlnstbl',
  'mmathPr',
  'filetbl',
  'revtbl',
  'fldinst',
  'bkmkstart',
  'bkmkend',
  'pgdsctbl',
  'userprops',
  'docvar',
]);

const WORD_TEXT: Readonly<Record<string, string>> = {
  par: '\n',
  line: '\n',
  sect: '\n',
  page: '\n',
  row: '\n',
  tab: '\t',
  cell: '\t',
  emdash: '—',
  endash: '–',
  lquote: '‘',
  rquote: '’',
  ldblquote: '“',
  rdblquote: '”',
  bullet: '•',
  emspace: ' ',
  enspace: ' ',
};

const TOKEN = /\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|[\r\n]+|([^\\{}\r\n]+)/g;

interface Group {
  readonly skipped: boolean;
  /** Characters to skip after `\uN` (`\ucN`, 1 by default). */
  readonly fallback: number;
}

/** Reads until the text passes `maxChars`; the caller cuts it there. */
export function rtfText(rtf: string, maxChars: number): string {
  const stack: Group[] = [];
  let group: Group = { skipped: false, fallback: 1 };
  let codePage = 1252;
  let toSkip = 0;
  let starred = false;
  let text = '';
  const tokens = new RegExp(TOKEN);
  for (let match = tokens.exec(rtf); match !== null && text.length <= maxChars; match = tokens.exec(rtf)) {
    const [, word, parameter, hex, symbol, brace, plain] = match;
    if (brace === '{') {
      stack.push(group);
      starred = false;
      continue;
    }
    if (brace === '}') {
      group = stack.pop() ?? group;
      toSkip = 0;
      continue;
    }
    if (word !== undefined) {
      const isDestination = SKIPPED_DESTINATIONS.has(word) || starred;
      starred = false;
      if (isDestination) {
        group = { ...group, skipped: true };
      } else if (word === 'ansicpg' && parameter) {
        codePage = Number(parameter);
      } else if (word === 'uc' && parameter) {
        group = { ...group, fallback: Number(parameter) };
      } else if (word === 'u' && parameter) {
        text += group.skipped ? '' : String.fromCharCode(Number(parameter) & 0xffff);
        toSkip = group.fallback;
      } else if (word === 'bin' && parameter) {
        // Binary data follows the word; it is never text.
        tokens.lastIndex += Number(parameter);
      } else if (!group.skipped) {
        text += WORD_TEXT[word] ?? '';
      }
      continue;
    }
    if (symbol === '*') {
      starred = true;
      continue;
    }
    const characters = hex !== undefined ? decodeByte(Number.parseInt(hex, 16), codePage) : ((symbol !== undefined ? symbolText(symbol) : plain) ?? '');
    if (toSkip > 0) {
      const skipped = Math.min(toSkip, characters.length);
      toSkip -= skipped;
      text += group.skipped ? '' : characters.slice(skipped);
    } else if (!group.skipped) {
      text += characters;
    }
  }
  return text;
}

function symbolText(symbol: string): string {
  return symbol === '~' ? ' ' : symbol === '_' ? '-' : symbol === '-' ? '' : symbol;
}

function decodeByte(byte: number, codePage: number): string {
  if (codePage === 1252) {
    return decodeWindows1252(Uint8Array.of(byte));
  }
  try {
    return new TextDecoder(`windows-${codePage}`).decode(Uint8Array.of(byte));
  } catch {
    return decodeWindows1252(Uint8Array.of(byte));
  }
}
