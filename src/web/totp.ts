import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/*
 * Time-based one-time passwords (RFC 6238) with otpauth: SHA-1, six digits, thirty seconds, the parameters every
 * authenticator app reads from a QR code (Google Authenticator ignores any others).
 */

const ISSUER = 'Hallmonitor';
const PERIOD_SECONDS = 30;
/** One step either side: a phone's clock a little off, or a code typed as it turned over (RFC 6238 §5.2). */
const DRIFT_STEPS = 1;

/** A new secret: 160 random bits, the HMAC-SHA-1 key length RFC 4226 §4 recommends; base32, as apps hold it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secret: string, login: string): TOTP {
  return new TOTP({ issuer: ISSUER, label: login, secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS });
}

/** The `otpauth://totp/…` URI an authenticator app takes from the QR code. */
export function totpUri(secret: string, login: string): string {
  return totpOf(secret, login).toString();
}

/**
 * The enrolment QR code as an SVG `data:` URI for an `<img>`: drawn here, so the page loads nothing from
 * elsewhere and needs no script (the CSP allows `img-src data:` and no script at all).
 */
export async function totpQrCode(secret: string, login: string): Promise<string> {
  const svg = await QRCode.toString(totpUri(secret, login), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/**
 * The time step of the code `code` at `now`, within the drift allowed, or undefined when it is not a current code.
 * Whether that step was used already is the store's to say (`UserDirectory.acceptTotpStep`).
 */
export function totpStepOf(secret: string, login: string, code: string, now: Date): number | undefined {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const totp = totpOf(secret, login);
  const delta = totp.validate({ token, timestamp: now.getTime(), window: DRIFT_STEPS });
  return delta === null ? undefined : totp.counter({ timestamp: now.getTime() }) + delta;
}
