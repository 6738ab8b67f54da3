const CR = 0x0d;
const LF = 0x0a;

/**
 * Watches message data, chunk by chunk, for a CR or LF that is not part of a CRLF pair.
 *
 * RFC 5321 section 2.3.8 forbids bare CR and LF in SMTP data, and they are how SMTP smuggling
 * works: `<LF>.<CR><LF>` or `<LF>.<LF>` ends the message for some next hops but not for us, so
 * the rest would be read there as new commands. Like Postfix 3.9 (`smtpd_forbid_bare_newline`),
 * the gateway refuses such a message outright instead of forwarding or repairing it.
 */
export interface LineEndingCheck {
  /** False once a bare CR or LF has been seen, in this chunk or before. */
  inspect(chunk: Buffer): boolean;
  /** False if the data was unclean or ended on a lone CR. */
  finish(): boolean;
}

export function createLineEndingCheck(): LineEndingCheck {
  let clean = true;
  let endsWithCr = false;
  return {
    inspect(chunk) {
      if (!clean || chunk.length === 0) return clean;
      clean = everyLfFollowsCr(chunk, endsWithCr) && everyCrPrecedesLf(chunk);
      endsWithCr = chunk[chunk.length - 1] === CR;
      return clean;
    },
    finish() {
      return clean && !endsWithCr;
    },
  };
}

function everyLfFollowsCr(chunk: Buffer, previousChunkEndedWithCr: boolean): boolean {
  if (previousChunkEndedWithCr && chunk[0] !== LF) return false;
  for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
    const afterCr = lf === 0 ? previousChunkEndedWithCr : chunk[lf - 1] === CR;
    if (!afterCr) return false;
  }
  return true;
}

// A CR in the last byte is judged with the next chunk (or by finish()).
function everyCrPrecedesLf(chunk: Buffer): boolean {
  for (let cr = chunk.indexOf(CR); cr !== -1 && cr < chunk.length - 1; cr = chunk.indexOf(CR, cr + 1)) {
    if (chunk[cr + 1] !== LF) return false;
  }
  return true;
}
