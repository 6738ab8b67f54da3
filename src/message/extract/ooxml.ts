import type { AttachmentFact } from '../message-view.js';
import { MACROS } from './extractor.js';
import type { ExtractContext } from './extractor.js';
import { isDirectory, openZip, readMember } from './zip-reader.js';

export interface OoxmlPackage {
  readonly facts: readonly AttachmentFact[];
  /** Parts whose names `keep` accepted, by name. */
  readonly parts: ReadonlyMap<string, Buffer>;
}

/** Where Office keeps a VBA project in .docm, .xlsm and .pptm packages (MS-OFFMACRO2). */
const MACRO_PART = /(^|\/)vbaProject\.bin$/i;

/**
 * Reads every part of an Office Open XML package once before a library sees it: the libraries
 * inflate without a size check, so the decompressed bytes are counted here first, and macros are
 * noted. Parts accepted by `keep` are returned.
 */
export async function openOoxml(
  bytes: Buffer,
  context: Pick<ExtractContext, 'signal' | 'budget'>,
  keep: (name: string) => boolean = () => false,
): Promise<OoxmlPackage> {
  const archive = await openZip(bytes);
  const facts: AttachmentFact[] = [];
  const parts = new Map<string, Buffer>();
  for await (const entry of archive.zip.eachEntry()) {
    if (isDirectory(entry)) {
      continue;
    }
    if (MACRO_PART.test(entry.fileName) && facts.length === 0) {
      facts.push(MACROS);
    }
    const wanted = keep(entry.fileName);
    const content = await readMember(archive, entry, context, wanted);
    if (wanted) {
      parts.set(entry.fileName, content);
    }
  }
  return { facts, parts };
}
