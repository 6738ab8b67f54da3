import { bytesInWords } from '../limits.js';
import type { AttachmentFact } from '../message-view.js';
import { MACROS } from './extractor.js';
import type { ExtractContext } from './extractor.js';
import { isDirectory, openZip, readMember } from './zip-reader.js';

export interface OoxmlPackage {
  readonly facts: readonly AttachmentFact[];
  /** Parts whose names `keep` accepted, by name. */
  readonly parts: ReadonlyMap<string, Buffer>;
  /** Every part's size, decompressed, added up. */
  readonly decompressedBytes: number;
}

/**
 * The largest package, decompressed, handed to mammoth or exceljs. Both build the whole document
 * in memory (exceljs reads about 5 MB of XML a second at ten times its size in memory) and cannot
 * be stopped once started, so a larger one would run on long after `maxExtractMillis` gave up.
 */
const MAX_LIBRARY_INPUT_BYTES = 20 * 1024 * 1024;

/** An unscannable fact when the package is too large to hand to a library, else undefined. */
export function tooLargeToLoad(ooxml: OoxmlPackage, label: string): AttachmentFact | undefined {
  if (ooxml.decompressedBytes <= MAX_LIBRARY_INPUT_BYTES) {
    return undefined;
  }
  return { kind: 'unscannable', detail: `the ${label} is too large to read (${bytesInWords(ooxml.decompressedBytes)} uncompressed)` };
}

/** Where Office keeps a VBA project in .docm, .xlsm and .pptm packages (MS-OFFMACRO2). */
const MACRO_PART = /(^|\/)vbaProject\.bin$/i;

/**
 * Reads every part of an Office Open XML package once before a library sees it: the libraries
 * inflate without a size check, so the decompressed bytes are counted here first, and macros are
 * noted. Parts accepted by `keep` are returned.
 */
export async function openOoxml(bytes: Buffer, context: Pick<ExtractContext, 'signal' | 'budget'>, keep: (name: string) => boolean = () => false): Promise<OoxmlPackage> {
  const archive = await openZip(bytes);
  const facts: AttachmentFact[] = [];
  const parts = new Map<string, Buffer>();
  let decompressedBytes = 0;
  for await (const entry of archive.zip.eachEntry()) {
    if (isDirectory(entry)) {
      continue;
    }
    if (MACRO_PART.test(entry.fileName) && facts.length === 0) {
      facts.push(MACROS);
    }
    const wanted = keep(entry.fileName);
    const content = await readMember(archive, entry, context, wanted);
    decompressedBytes += entry.uncompressedSize;
    if (wanted) {
      parts.set(entry.fileName, content);
    }
  }
  return { facts, parts, decompressedBytes };
}
