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
 * unwrapped and read as the message it is, its attachments as members; anything else (enveloped,
 * encrypted) cannot be read without the recipient's key and counts as protected.
 */
export const extractSmime: Extractor = async (file, context) => {
  const content = signedContent(file.bytes);
  if (content === undefined) {
    return textExtraction([], [ENCRYPTED]);
  }
  return extractMessage({ ...file, bytes: content }, context);
};

/** The encapsulated content of a CMS SignedData, or undefined when the bytes are not one. */
function signedContent(bytes: Buffer): Buffer | undefined {
  const { result, offset } = fromBER(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  if (offset < 0 || !(result instanceof Sequence)) return undefined;
  const [contentType, wrapped] = result.valueBlock.value;
  if (!(contentType instanceof ObjectIdentifier) || contentType.valueBlock.toString() !== SIGNED_DATA) return undefined;
  // ContentInfo [0] EXPLICIT SignedData; SignedData is version, digestAlgorithms, encapContentInfo, ...
  const signedData = explicit(wrapped);
  const encapsulated = signedData instanceof Sequence ? signedData.valueBlock.value[2] : undefined;
  const eContent = encapsulated instanceof Sequence ? explicit(encapsulated.valueBlock.value[1]) : undefined;
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
