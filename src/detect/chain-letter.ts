import { z } from 'zod';
import type { MessageView, TextPiece } from '../message/message-view.js';
import type { Detector, DetectorDefinition } from './detector.js';
import type { Finding } from './finding.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';
import { defaultSeverity } from './categories.js';

/**
 * Chain messages, which the seed policies forbid forwarding (St Mary's Chiswick
 * AUP 4.2: "The forwarding of any chain messages/emails etc. is not permitted").
 * The cues are data: `rules/vocabulary/chain-letter.yaml`.
 */
const DETECTOR = 'chain-letter';

/** One strong cue, or two kinds of weak cue, make a chain message. */
const STRONG_WEIGHT = 2;
const WEAK_WEIGHT = 1;
const CHAIN_LETTER_SCORE = 2;

/** The vocabulary is not usable: a cue is not a regular expression or names a list that does not exist. */
export class ChainLetterVocabularyError extends HallmonitorError {
  readonly code = 'CHAIN_LETTER_VOCABULARY_INVALID';
  /** Fix the file or the options and start again. */
  readonly disposition = 'configuration';
  override readonly name = 'ChainLetterVocabularyError';
}

type Lists = Readonly<Record<string, readonly string[]>>;

const LIST_REFERENCE = /\{([a-z][a-z-]*)\}/g;

/** A cue as written in the vocabulary: `{list}` expanded, a space for any whitespace. */
function expandCue(cue: string, lists: Lists): string {
  return cue
    .replace(LIST_REFERENCE, (_reference, name: string) => {
      const list = lists[name];
      if (list === undefined) throw new ChainLetterVocabularyError(`"${cue}" uses {${name}}, which is not in lists`);
      return `(?:${list.join('|')})`;
    })
    .replace(/ /g, String.raw`\s+`);
}

/** A cue's pattern: whole words only. */
function compileCue(cue: string, lists: Lists): RegExp {
  const expanded = expandCue(cue, lists);
  try {
    return wholeWords(expanded);
  } catch (error) {
    throw new ChainLetterVocabularyError(`"${cue}" is not a regular expression: ${String(error)}`);
  }
}

function wholeWords(source: string): RegExp {
  return new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${source})(?![\p{L}\p{N}])`, 'iu');
}

/** A back-reference counts groups from the start of its own pattern, which joining the cues would shift. */
const BACK_REFERENCE = /\\(?:[1-9]|k<)/;

/**
 * One pattern that matches wherever any cue does, the word boundaries tried once for all: most
 * texts hold no cue at all, and this one pass over them costs less than half the cues' own passes
 * (docs/benchmarks.md). Undefined when the cues cannot be joined; each is then tried alone, as
 * when this finds one. Each cue must be a pattern on its own, so that no `)|(` in one can reach
 * into its neighbours.
 */
function anyCuePattern(expandedCues: readonly string[]): RegExp | undefined {
  if (expandedCues.length === 0 || expandedCues.some((cue) => BACK_REFERENCE.test(cue))) return undefined;
  try {
    // Each cue compiled alone first, so a bad one is named rather than the whole alternation.
    for (const cue of expandedCues) new RegExp(cue, 'iu');
    return wholeWords(expandedCues.map((cue) => `(?:${cue})`).join('|'));
  } catch {
    // The same group name in two cues, say: valid alone, not together.
    return undefined;
  }
}

/** `rules/vocabulary/chain-letter.yaml`. */
export const chainLetterVocabularySchema = z
  .object({
    /** Alternatives a cue can name as `{name}`. */
    lists: z.record(z.string().regex(/^[a-z][a-z-]*$/), z.array(z.string().min(1)).min(1)).default({}),
    /** Cues that alone make a chain message. */
    strong: z.array(z.string().min(1)).default([]),
    /** Kinds of sign of which two make a chain message. */
    weak: z.array(z.string().min(1)).default([]),
  })
  .superRefine((vocabulary, ctx) => {
    for (const strength of ['strong', 'weak'] as const) {
      vocabulary[strength].forEach((cue, index) => {
        try {
          compileCue(cue, vocabulary.lists);
        } catch (error) {
          if (!(error instanceof ChainLetterVocabularyError)) throw error;
          ctx.addIssue({ code: 'custom', path: [strength, index], message: error.message });
        }
      });
    }
  });
export type ChainLetterVocabulary = z.output<typeof chainLetterVocabularySchema>;

interface Cue {
  readonly pattern: RegExp;
  readonly weight: number;
}

interface CueHit {
  /** Index of the piece in the document. */
  readonly order: number;
  readonly piece: TextPiece;
  readonly start: number;
  readonly end: number;
  readonly weight: number;
}

/**
 * The texts scored on their own: the message as its reader sees it (subject and
 * body together), and each attachment's text (a forwarded chain letter is often
 * an attached .eml).
 */
function documents(view: MessageView): TextPiece[][] {
  const message: TextPiece[] = [];
  const attachments = new Map<string, TextPiece[]>();
  for (const piece of view.pieces) {
    if (piece.location.part === 'subject' || piece.location.part === 'body') message.push(piece);
    else if (piece.location.part === 'attachment') {
      const pieces = attachments.get(piece.location.name) ?? [];
      pieces.push(piece);
      attachments.set(piece.location.name, pieces);
    }
  }
  return [message, ...attachments.values()];
}

function firstHit(cue: Cue, pieces: readonly TextPiece[]): CueHit | undefined {
  for (const [order, piece] of pieces.entries()) {
    const found = cue.pattern.exec(piece.text);
    if (found !== null) return { order, piece, start: found.index, end: found.index + found[0].length, weight: cue.weight };
  }
  return undefined;
}

/** The hit to show: the strongest, then the first in the text. */
function strongestFirst(a: CueHit, b: CueHit): number {
  return b.weight - a.weight || a.order - b.order || a.start - b.start;
}

const EXPLANATION =
  "This looks like a chain message: it asks to be passed on, with the threats, promises or urgency chain messages use. The school's acceptable use policy does not allow forwarding chain messages.";

export function createChainLetterDetector(vocabulary: ChainLetterVocabulary): Detector {
  const cues: Cue[] = [
    ...vocabulary.strong.map((cue) => ({ pattern: compileCue(cue, vocabulary.lists), weight: STRONG_WEIGHT })),
    ...vocabulary.weak.map((cue) => ({ pattern: compileCue(cue, vocabulary.lists), weight: WEAK_WEIGHT })),
  ];

  const anyCue = anyCuePattern([...vocabulary.strong, ...vocabulary.weak].map((cue) => expandCue(cue, vocabulary.lists)));

  function chainLetterIn(pieces: readonly TextPiece[]): Finding | undefined {
    if (anyCue !== undefined && !pieces.some((piece) => anyCue.test(piece.text))) return undefined;
    const hits = cues.flatMap((cue) => firstHit(cue, pieces) ?? []).sort(strongestFirst);
    const score = hits.reduce((total, hit) => total + hit.weight, 0);
    const [shown] = hits;
    if (score < CHAIN_LETTER_SCORE || shown === undefined) return undefined;
    return {
      detector: DETECTOR,
      category: 'content/chain-letter',
      severity: defaultSeverity('content/chain-letter'),
      location: shown.piece.location,
      match: shown.piece.text.slice(shown.start, shown.end),
      span: { start: shown.start, end: shown.end },
      explanation: EXPLANATION,
      suggestion: 'Do not forward it. If it warns about a computer virus, tell the IT team instead.',
    };
  }

  return function detectChainLetter(view) {
    return documents(view).flatMap((pieces) => chainLetterIn(pieces) ?? []);
  };
}

export const chainLetterDetector: DetectorDefinition = {
  name: DETECTOR,
  categories: ['content/chain-letter'],
  build: async (vocabulary) => createChainLetterDetector(await vocabulary('chain-letter.yaml', chainLetterVocabularySchema)),
};
