import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import type { MailParser } from 'mailparser';
import { decodeText } from './extract/text.js';

/** Stands for "no usable charset declared" between the two hooks below; no real charset has this name. */
const UNDECLARED = 'x-hallmonitor-undeclared';

/** Declarations that say nothing about 8-bit bytes: none at all, or ASCII, which has none. */
const SAYS_NOTHING = new Set(['', 'ascii', 'usascii']);

/** mailparser's internals this relies on (mailparser 3.14: `createNode`, `decoder`), typed here once. */
interface ParserInternals {
  createNode(node: { charset?: unknown }): { charset?: string; contentType?: unknown };
  decoder: { decodeStream(charset: string): NodeJS.ReadWriteStream };
}

/**
 * Text bodies with no charset declared are decoded as mail clients do: as UTF-8 when the bytes are
 * valid UTF-8, else as Windows-1252, what Outlook on a UK PC writes. mailparser would read them as
 * UTF-8 whatever they hold, turning "Zoë" in Windows-1252 into "Zo�", a name no detector finds.
 * The body is held whole until its end, as mailparser holds it anyway.
 */
export function decodeUndeclaredCharsets(parser: MailParser): void {
  const internals = parser as unknown as ParserInternals;
  const createNode = internals.createNode.bind(parser);
  internals.createNode = (node) => {
    const created = createNode(node);
    // mailsplit gives `false` for a missing charset or type.
    const declared = typeof node.charset === 'string' ? node.charset.toLowerCase().replace(/[^a-z0-9]/g, '') : '';
    const multipart = typeof created.contentType === 'string' && /^multipart\//i.test(created.contentType);
    if (SAYS_NOTHING.has(declared) && !multipart) {
      created.charset = UNDECLARED;
    }
    return created;
  };
  const decoder = internals.decoder;
  internals.decoder = {
    decodeStream: (charset) => (charset === UNDECLARED ? new UndeclaredCharsetDecoder() : decoder.decodeStream(charset)),
  };
}

class UndeclaredCharsetDecoder extends Transform {
  private readonly chunks: Buffer[] = [];

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    const bytes = Buffer.concat(this.chunks);
    // Neither UTF-8 nor Windows-1252 makes more characters than bytes, so nothing is cut.
    done(null, Buffer.from(decodeText(bytes, undefined, bytes.length), 'utf8'));
  }
}
