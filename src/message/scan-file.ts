import { chooseReader } from './extract/choose-reader.js';
import type { Reader } from './extract/choose-reader.js';
import { LimitExceededError } from './extract/extractor.js';
import type { ExtractContext, Extraction, FileInput, MemberInput } from './extract/extractor.js';
import type { AttachmentFact, AttachmentView } from './message-view.js';
import { bytesInWords } from './limits.js';
import { OUT_OF_TIME } from './read-budget.js';
import type { ReadBudget } from './read-budget.js';
import { capText, toReadableText } from './readable-text.js';
import { programFacts, sniffType } from './sniff.js';
import { untilAborted } from './until-aborted.js';
import { readImageByOcr } from './ocr.js';
import { PausableDeadline } from './pausable-deadline.js';

/** One file read: its view, its texts, and the files found inside it. */
export interface ScannedFile {
  readonly view: AttachmentView;
  /** Its name as written: the file name, or its path inside its container. */
  readonly name: string;
  readonly texts: readonly string[];
  /** Texts read by OCR from its images or scanned pages. */
  readonly ocrTexts: readonly string[];
  readonly members: readonly ScannedFile[];
}

/** Where a file sits: at the top of the message (no parent), or inside a container. */
export interface ScanScope {
  readonly budget: ReadBudget;
  /** Containers this file is inside; a container at `maxArchiveDepth` is not opened. */
  readonly depth: number;
  /** The container's signal: the message's deadline, and a parent's where there is one. */
  readonly signal: AbortSignal;
  readonly parentPath: string | undefined;
}

/**
 * Reads one file: sniffs its type, notes programs, extracts its text under the per-file time
 * limit, and scans any files inside it. Never throws: whatever goes wrong becomes a fact, so no
 * attachment is ever skipped silently.
 */
export async function scanFile(member: MemberInput, scope: ScanScope): Promise<ScannedFile> {
  const path = scope.parentPath === undefined ? member.name : `${scope.parentPath}/${member.name}`;
  if (member.unread) {
    return unreadFile(member, path, member.declaredType, [member.unread.fact], member.unread.sizeBytes);
  }
  const sniffedType = await sniffType(member.bytes);
  const detectedType = sniffedType ?? member.declaredType;
  const reading = chooseReading(member, path, sniffedType, scope);
  if (reading.kind === 'facts') {
    return unreadFile(member, path, detectedType, reading.facts);
  }
  const file: FileInput = { path, bytes: member.bytes, charset: member.charset };
  const { extraction, members } = await extractWithin(reading.reader, file, scope);
  const maxChars = scope.budget.limits.maxAttachmentTextChars;
  const texts = capTexts(extraction.texts, maxChars);
  const ocrTexts = capTexts(extraction.ocrTexts ?? [], maxChars - texts.length);
  const cut: AttachmentFact[] =
    extraction.truncated || texts.truncated || ocrTexts.truncated ? [{ kind: 'unscannable', detail: `only the first ${maxChars} characters of its text were checked` }] : [];
  return {
    view: { ...viewOf(member, path, detectedType, [...extraction.facts, ...cut]), tableRows: extraction.tableRows },
    name: member.name,
    texts: texts.texts,
    ocrTexts: ocrTexts.texts,
    members,
  };
}

type Reading = { readonly kind: 'facts'; readonly facts: readonly AttachmentFact[] } | { readonly kind: 'extract'; readonly reader: Extractable };
type Extractable = Extract<Reader, { kind: 'extract' }>;

/** Programs are noted and not read; images and empty files have nothing to read; containers too deep are not opened. */
function chooseReading(member: MemberInput, path: string, sniffedType: string | undefined, scope: ScanScope): Reading {
  const programs = programFacts(path, member.bytes, member.declaredType, sniffedType);
  if (programs.length > 0) {
    return { kind: 'facts', facts: programs };
  }
  const reader = chooseReader({ name: member.name, bytes: member.bytes, declaredType: member.declaredType, sniffedType });
  if (reader.kind === 'not-read') {
    return { kind: 'facts', facts: reader.facts };
  }
  const maxDepth = scope.budget.limits.maxArchiveDepth;
  if (reader.container && scope.depth >= maxDepth) {
    const detail = `it is nested more than ${maxDepth} archives or messages deep and was not opened`;
    return { kind: 'facts', facts: [{ kind: 'unscannable', detail }] };
  }
  return { kind: 'extract', reader };
}

function unreadFile(member: MemberInput, path: string, detectedType: string, facts: readonly AttachmentFact[], sizeBytes = member.bytes.length): ScannedFile {
  return { view: { ...viewOf(member, path, detectedType, facts), sizeBytes }, name: member.name, texts: [], ocrTexts: [], members: [] };
}

function viewOf(member: MemberInput, path: string, detectedType: string, facts: readonly AttachmentFact[]): AttachmentView {
  return { name: path, declaredType: member.declaredType, detectedType, sizeBytes: member.bytes.length, facts, tableRows: [] };
}

/**
 * Runs the extractor under its time limit: a file's own `maxExtractMillis`, or for a container
 * the message's time, since its members have limits of their own. The file's clock stops while
 * one of its images is read by OCR, which has its own limit. On timeout the extractor is told to
 * stop and its result, should it still come, is ignored.
 */
async function extractWithin(reader: Extractable, file: FileInput, scope: ScanScope): Promise<{ extraction: Extraction; members: ScannedFile[] }> {
  const { budget } = scope;
  const deadline = reader.container ? undefined : new PausableDeadline(budget.limits.maxExtractMillis);
  const signal = deadline ? AbortSignal.any([scope.signal, deadline.signal]) : scope.signal;
  const members: ScannedFile[] = [];
  const context: ExtractContext = {
    signal,
    limits: budget.limits,
    budget,
    scanMember: async (inner) => {
      signal.throwIfAborted();
      if (!budget.takePart()) {
        throw new LimitExceededError('parts', `it holds more files than the limit of ${budget.limits.maxParts} parts`);
      }
      members.push(await scanFile(inner, { budget, depth: scope.depth + 1, signal, parentPath: file.path }));
    },
    readImage: async (image) => {
      signal.throwIfAborted();
      deadline?.pause();
      try {
        return await readImageByOcr(image, budget);
      } finally {
        deadline?.resume();
      }
    },
  };
  try {
    return { extraction: await untilAborted(reader.extract(file, context), signal), members: [...members] };
  } catch (error) {
    const facts = [failureFact(error, reader.label, signal, budget)];
    return { extraction: { texts: [], tableRows: [], facts, truncated: false }, members: [...members] };
  } finally {
    deadline?.dispose();
  }
}

/** Why the file could not be read, in words for the DPO; message-wide limits are also reported as problems. */
function failureFact(error: unknown, label: string, signal: AbortSignal, budget: ReadBudget): AttachmentFact {
  if (budget.signal.aborted) {
    budget.report(OUT_OF_TIME);
    return { kind: 'unscannable', detail: `the message's time ran out before this ${label} was read` };
  }
  if (signal.aborted) {
    return { kind: 'unscannable', detail: `reading this ${label} took longer than ${budget.limits.maxExtractMillis} ms` };
  }
  if (error instanceof LimitExceededError) {
    budget.report(
      error.code === 'parts'
        ? { kind: 'too-many-parts', detail: `the message holds more than ${budget.limits.maxParts} files; the rest were not read` }
        : { kind: 'too-large', detail: `archives in the message decompress to more than ${bytesInWords(budget.limits.maxDecompressedBytes)}` },
    );
    return { kind: 'unscannable', detail: `this ${label} was not fully read: ${error.message}` };
  }
  return { kind: 'unscannable', detail: `this ${label} could not be read; it may be damaged or not what its name says` };
}

/** Readable texts, empty ones dropped, together no longer than `maxChars`. */
function capTexts(texts: readonly string[], maxChars: number): { texts: string[]; length: number; truncated: boolean } {
  const kept: string[] = [];
  let room = maxChars;
  let truncated = false;
  for (const raw of texts) {
    const capped = capText(toReadableText(raw).trim(), room);
    truncated ||= capped.truncated;
    if (capped.text !== '') {
      kept.push(capped.text);
    }
    room -= capped.text.length;
  }
  return { texts: kept, length: maxChars - room, truncated };
}
