import type { Knex } from 'knex';
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
 * The same rule as a knex condition on the `bookings` table: the booking's seats count as taken (confirmed, or a
 * live hold). `table` is the alias the query uses for `bookings`.
 */
export function whereSeatsHeld(q: Knex.QueryBuilder, now: Date, table = 'bookings'): Knex.QueryBuilder {
  return q.where((w) =>
    w
      .where(`${table}.status`, 'confirmed')
      .orWhere((p) =>
        p.where(`${table}.status`, 'pending_payment').where((h) => h.where(`${table}.hold_expires_at`, '>', toDbTime(now)).orWhereNotNull(`${table}.payment_processing_since`)),
      ),
  );
}

/** Like whereSeatsHeld, and waitlisted bookings too: whoever is already in line for the event. */
export function whereBookedOrWaiting(q: Knex.QueryBuilder, now: Date, table = 'bookings'): Knex.QueryBuilder {
  return q.where((w) =>
    w
      .whereIn(`${table}.status`, ['confirmed', 'waitlisted'])
      .orWhere((p) =>
        p.where(`${table}.status`, 'pending_payment').where((h) => h.where(`${table}.hold_expires_at`, '>', toDbTime(now)).orWhereNotNull(`${table}.payment_processing_since`)),
      ),
  );
}
