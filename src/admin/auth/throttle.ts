import type { Tx } from '../../db/connect';
import { normaliseEmail } from '../../lib/email';
import { AppError } from '../../lib/errors';
import { toDbTime } from '../../lib/time';

/** Failed sign-ins allowed per email and IP address within the window; kept in the database so every instance sees them. */
export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;

export class TooManyAttemptsError extends AppError {
  constructor() {
    super('too_many_attempts', 'Too many failed sign-in attempts for this email address. Please wait 15 minutes and try again, or ask an administrator to reset your password.');
  }
}

export async function assertNotThrottled(db: Tx, email: string, ip: string, now: Date): Promise<void> {
  const row = await db('sign_in_failures')
    .where({ email_normalised: normaliseEmail(email), ip })
    .where('at', '>', toDbTime(new Date(now.getTime() - WINDOW_MS)))
    .count({ n: '*' })
    .first();
  if (Number(row?.n ?? 0) >= MAX_FAILURES) throw new TooManyAttemptsError();
}

export async function recordFailure(db: Tx, email: string, ip: string, now: Date): Promise<void> {
  await db('sign_in_failures').insert({ email_normalised: normaliseEmail(email).slice(0, 254), ip: ip.slice(0, 64), at: toDbTime(now) });
  // Old rows say nothing any more; clearing them here keeps the table small without a job.
  await db('sign_in_failures').where('at', '<', toDbTime(new Date(now.getTime() - WINDOW_MS))).delete();
}

export async function clearFailures(db: Tx, email: string, ip: string): Promise<void> {
  await db('sign_in_failures').where({ email_normalised: normaliseEmail(email), ip }).delete();
}
