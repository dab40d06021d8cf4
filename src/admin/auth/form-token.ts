import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Config } from '../../config';
import { newSecretToken } from '../../lib/tokens';

/**
 * The CSRF token of the forms a visitor fills in before signing in (sign-in, forgotten password, set password):
 * a signed double-submit cookie (OWASP CSRF Prevention Cheat Sheet, "Signed Double-Submit Cookie"). The cookie holds
 * `token.issuedAt.mac`, where mac is HMAC-SHA256 under SESSION_SECRET; the form repeats the token. Nothing is
 * written to the database until a form is posted, so a bot loading the sign-in page costs no row.
 *
 * Over https the cookie is named with the `__Host-` prefix, which a neighbouring subdomain cannot set (RFC 6265bis
 * §4.1.3.2), so nobody can plant a pair of their own.
 */
const COOKIE = 'hsug_form';
/** A form left open longer than this is refused (and shown again with a fresh token). */
export const FORM_TOKEN_MAX_AGE_MS = 2 * 3600_000;
/** A token with less than this left is replaced when a form is shown, so that a form shown is good for a while. */
const RENEW_WHEN_LEFT_MS = 30 * 60_000;

function isSecure(config: Config): boolean {
  return config.publicUrl.startsWith('https:');
}

export function formCookieName(config: Config): string {
  return isSecure(config) ? `__Host-${COOKIE}` : COOKIE;
}

function mac(config: Config, token: string, issuedAt: number): string {
  return createHmac('sha256', config.sessionSecret).update(`staff-form-token:${token}.${issuedAt}`).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token in a cookie value, when its signature holds and it is not too old. */
function readCookie(config: Config, value: unknown, now: Date): { token: string; issuedAt: number } | null {
  if (typeof value !== 'string' || value.length > 200) return null;
  const [token, issued, signature] = value.split('.');
  const issuedAt = Number(issued);
  if (!token || !signature || !Number.isSafeInteger(issuedAt)) return null;
  if (!sameText(signature, mac(config, token, issuedAt))) return null;
  const age = now.getTime() - issuedAt;
  return age >= 0 && age < FORM_TOKEN_MAX_AGE_MS ? { token, issuedAt } : null;
}

function cookieOf(req: Request, config: Config): unknown {
  return (req.cookies as Record<string, unknown> | undefined)?.[formCookieName(config)];
}

/** The token to put in a form being shown; sets a new cookie when there is none, or it is old or not ours. */
export function formTokenFor(req: Request, res: Response, config: Config, now: Date): string {
  const current = readCookie(config, cookieOf(req, config), now);
  if (current && now.getTime() - current.issuedAt < FORM_TOKEN_MAX_AGE_MS - RENEW_WHEN_LEFT_MS) return current.token;
  const token = newSecretToken();
  const issuedAt = now.getTime();
  res.cookie(formCookieName(config), `${token}.${issuedAt}.${mac(config, token, issuedAt)}`, {
    httpOnly: true,
    sameSite: 'lax',
    secure: isSecure(config),
    path: '/',
    maxAge: FORM_TOKEN_MAX_AGE_MS,
  });
  return token;
}

/** True when the posted `_csrf` (or the X-CSRF-Token header) equals the token in this browser's signed, unexpired cookie. */
export function formTokenMatches(req: Request, config: Config, now: Date): boolean {
  const current = readCookie(config, cookieOf(req, config), now);
  const given = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
  return current !== null && typeof given === 'string' && sameText(given, current.token);
}
