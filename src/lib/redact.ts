/**
 * What a log line may say about a URL. Private links carry their secret in the query (`/bookings/REF?token=…`) or,
 * for personal links, in the path (`/join/<token>`); Stripe's return URL carries the Checkout Session id. OWASP's
 * Logging Cheat Sheet: never log session ids, access tokens or payment-card related data.
 */

/** Query parameters whose value is a secret or a payment id: written as `[redacted]` (Stripe ids partly, see below). */
const SECRET_PARAMS = new Set(['token', 'session_id', 'code', 'key', 'secret', 'password', 'signature', 'sig', 'otp', '_csrf']);

/** Path prefixes whose next segment is a personal token, whatever it looks like. */
const TOKEN_PATH_PREFIXES = ['join', 'verify', 'unsubscribe', 'confirm', 'invitations', 'password-reset', 'set-password', 'reset'];

/** Stripe ids (cs_, pi_, ch_, pm_, …): kept as prefix and last four characters, enough to match with the dashboard. */
const STRIPE_ID = /^((?:cs|pi|ch|pm|py|po|re|txn|cus|card|src|seti|in|evt|ba)_(?:test_|live_)?)[A-Za-z0-9]{5,}$/;

/**
 * A path segment that looks like a generated secret: 20 or more base64url characters mixing upper case, lower case
 * and digits. Event slugs are lower case and booking references upper case, so neither is mistaken for one.
 */
function looksLikeSecret(segment: string): boolean {
  return segment.length >= 20 && /^[A-Za-z0-9_-]+$/.test(segment) && /[A-Z]/.test(segment) && /[a-z]/.test(segment) && /\d/.test(segment);
}

/** `cs_test_a1B2c3D4e5` → `cs_test_…D4e5`. Anything else that is not a Stripe id → `[redacted]`. */
export function maskStripeId(value: string): string {
  const match = STRIPE_ID.exec(value);
  return match ? `${match[1]}…${value.slice(-4)}` : '[redacted]';
}

function redactSegment(segment: string, previous: string | undefined): string {
  if (previous !== undefined && TOKEN_PATH_PREFIXES.includes(previous.toLowerCase()) && segment) return '[redacted]';
  if (STRIPE_ID.test(segment)) return maskStripeId(segment);
  return looksLikeSecret(segment) ? '[redacted]' : segment;
}

/**
 * A request URL (path and query, as Express's `req.originalUrl`) fit for a log line: tokens and secrets replaced by
 * `[redacted]`, Stripe ids shortened, at most 300 characters. `/bookings/HSUG-AB12-CD34?token=abc&new=1` →
 * `/bookings/HSUG-AB12-CD34?token=[redacted]&new=1`.
 */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
  const segments = path.split('/');
  const safePath = segments.map((segment, i) => redactSegment(segment, i > 0 ? segments[i - 1] : undefined)).join('/');
  const safeQuery = query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      if (eq === -1) return name;
      const value = pair.slice(eq + 1);
      // Names are compared as sent: clients write these plainly, and an escaped name hides only its sender's own value.
      if (!SECRET_PARAMS.has(name.toLowerCase())) return looksLikeSecret(value) ? `${name}=[redacted]` : pair;
      return `${name}=${name === 'session_id' ? maskStripeId(value) : '[redacted]'}`;
    })
    .join('&');
  const safe = safeQuery ? `${safePath}?${safeQuery}` : safePath;
  return safe.length > 300 ? `${safe.slice(0, 300)}…` : safe;
}
