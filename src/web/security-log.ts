import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../lib/logger';
import { redactUrl } from '../lib/redact';
import { logSecurityEvent, type SecurityEventKind } from '../lib/security-events';

/** What a route refused with, for the refusal logger: the error code and, for a sign-in, the account tried. */
interface Refusal {
  code: string;
  /** The email address a sign-in tried, when it looks like one (never the password, never free text). */
  account?: string;
  /** Why, in words that contain no secret (for example Stripe's reason a signature did not verify). */
  reason?: string;
}

const EMAIL_LIKE = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

/**
 * Tells the refusal logger the code of the refusal being answered. The error handler calls it for every error;
 * a route that catches a refusal and renders its own page (the sign-in form) calls it too, so the line names the
 * code. Later calls add to earlier ones.
 */
export function noteRefusal(res: Response, code: string, extra: { account?: string; reason?: string } = {}): void {
  const before = res.locals.refusal as Refusal | undefined;
  const account = extra.account === undefined ? before?.account : EMAIL_LIKE.test(extra.account) ? extra.account.toLowerCase() : '[not an email address]';
  res.locals.refusal = { ...before, ...extra, code, account, reason: (extra.reason ?? before?.reason)?.slice(0, 200) } satisfies Refusal;
}

function isStaffPath(url: string): boolean {
  return url.startsWith('/admin') || url.startsWith('/api/v1/admin');
}

/**
 * Which security event a finished response is, if any: sign-in failures and lockouts, webhook signature failures
 * and private-link token failures by their code; any other 401, 403 or 429 as `request_refused`.
 */
export function refusalKind(url: string, status: number, code: string | undefined): SecurityEventKind | undefined {
  // A wrong two-factor code is a failed sign-in too, and too many of them a lockout of that sign-in.
  if (code === 'sign_in_failed' || code === 'two_factor_failed') return 'sign_in_failed';
  if (code === 'too_many_attempts' || code === 'too_many_codes') return 'sign_in_locked';
  if (code === 'invalid_signature') return 'webhook_signature_failed';
  if ((code === 'token_required' || code === 'booking_not_found') && !isStaffPath(url)) return 'link_token_failed';
  // A staff set-password link (invitation or reset) that is unknown, used, replaced or expired.
  if (code === 'account_link_invalid') return 'link_token_failed';
  if (status === 401 || status === 403 || status === 429) return 'request_refused';
  return undefined;
}

/** The request's context for a log line: request id, client address (after TRUST_PROXY), method, redacted URL. */
export function requestFields(req: Request, res: Response): Record<string, unknown> {
  const staff = res.locals.staffUser as { id?: number } | undefined;
  return {
    requestId: res.locals.requestId,
    ip: req.ip,
    method: req.method,
    url: redactUrl(req.originalUrl),
    userAgent: req.get('user-agent')?.slice(0, 200),
    ...(staff?.id ? { staffUserId: staff.id } : {}),
  };
}

/**
 * Logs each refused request once it has been answered, as one security event with the request's context, the
 * status and the code. Registered once, first, in createApp: it sees every refusal whoever answered it (the error
 * handler, a route's own page, a limiter).
 */
export function logRefusedRequests(logger: Logger): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () => {
      const refusal = res.locals.refusal as Refusal | undefined;
      const kind = refusalKind(req.originalUrl, res.statusCode, refusal?.code);
      if (!kind) return;
      logSecurityEvent(logger, kind, { ...requestFields(req, res), status: res.statusCode, code: refusal?.code, account: refusal?.account, reason: refusal?.reason });
    });
    next();
  };
}
