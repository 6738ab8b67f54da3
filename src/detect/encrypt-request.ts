import type { Detector, DetectorDefinition } from './detector.js';
import type { Finding } from './finding.js';
import { defaultSeverity } from './categories.js';

/**
 * The sender asked for encryption (docs/architecture.md, `request/encrypt`): `[secure]`
 * or `[encrypt]` in the subject, any case. Spaces inside the brackets are allowed
 * (`[ Secure ]`): staff type the tag by hand, and honouring a request to encrypt
 * costs nothing when it was meant, while missing it sends personal data in clear.
 */
/** `[secure]` or `[encrypt]`, any case, spaces inside allowed; crypto/ removes the same tag from what is delivered. */
export const ENCRYPT_TAG = /\[\s*(?:secure|encrypt)\s*\]/giu;

export const detectEncryptRequest: Detector = (view) =>
  view.pieces
    .filter((piece) => piece.location.part === 'subject')
    .flatMap((piece) =>
      [...piece.text.matchAll(ENCRYPT_TAG)].map(
        (tag): Finding => ({
          detector: 'encrypt-request',
          category: 'request/encrypt',
          severity: defaultSeverity('request/encrypt'),
          location: piece.location,
          match: tag[0],
          span: { start: tag.index, end: tag.index + tag[0].length },
          explanation: `The sender asked for this message to be encrypted by writing ${tag[0]} in the subject.`,
        }),
      ),
    );

export const encryptRequestDetector: DetectorDefinition = {
  name: 'encrypt-request',
  categories: ['request/encrypt'],
  build: () => detectEncryptRequest,
};
