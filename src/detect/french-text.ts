/**
 * Whether the words around a place in a text are French. Some English slurs are everyday French
 * words ("en retard", "les retards": lateness), and schools send and receive French: exchange
 * letters, lesson materials, library software manuals. French is told by its function words
 * (articles, prepositions, pronouns), which English prose uses none of; a sentence of English with
 * one borrowed phrase ("a certain je ne sais quoi") does not reach the threshold.
 */
const FRENCH_FUNCTION_WORDS = new Set(
  (
    'le la les un une des du au aux et est sont dans pour avec sur par ce cette ces qui que ' +
    'ne pas il elle nous vous ils elles leur leurs son sa ses mon ma mes ou où été être avoir à'
  ).split(' '),
);

/** Characters either side of the place that are looked at. */
const REACH = 200;
/** Distinct French function words needed in that window, and their share of its words. */
const MIN_DISTINCT = 5;
const MIN_SHARE = 0.2;

const ENGLISH_FUNCTION_WORDS = new Set('the and of to is was were are be been he she him her his you they them it this that with an not but at from have has had'.split(' '));

/**
 * True when the text within `REACH` characters is French, and the line the place is on is not
 * more English than French: an English reply below a French message is still English.
 */
export function inFrenchText(text: string, start: number, end: number): boolean {
  const around = wordsOf(`${text.slice(Math.max(0, start - REACH), start)} ${text.slice(end, end + REACH)}`);
  const french = around.filter((word) => FRENCH_FUNCTION_WORDS.has(word));
  if (new Set(french).size < MIN_DISTINCT || french.length < around.length * MIN_SHARE) return false;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', end);
  const line = wordsOf(`${text.slice(lineStart, start)} ${text.slice(end, lineEnd < 0 ? text.length : lineEnd)}`);
  return line.filter((word) => ENGLISH_FUNCTION_WORDS.has(word)).length <= line.filter((word) => FRENCH_FUNCTION_WORDS.has(word)).length;
}

/** Lower-case words; "l’âge", "d'emprunteurs": an elided article is split from its noun. */
function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((word) => word !== '');
}
