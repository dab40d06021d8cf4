import type { RequestHandler } from 'express';

/**
 * Paths whose every response carries personal data or a token (OWASP ASVS V8.2.1; RFC 9111 §5.2.2.5 no-store):
 * - `/admin…`: staff pages, attendee lists, downloads and sign-in sheets;
 * - `/api/v1/admin…`: the staff API and its downloads;
 * - `/bookings/…`: the manage page, the pay link and the calendar copy, each opened with the manage token;
 * - `/checkout/…`: the pages Stripe returns the buyer to, with the manage token;
 * - `/api/v1/bookings/…`: the booking, for the holder of its token.
 */
export const PRIVATE_PATH_PREFIXES = ['/admin', '/api/v1/admin', '/bookings', '/checkout', '/api/v1/bookings'] as const;

function isPrivatePath(path: string): boolean {
  return PRIVATE_PATH_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * `Cache-Control: no-store` on every response that carries personal data or a token: everything under the private
 * paths above, and every answer to a write (POST and the like), which echoes what the person sent or carries what
 * they just made (the booking API's 201 with the manage link, a form re-shown with their details, a redirect to a
 * manage link). Public pages, the catalogue and the calendars keep their own caching. Set before any route, so
 * error pages on these paths are not stored either.
 */
export function noStoreForPrivateResponses(): RequestHandler {
  return (req, res, next) => {
    const isWrite = req.method !== 'GET' && req.method !== 'HEAD';
    if (isWrite || isPrivatePath(req.path)) res.set('Cache-Control', 'no-store');
    next();
  };
}
