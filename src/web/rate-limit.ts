import type { Knex } from 'knex';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';
import type { ServiceContext } from '../context';
import { createLimiter, purgeExpiredLimits, unlimited, type Limiter } from '../db/rate-limiter';
import { pseudonym } from '../lib/client-key';
import { normaliseEmail } from '../lib/email';
import { AppError, TooManyRequestsError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { Job } from '../jobs/runner';
import { noteRefusal } from './security-log';

/**
 * The abuse limits on public traffic, counted in the database so that every instance shares them (db/rate-limiter.ts),
 * and answered with 429 `rate_limited`, a `Retry-After` header and a message saying in words when to try again.
 * Limits and their defaults are in config.ts (`config.limits`) and README "Security".
 *
 * A new route behind a private link (a joining link, a certificate verification page) takes the links limit in one
 * line: `router.get('/join/:token', limitLinks(ctx), handler)`.
 */
export interface RateLimits {
  bookingsPerAddress: Limiter;
  bookingsPerEmail: Limiter;
  resendPerAddress: Limiter;
  resendPerEmail: Limiter;
  links: Limiter;
  /** Booking attempts with a discount code, per client address; given back unless the code was refused (guessing). */
  discountCodes: Limiter;
  /** The announcement list's subscribe form, limited as booking is (same specs, counted apart). */
  subscribePerAddress: Limiter;
  subscribePerEmail: Limiter;
  /** Sign-in attempts (admin/auth/throttle.ts): per account and address, per account, per address, and overall. */
  signIn: { accountAddress: Limiter; account: Limiter; address: Limiter; global: Limiter };
}

/**
 * The limiters for one app. With RATE_LIMITS=off the public limits let everything through; sign-in is always limited.
 * When the store fails, the public limits count in this instance's memory for a while and sign-in refuses (503): see
 * OnStoreFailure.
 */
export function createRateLimits(db: Knex, config: Config, logger: Logger): RateLimits {
  const limits = config.limits;
  const soft = (name: string, spec: Config['limits']['links']) => (limits.enabled ? createLimiter(db, { name, spec, logger, onStoreFailure: 'count-in-memory' }) : unlimited(name, spec));
  const strict = (name: string, spec: Config['limits']['links']) => createLimiter(db, { name, spec, logger, onStoreFailure: 'refuse' });
  return {
    bookingsPerAddress: soft('bookings-address', limits.bookingsPerAddress),
    bookingsPerEmail: soft('bookings-email', limits.bookingsPerEmail),
    resendPerAddress: soft('resend-address', limits.resend),
    resendPerEmail: soft('resend-email', limits.resend),
    links: soft('links-address', limits.links),
    discountCodes: soft('discount-codes-address', limits.discountCodes),
    subscribePerAddress: soft('subscribe-address', limits.bookingsPerAddress),
    subscribePerEmail: soft('subscribe-email', limits.bookingsPerEmail),
    signIn: {
      accountAddress: strict('sign-in-account-address', limits.signIn.accountAddress),
      account: strict('sign-in-account', limits.signIn.account),
      address: strict('sign-in-address', limits.signIn.address),
      global: strict('sign-in-global', limits.signIn.global),
    },
  };
}

/** The client's address as Express sees it through the trusted proxies (TRUST_PROXY). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** The pseudonym of the client's address, for the limits and the holds cap (lib/client-key.ts). */
export function clientKey(config: Config, req: Request): string {
  return pseudonym(config.sessionSecret, 'address', clientAddress(req));
}

/** "40 seconds", "8 minutes", "about 2 hours": how long to wait, for a person. */
export function waitInWords(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return plural(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds <= 90 * 60) return plural(Math.ceil(seconds / 60), 'minute');
  return `about ${plural(Math.round(seconds / 3600), 'hour')}`;
}

/**
 * For a 429 answered with the route's own page (a form shown again) or by the error handler: sets `Retry-After` (in
 * seconds, RFC 9110 §10.2.3) and tells the refusal logger (security-log.ts) the code and which limit was reached.
 * Does nothing for other errors.
 */
export function prepareRefusal(res: Response, error: unknown): Response {
  if (!(error instanceof TooManyRequestsError)) return res;
  noteRefusal(res, error.code, error.limit ? { reason: `limit ${error.limit}` } : {});
  return res.set('Retry-After', String(error.retryAfterSeconds));
}

interface Check {
  limiter: Limiter;
  key: string;
  /** What the person is told, given how long to wait in words. */
  message(wait: string): string;
}

/**
 * Counts the request against each limit in turn; the first that is reached refuses it (429 `rate_limited`, logged as
 * a `request_refused` security event naming the limit once answered).
 */
async function enforce(res: Response, checks: Check[]): Promise<void> {
  for (const check of checks) {
    const decision = await check.limiter.consume(check.key, { requestId: res.locals.requestId });
    if (decision.allowed) continue;
    throw new TooManyRequestsError('rate_limited', check.message(waitInWords(decision.retryAfterSeconds)), decision.retryAfterSeconds, check.limiter.name);
  }
}

const emailKey = (ctx: ServiceContext, email: string) => pseudonym(ctx.config.sessionSecret, 'email', email);

/**
 * A booking attempt (API, registration form or booking form), once its input is valid: counted per client address and
 * per email address it names (the buyer's and each attendee's, each once). Throws 429 `rate_limited`.
 */
export async function limitBookings(ctx: ServiceContext, req: Request, res: Response, emails: string[]): Promise<void> {
  const distinct = [...new Map(emails.map((email) => [normaliseEmail(email), email])).values()];
  await enforce(res, [
    {
      limiter: ctx.limits.bookingsPerAddress,
      key: clientKey(ctx.config, req),
      message: (wait) => `We have had a lot of bookings from your internet connection in a short time, so we have paused new ones for a while. Nothing was booked this time. Please try again in ${wait}.`,
    },
    ...distinct.map((email) => ({
      limiter: ctx.limits.bookingsPerEmail,
      key: emailKey(ctx, email),
      message: (wait: string) => `We have had a lot of bookings for ${email} in a short time, so we have paused new ones for that address for a while. Nothing was booked this time. Please try again in ${wait}.`,
    })),
  ]);
}

/**
 * A subscription to the announcement list (form or booking-form box): counted per client address and per email address,
 * with the booking limits' specs (RATE_LIMIT_BOOKINGS_PER_*). Throws 429 `rate_limited`.
 */
export async function limitSubscribe(ctx: ServiceContext, req: Request, res: Response, email: string): Promise<void> {
  const message = (wait: string) => `We have had a lot of subscription requests in a short time, so we have paused them for a while. Nothing was changed this time. Please try again in ${wait}.`;
  await enforce(res, [
    { limiter: ctx.limits.subscribePerAddress, key: clientKey(ctx.config, req), message },
    { limiter: ctx.limits.subscribePerEmail, key: emailKey(ctx, normaliseEmail(email)), message },
  ]);
}

/** The resend-confirmation form: counted per client address and per email address asked for. Throws 429 `rate_limited`. */
export async function limitResend(ctx: ServiceContext, req: Request, res: Response, email: string): Promise<void> {
  const message = (wait: string) => `We have been asked to resend confirmations many times in a short time, so we have paused this for a while. Please try again in ${wait}, and check your junk mail folder meanwhile.`;
  await enforce(res, [
    { limiter: ctx.limits.resendPerAddress, key: clientKey(ctx.config, req), message },
    { limiter: ctx.limits.resendPerEmail, key: emailKey(ctx, email), message },
  ]);
}

/**
 * A booking attempt that names a discount code: counted per client address before the booking, so codes tried in
 * parallel are each counted. Throws 429 `rate_limited`. `settle` gives the attempt back unless the code was refused
 * (an unknown, expired, used-up or wrong-ticket code): only refusals use up the limit, so guessing codes is slowed
 * while a buyer who typed a good code never is.
 */
export async function limitDiscountCode(ctx: ServiceContext, req: Request, res: Response, code: string | undefined): Promise<{ settle(error?: unknown): Promise<void> }> {
  if (!code) return { settle: async () => undefined };
  const key = clientKey(ctx.config, req);
  const limiter = ctx.limits.discountCodes;
  const decision = await limiter.consume(key, { requestId: res.locals.requestId });
  if (!decision.allowed) {
    throw new TooManyRequestsError('rate_limited', `Too many discount codes that we could not accept have been tried from your internet connection, so we have paused codes for a while. Nothing was booked. Please try again in ${waitInWords(decision.retryAfterSeconds)}, or book without a code.`, decision.retryAfterSeconds, limiter.name);
  }
  return {
    async settle(error?: unknown) {
      const refused = error instanceof AppError && error.code.startsWith('discount_code_');
      if (!refused) await limiter.refund(key, decision);
    },
  };
}

/**
 * Middleware for every page and API route behind a private link (manage, pay, cancel, calendar copy; later the joining
 * and certificate verification links): counted per client address. Passes 429 `rate_limited` to the error handler,
 * which answers JSON under /api/ and a page elsewhere.
 */
export function limitLinks(ctx: ServiceContext): RequestHandler {
  return async (req, res, next) => {
    await enforce(res, [
      {
        limiter: ctx.limits.links,
        key: clientKey(ctx.config, req),
        message: (wait) => `We have had a lot of requests for private booking links from your internet connection in a short time, so we have paused them for a while. Your booking is not affected. Please try again in ${wait}.`,
      },
    ]);
    next();
  };
}

/** Deletes the limits' expired counts every ten minutes, on every instance (a DELETE of dead rows is harmless twice). */
export function rateLimitJobs(ctx: ServiceContext): Job[] {
  return [{ name: 'rate-limits', intervalMs: 10 * 60_000, run: () => purgeExpiredLimits(ctx.db) }];
}
