import type { Knex } from 'knex';
import type { ServiceContext } from '../context';
import { isPostgres } from '../db/connect';
import { lockRow, writeTransaction } from '../db/dialect';
import { seatsFit } from '../events/availability';
import { countSeatsTaken, findEventById, listTicketTypes } from '../events/queries';
import type { EventRecord } from '../events/types';
import { AppError, NotFoundError } from '../lib/errors';
import { fromDbTime, toDbTime } from '../lib/time';
import { codeUsesStillFree } from './discounts';
import { isHoldLive } from './holds';
import { queueBookingNotice, queueMoneyNotice, receiptFor } from './notify';
import { cancelAttendees, findBookingById, listAttendees, updateBookingStatus } from './queries';
import { modeSeats, seatsOf } from './rules';
import type { AttendeeRecord, BookingRecord } from './types';
import { promoteWaitlist } from './waitlist';

/**
 * The booking lifecycle: the only code that changes `bookings.status` and `attendees.status` after a booking is placed
 * (placing it is `place.ts`). Each transition takes the caller's write transaction, locks the event, changes state
 * with a conditional update from named states and checks the row count (so a repeat, or a race lost to another
 * instance, changes nothing), queues the notices, and offers freed seats to the waitlist.
 *
 *   pending_payment ──confirmHold──▶ confirmed ──cancelSeats──▶ cancelled
 *        │  ▲ markPaymentProcessing (hold kept while the payment is in flight)
 *        ├──expireHold──▶ expired ──confirmHold (a late payment, seats still free)──▶ confirmed
 *        └──releaseHold─▶ cancelled
 *   waitlisted ──grantWaitlistPlace──▶ confirmed (free, invoice) | pending_payment (card: an offer)
 */

export interface LockedBooking {
  booking: BookingRecord;
  event: EventRecord;
  attendees: AttendeeRecord[];
}

/** Locks the booking's event for the rest of the transaction and reads the booking afresh. Throws NotFoundError `booking_not_found`. */
export async function lockBooking(trx: Knex.Transaction, bookingId: number): Promise<LockedBooking> {
  const found = await findBookingById(trx, bookingId);
  if (!found) throw new NotFoundError('booking_not_found', 'No such booking.');
  await lockRow(trx, 'events', found.eventId);
  const booking = (await findBookingById(trx, bookingId))!;
  const event = (await findEventById(trx, booking.eventId))!;
  return { booking, event, attendees: await listAttendees(trx, bookingId) };
}

/** Whether these seats are free now (a lapsed hold of their own no longer counts as taken). */
async function seatsStillFree(trx: Knex.Transaction, event: EventRecord, seats: AttendeeRecord[], now: Date): Promise<boolean> {
  const types = (await listTicketTypes(trx, [event.id])).get(event.id) ?? [];
  const counts = (await countSeatsTaken(trx, [event.id], now)).get(event.id);
  return seatsFit(event, types, counts, seatsOf(seats), modeSeats(seats));
}

export type ConfirmOutcome = 'confirmed' | 'already_confirmed' | 'seats_gone' | 'event_cancelled' | 'not_payable';

/**
 * A payment succeeded for a held booking: `pending_payment` → `confirmed` while its hold is live; a lapsed hold, or
 * an `expired` booking paid late, takes its seats back only if they are still free. Otherwise the booking stays (or
 * becomes) `expired` and the caller refunds the payment. Queues the confirmations, the buyer's carrying the receipt.
 * Returns what happened; `not_payable` for a booking that is cancelled or waitlisted.
 */
export async function confirmHold(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number, paymentIntentId: string): Promise<ConfirmOutcome> {
  const now = ctx.clock.now();
  const { booking, event, attendees } = await lockBooking(trx, bookingId);
  if (booking.status === 'confirmed') return 'already_confirmed';
  if (booking.status !== 'pending_payment' && booking.status !== 'expired') return 'not_payable';
  if (event.status === 'cancelled') {
    await releaseHold(trx, ctx, bookingId, 'Paid after the event was cancelled');
    return 'event_cancelled';
  }
  const seats = attendees.filter((a) => a.status === 'active');
  const live = isHoldLive(booking, now);
  if (!live && (seats.length === 0 || event.status !== 'published' || !(await seatsStillFree(trx, event, seats, now)))) {
    await expireHold(trx, ctx, bookingId, 'Paid after the hold expired; the places had gone');
    return 'seats_gone';
  }
  // The lapsed hold gave its code's uses back: paid at the code's price, it takes them again only if the code has them.
  if (!live && !(await codeUsesStillFree(trx, seats, now))) {
    await expireHold(trx, ctx, bookingId, "Paid after the hold expired; the discount code's uses had gone");
    return 'seats_gone';
  }
  const changed = await updateBookingStatus(trx, bookingId, ['pending_payment', 'expired'], 'confirmed', now, {
    stripe_payment_intent_id: paymentIntentId,
    payment_processing_since: null,
    cancel_reason: null,
  });
  if (!changed) return 'not_payable';
  // One email to the buyer for this moment: the confirmation carries the receipt.
  await queueBookingNotice(trx, ctx, 'confirmed', bookingId, { money: await receiptFor(trx, 'receipt', bookingId) });
  return 'confirmed';
}

/**
 * The provider reports a payment in flight (a bank debit, Pay by Bank): the hold stays live until the payment
 * settles, whatever its expiry, so the buyer is never asked to pay twice and never loses the seats meanwhile.
 */
export async function markPaymentProcessing(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number): Promise<boolean> {
  await lockBooking(trx, bookingId);
  const changed = await trx('bookings')
    .where({ id: bookingId, status: 'pending_payment' })
    .whereNull('payment_processing_since')
    .update({ payment_processing_since: toDbTime(ctx.clock.now()), updated_at: toDbTime(ctx.clock.now()) });
  return changed === 1;
}

/**
 * `pending_payment` → `expired`: the hold lapsed unpaid, or its payment failed (`notifyFailed`: the buyer is told
 * nothing was charged). The seats go to the waitlist.
 */
export async function expireHold(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number, reason: string, options: { notifyFailed?: boolean } = {}): Promise<boolean> {
  const { event } = await lockBooking(trx, bookingId);
  const changed = await updateBookingStatus(trx, bookingId, ['pending_payment'], 'expired', ctx.clock.now(), { cancel_reason: reason.slice(0, 300), payment_processing_since: null });
  if (!changed) return false;
  if (options.notifyFailed) await queueMoneyNotice(trx, ctx, 'payment_failed', bookingId, { withLines: false });
  await promoteWaitlist(trx, ctx, event);
  return true;
}

/** `pending_payment` → `cancelled`: the buyer gave up before paying, no checkout could be started, or the event was cancelled. */
export async function releaseHold(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number, reason: string): Promise<boolean> {
  const { event } = await lockBooking(trx, bookingId);
  const changed = await updateBookingStatus(trx, bookingId, ['pending_payment'], 'cancelled', ctx.clock.now(), { cancel_reason: reason.slice(0, 300), payment_processing_since: null });
  if (changed) await promoteWaitlist(trx, ctx, event);
  return changed;
}

/**
 * Cancels seats of a booking (all its active seats when `attendeeIds` is omitted), and the booking itself when none
 * is left. Each person who held a place gets a calendar CANCEL (a waitlist entry a plain note; nobody when the whole
 * event is cancelled, whose own notice has told everyone), and the freed places go to the waitlist. With
 * `buyerToldElsewhere` (an invoice credit's own email tells the buyer), a buyer who is not among the places hears nothing here.
 * Returns the seats it cancelled (none when they were cancelled already).
 */
export async function cancelSeats(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number, reason: string, attendeeIds?: number[], options: { buyerToldElsewhere?: boolean } = {}): Promise<AttendeeRecord[]> {
  const now = ctx.clock.now();
  const { booking, event, attendees } = await lockBooking(trx, bookingId);
  const active = attendees.filter((a) => a.status === 'active');
  const chosen = attendeeIds ? active.filter((a) => attendeeIds.includes(a.id)) : active;
  if (chosen.length === 0) return [];
  await cancelAttendees(trx, bookingId, now, chosen.map((a) => a.id));
  const isWhole = chosen.length === active.length;
  if (isWhole) await updateBookingStatus(trx, bookingId, ['confirmed', 'pending_payment', 'waitlisted'], 'cancelled', now, { cancel_reason: reason.slice(0, 300), payment_processing_since: null });
  if (event.status !== 'cancelled') {
    await queueBookingNotice(trx, ctx, 'cancelled', bookingId, {
      attendees: chosen,
      hadPlace: booking.status !== 'waitlisted',
      dedupeSuffix: isWhole && !attendeeIds ? undefined : chosen.map((a) => a.id).join('-'),
      onlyAttendees: options.buyerToldElsewhere,
    });
  }
  if (booking.status !== 'waitlisted') await promoteWaitlist(trx, ctx, event);
  return chosen;
}

/** Records the booking's refunded total (minor units, never above its total: the database checks it too). */
export async function setRefundedTotal(trx: Knex.Transaction, bookingId: number, refunded: number): Promise<void> {
  await trx('bookings').where({ id: bookingId }).update({ refunded_total: refunded });
}

/** Stripe's 30-minute minimum for a session's expiry, with a minute's margin for the request's travel. */
export const CHECKOUT_MINIMUM_MS = 31 * 60_000;

/**
 * Starts a new checkout attempt for a live hold, in one conditional update under the event's lock: counts the attempt
 * and extends a hold with less than Stripe's minimum left to that minimum. Throws ConflictError-like AppError
 * `not_awaiting_payment` (409) when the booking holds no live, unpaid hold, and `payment_processing` (409) when a
 * payment for it is already in flight.
 */
export async function beginCheckoutAttempt(ctx: ServiceContext, bookingId: number): Promise<{ attempt: number; holdExpiresAt: Date }> {
  const now = ctx.clock.now();
  const minimum = toDbTime(new Date(now.getTime() + CHECKOUT_MINIMUM_MS));
  return writeTransaction(ctx.db, async (trx) => {
    const { booking } = await lockBooking(trx, bookingId);
    if (booking.status === 'pending_payment' && booking.paymentProcessingSince) {
      throw new AppError('payment_processing', 'A payment for this booking is already being processed. We will email you when it completes.');
    }
    const [row] = await trx('bookings')
      .where({ id: bookingId, status: 'pending_payment' })
      .whereNull('payment_processing_since')
      .where('hold_expires_at', '>', toDbTime(now))
      .update({
        checkout_attempts: trx.raw('checkout_attempts + 1'),
        hold_expires_at: isPostgres(trx)
          ? trx.raw('GREATEST(hold_expires_at, ?::timestamptz)', [minimum])
          : trx.raw('CASE WHEN hold_expires_at < ? THEN ? ELSE hold_expires_at END', [minimum, minimum]),
        updated_at: toDbTime(now),
      })
      .returning(['checkout_attempts', 'hold_expires_at']);
    if (!row) throw new AppError('not_awaiting_payment', 'This booking is no longer waiting for payment.');
    return { attempt: Number(row.checkout_attempts), holdExpiresAt: fromDbTime(row.hold_expires_at) };
  });
}

/** Notes the booking's latest Checkout Session (the one its payment link resumes). */
export async function recordCheckoutSession(ctx: ServiceContext, bookingId: number, sessionId: string): Promise<void> {
  await ctx.db('bookings').where({ id: bookingId }).update({ stripe_checkout_session_id: sessionId, updated_at: toDbTime(ctx.clock.now()) });
}
