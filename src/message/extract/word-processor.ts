import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';

/**
 * Older word-processor files no library here reads: WordPerfect (4.2 has no signature; 5.x and
 * later start with `\xFFWPC` and the offset of their document area) and others saved under a
 * `.doc` name. Their text is stored as plain ASCII between formatting codes, so it is read
 * conservatively as the runs of printable text. A file without a signature counts as a document
 * only when such runs make up most of it, as they do in a letter; otherwise, or when no text is
 * found, it stays unscannable rather than be guessed at. WordPerfect ends a wrapped line with a
 * soft return (0x0D) and a paragraph with a hard one (0x0A): the first is a space.
 */
export const extractWordProcessorFile: Extractor = async (file, context) => {
  const signed = hasWordPerfectSignature(file.bytes);
  const area = signed ? file.bytes.subarray(Math.min(file.bytes.length, file.bytes.readUInt32LE(4))) : file.bytes;
  const runs = printableRuns(area);
  const covered = runs.reduce((sum, run) => sum + run.length, 0);
  if (runs.length === 0 || (!signed && covered < area.length * MIN_TEXT_SHARE)) {
    return textExtraction([], [{ kind: 'unscannable', detail: 'an older word-processor file whose text could not be read' }]);
  }
  return textExtraction([
    runs
      .join('\n')
      .replace(/\r/g, ' ')
      .slice(0, context.limits.maxAttachmentTextChars + 1),
  ]);
};

/** Extensions of WordPerfect and of the word-processor files that were saved as `.doc`. */
export const WORD_PROCESSOR_EXTENSIONS = new Set(['doc', 'wpd', 'wp', 'wp4', 'wp5', 'wp6', 'wpt']);

const WORDPERFECT_SIGNATURE = Buffer.from([0xff, 0x57, 0x50, 0x43]);

/** WordPerfect 5.x and later (`\xFFWPC`, then the document area's offset). */
export function hasWordPerfectSignature(bytes: Buffer): boolean {
  return bytes.length >= 16 && bytes.subarray(0, 4).equals(WORDPERFECT_SIGNATURE);
}

/** Half the bytes of an unsigned file must be text runs: a letter is, random or compressed data is not. */
const MIN_TEXT_SHARE = 0.5;

/**
 * Runs of printable ASCII with tabs and line ends, at least four characters long and holding a
 * letter. Shorter runs between formatting codes are nearly always parts of those codes.
 */
function printableRuns(bytes: Buffer): string[] {
  return (bytes.toString('latin1').match(/[\t\n\r\x20-\x7e]{4,}/g) ?? [])
    .filter((run) => /[A-Za-z]{2}/.test(run))
    .map((run) => run.trim())
    .filter((run) => run.length > 0);
}
