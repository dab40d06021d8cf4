import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/**
 * Time-based one-time passwords, RFC 6238 (TOTP over RFC 4226 HOTP), through otplib: the parameters every
 * authenticator app reads (HMAC-SHA1, 6 digits, 30-second steps) and a 160-bit secret (RFC 4226 §4 asks for at
 * least 128). The clock is the service's (injected), never the machine's directly.
 */
export const TOTP_PERIOD_SECONDS = 30;
/**
 * A code is accepted from the step before or after the current one: RFC 6238 §5.2 recommends allowing at most one
 * step of delay. A code is refused for a step at or before the last one accepted (§5.2: "the verifier MUST NOT
 * accept the second attempt of the OTP after the successful validation has been issued for the first OTP").
 */
const TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

/** A new random secret, base32 as authenticator apps expect (RFC 4648). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI (Google Authenticator's Key Uri Format) an app reads from the QR code. */
export function totpUri(secret: string, issuer: string, account: string): string {
  return generateURI({ issuer, label: account, secret, period: TOTP_PERIOD_SECONDS, digits: 6, algorithm: 'sha1' });
}

/** The QR code of a URI as an SVG image (a `data:image/svg+xml;base64,…` URI), made on the server so the page needs no script. */
export async function qrCodeImage(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  // A data: URI for an <img> (the CSP allows img-src data:), so the page escapes it like any other value and no
  // markup of the library's reaches the page unescaped.
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** The secret split into groups of four, easier to type into an app by hand. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * The RFC 6238 time step the code belongs to, when it is right for this secret at `now` and newer than `afterStep`;
 * otherwise null. `code` must already be six digits (the caller's schema checks; otplib throws on other lengths).
 */
export async function matchTotp(secret: string, code: string, now: Date, afterStep: number | null): Promise<number | null> {
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    period: TOTP_PERIOD_SECONDS,
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  // The TOTP strategy's result carries the matched time step (otplib types it together with HOTP's).
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
