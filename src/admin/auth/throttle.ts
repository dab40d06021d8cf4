import type { ServiceContext } from '../../context';
import type { Decision, Limiter } from '../../db/rate-limiter';
import { pseudonym } from '../../lib/client-key';
import { TooManyRequestsError } from '../../lib/errors';
import { waitInWords } from '../../web/rate-limit';

/**
 * Sign-in throttling (OWASP Authentication Cheat Sheet, "Protect against automated attacks"). Every attempt is counted
 * *before* the password is checked, in one atomic statement per limit (db/rate-limiter.ts), so attempts sent in
 * parallel are each counted and at most the limit ever reach argon2. Four limits, most specific first:
 * - per account and client address (default 5 in 15 minutes): the person mistyping, or one guesser;
 * - per account, from any address (20 an hour): guessing one account from many addresses;
 * - per client address, for any account (20 in 15 minutes): one address trying many accounts;
 * - overall (100 a minute): a cap on the argon2 work (50–90 ms of CPU each) whoever sends it.
 * A success resets the account-and-address count and gives its point back to the others, so only failures (and
 * attempts in flight) use them up. The counts live in the database, so every instance shares them. If the store
 * fails, sign-in is refused (503 `limits_unavailable`) rather than left unlimited.
 */

export class TooManyAttemptsError extends TooManyRequestsError {
  constructor(message: string, retryAfterSeconds: number, limit: string) {
    super('too_many_attempts', message, retryAfterSeconds, limit);
  }
}

/** What the person is told for each limit, given how long to wait in words. */
const MESSAGES = {
  accountAddress: (wait: string) => `Too many failed sign-in attempts for this email address. Please wait ${wait} and try again, or ask an administrator to reset your password.`,
  account: (wait: string) => `Too many failed sign-in attempts for this email address. Please wait ${wait} and try again, or ask an administrator to reset your password.`,
  address: (wait: string) => `Too many sign-in attempts from your internet connection. Please wait ${wait} and try again.`,
  global: (wait: string) => `Too many sign-in attempts are being made just now, so sign-in is paused for a moment. Please wait ${wait} and try again.`,
};

/** An admitted attempt: say how it ended, so that its counts are settled. Neither method throws. */
export interface SignInTicket {
  /** The password was right: the account-and-address count starts again, and the other limits get their point back. */
  succeeded(): Promise<void>;
  /** The attempt failed on our side (not a wrong password): every point it took is given back. */
  abandoned(): Promise<void>;
}

/**
 * Counts a sign-in attempt against every limit, before anything is verified. A wrong password needs nothing more: its
 * points stay counted. Throws 429 `too_many_attempts` (with the wait) when a limit is reached, giving back the points
 * the refused attempt took from the other limits; 503 `limits_unavailable` when the counts cannot be read.
 */
export async function admitSignInAttempt(ctx: ServiceContext, email: string, ip: string): Promise<SignInTicket> {
  const secret = ctx.config.sessionSecret;
  const account = pseudonym(secret, 'email', email);
  const address = pseudonym(secret, 'address', ip);
  const limits = ctx.limits.signIn;
  const checks: Array<[keyof typeof MESSAGES, Limiter, string]> = [
    ['accountAddress', limits.accountAddress, `${account}.${address}`],
    ['account', limits.account, account],
    ['address', limits.address, address],
    ['global', limits.global, 'all'],
  ];
  const taken: Array<{ limiter: Limiter; key: string; decision: Decision }> = [];
  const giveBack = (entries: typeof taken) => Promise.all(entries.map((e) => e.limiter.refund(e.key, e.decision))).then(() => undefined);

  for (const [which, limiter, key] of checks) {
    const decision = await limiter.consume(key).catch(async (error: unknown) => {
      await giveBack(taken);
      throw error;
    });
    if (!decision.allowed) {
      await giveBack(taken);
      // Logged once answered, as a `sign_in_locked` security event naming the limit (web/security-log.ts).
      throw new TooManyAttemptsError(MESSAGES[which](waitInWords(decision.retryAfterSeconds)), decision.retryAfterSeconds, limiter.name);
    }
    taken.push({ limiter, key, decision });
  }
  return {
    succeeded: async () => {
      const [first, ...rest] = taken;
      await Promise.all([first.limiter.reset(first.key), giveBack(rest)]);
    },
    abandoned: () => giveBack(taken),
  };
}

/**
 * A sign-in finished by its second step (a right two-factor code): the account-and-address count starts again, as a
 * right password alone resets it for someone without two-factor. Until then the password step stayed counted (see
 * auth/service.ts), and the wider limits keep that point. Never throws: a count left standing only costs a wait.
 */
export async function settleTwoStepSignIn(ctx: ServiceContext, email: string, ip: string): Promise<void> {
  const secret = ctx.config.sessionSecret;
  const key = `${pseudonym(secret, 'email', email)}.${pseudonym(secret, 'address', ip)}`;
  await ctx.limits.signIn.accountAddress.reset(key).catch((error: unknown) => ctx.logger.warn('sign-in count not reset after two-factor sign-in', { error: error instanceof Error ? error.message : String(error) }));
}
