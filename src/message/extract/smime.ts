import { Constructed, fromBER, ObjectIdentifier, OctetString, Sequence } from 'asn1js';
import type { BaseBlock } from 'asn1js';
import { extractMessage } from './eml.js';
import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';

/** CMS content types (RFC 5652 5.1, 6.1; RFC 5083). */
const SIGNED_DATA = '1.2.840.113549.1.7.2';

const ENCRYPTED = { kind: 'password-protected', detail: 'the content is encrypted with S/MIME' } as const;

/**
 * S/MIME in one part (`application/pkcs7-mime`, RFC 8551 3.5.2): opaque-signed content is
 * unwrapped and read as the message it is, its attachments as members; other CMS content
 * (enveloped, encrypted) cannot be read without the recipient's key and counts as protected.
 * Signed data with no content inside is a certificate bundle (`.p7c`, `smime-type=certs-only`,
 * RFC 8551 3.7) or a detached signature: nothing to read, like `smime.p7s`.
 * Bytes that are not CMS at all, or a signed message cut short, are damaged: never "protected".
 */
export const extractSmime: Extractor = async (file, context) => {
  const { result, offset } = fromBER(new Uint8Array(file.bytes.buffer, file.bytes.byteOffset, file.bytes.length));
  const [contentType, wrapped] = offset >= 0 && result instanceof Sequence ? result.valueBlock.value : [];
  if (!(contentType instanceof ObjectIdentifier)) {
    throw new Error('the S/MIME part is not CMS content');
  }
  if (contentType.valueBlock.toString() !== SIGNED_DATA) {
    return textExtraction([], [ENCRYPTED]);
  }
  const content = signedContent(wrapped);
  if (content === undefined) {
    throw new Error('the signed S/MIME content could not be found');
  }
  return content === NO_CONTENT ? textExtraction([], []) : extractMessage({ ...file, bytes: content }, context);
};

const NO_CONTENT = Symbol('no content');

/**
 * ContentInfo [0] EXPLICIT SignedData; SignedData is version, digestAlgorithms, encapContentInfo, ...
 * (RFC 5652 5.1); encapContentInfo is eContentType and an optional [0] EXPLICIT eContent (5.2).
 */
function signedContent(wrapped: BaseBlock | undefined): Buffer | typeof NO_CONTENT | undefined {
  const signedData = explicit(wrapped);
  const encapsulated = signedData instanceof Sequence ? signedData.valueBlock.value[2] : undefined;
  if (!(encapsulated instanceof Sequence) || !(encapsulated.valueBlock.value[0] instanceof ObjectIdentifier)) return undefined;
  if (encapsulated.valueBlock.value.length === 1) return NO_CONTENT;
  const eContent = explicit(encapsulated.valueBlock.value[1]);
  return eContent ? octets(eContent) : undefined;
}

function explicit(block: BaseBlock | undefined): BaseBlock | undefined {
  return block instanceof Constructed ? block.valueBlock.value[0] : undefined;
}

/** An OCTET STRING's bytes; BER lets a signer split it into a constructed string of pieces. */
function octets(block: BaseBlock): Buffer | undefined {
  if (!(block instanceof OctetString)) return undefined;
  if (!block.valueBlock.isConstructed) return Buffer.from(block.valueBlock.valueHexView);
  const pieces = block.valueBlock.value.map(octets);
  return pieces.every((piece) => piece !== undefined) ? Buffer.concat(pieces as Buffer[]) : undefined;
}
