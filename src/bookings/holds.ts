import type { Knex } from 'knex';
import type { Limits } from '../config';
import { normaliseEmail } from '../lib/email';
import { ConflictError } from '../lib/errors';
import { toDbTime } from '../lib/time';
import type { BookingRecord } from './types';

/**
 * The one "live hold" rule. A `pending_payment` booking holds its seats while its hold has not lapsed, and for as
 * long as a payment for it is in flight (a bank debit or Pay by Bank reported by Stripe as `processing`): its seats
 * are kept until Stripe settles the payment either way, whatever `hold_expires_at` says.
 */
export function isHoldLive(booking: Pick<BookingRecord, 'status' | 'holdExpiresAt' | 'paymentProcessingSince'>, now: Date): boolean {
  if (booking.status !== 'pending_payment') return false;
  return booking.paymentProcessingSince !== null || (booking.holdExpiresAt !== null && booking.holdExpiresAt > now);
}

/**
 * The same rule as a knex condition on the `bookings` table: a live hold. `table` is the alias the query uses for
 * `bookings`.
 */
export function whereHoldLive(q: Knex.QueryBuilder, now: Date, table = 'bookings'): Knex.QueryBuilder {
  return q.where(`${table}.status`, 'pending_payment').where((h) => h.where(`${table}.hold_expires_at`, '>', toDbTime(now)).orWhereNotNull(`${table}.payment_processing_since`));
}

/** The booking's seats count as taken: confirmed, or a live hold. */
export function whereSeatsHeld(q: Knex.QueryBuilder, now: Date, table = 'bookings'): Knex.QueryBuilder {
  return q.where((w) => w.where(`${table}.status`, 'confirmed').orWhere((p) => whereHoldLive(p, now, table)));
}

/** Like whereSeatsHeld, and waitlisted bookings too: whoever is already in line for the event. */
export function whereBookedOrWaiting(q: Knex.QueryBuilder, now: Date, table = 'bookings'): Knex.QueryBuilder {
  return q.where((w) => w.whereIn(`${table}.status`, ['confirmed', 'waitlisted']).orWhere((p) => whereHoldLive(p, now, table)));
}

/** Who is placing a hold, for the cap on open holds: the buyer's email and the pseudonym of the client address (if known). */
export interface HoldHolder {
  buyerEmail: string;
  clientKey?: string;
}

/**
 * The cap on open holds (issue 14: three unpaid holds took every seat of a paid event): a new card hold is refused
 * while the buyer's email, or the client address, already has `holdsPerEmail` / `holdsPerAddress` live holds at any
 * event (0 = no cap; RATE_LIMITS=off lifts both). Counted in the booking's transaction: exact on SQLite (one writer);
 * on PostgreSQL two holds for different events placed at the same instant by one person can both pass, which the
 * booking rate limit bounds. Throws 409 `too_many_holds`.
 */
export async function assertHoldsUnderCap(trx: Knex.Transaction, limits: Limits, holder: HoldHolder, holdMinutes: number, now: Date): Promise<void> {
  if (!limits.enabled) return;
  const lapse = `An unpaid booking is released by itself if it is not paid within ${holdMinutes} minutes of the last payment attempt.`;
  if (limits.holdsPerEmail > 0 && (await countLiveHolds(trx, { buyer_email_normalised: normaliseEmail(holder.buyerEmail) }, now)) >= limits.holdsPerEmail) {
    throw new ConflictError('too_many_holds', `${holder.buyerEmail} already has ${limits.holdsPerEmail === 1 ? 'a booking' : `${limits.holdsPerEmail} bookings`} waiting for payment. Please pay for one of them or cancel it (the link is on its payment page), then book again. ${lapse}`);
  }
  if (holder.clientKey && limits.holdsPerAddress > 0 && (await countLiveHolds(trx, { client_key: holder.clientKey }, now)) >= limits.holdsPerAddress) {
    throw new ConflictError('too_many_holds', `There are already ${limits.holdsPerAddress} unpaid bookings from your internet connection waiting for payment. Please pay for or cancel one of them, or try again shortly. ${lapse}`);
  }
}

async function countLiveHolds(trx: Knex.Transaction, by: Record<string, string>, now: Date): Promise<number> {
  const row = await whereHoldLive(trx('bookings').where(by), now).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
