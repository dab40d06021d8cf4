import type { Knex } from 'knex';
import { publicHost } from '../lib/links';
import { cancelAttendees, findBookingById, listAttendees, updateBookingStatus } from '../bookings/queries';
import { queueBookingNotice } from '../bookings/service';
import { promoteWaitlist } from '../bookings/waitlist';
import type { AttendeeRecord, BookingRecord } from '../bookings/types';
import type { ServiceContext } from '../context';
import { lockRow } from '../db/dialect';
import { seatsFit } from '../events/availability';
import { countSeatsTaken, findEventById, listTicketTypes } from '../events/queries';
import type { EventRecord } from '../events/types';
import { toDbTime } from '../lib/time';
import { enqueueEmail } from '../mail/outbox';
import { lineItems } from './checkout';
import { paymentNotice } from './notices';
import { findPaymentByIntent, insertRefund, listRefundsForBooking, setPaymentRefunded, updateRefund, upsertCardPayment, upsertDispute, type PaymentRecord } from './queries';
import type { StripeState } from './types';

export interface FulfilOutcome {
  booking: BookingRecord;
  /** The payment came too late to keep the seats: it must be refunded (done after the commit). */
  needsRefund: boolean;
}

function seatsOf(attendees: AttendeeRecord[]): Map<number, number> {
  const seats = new Map<number, number>();
  for (const a of attendees) seats.set(a.ticketTypeId, (seats.get(a.ticketTypeId) ?? 0) + 1);
  return seats;
}

/** Whether this booking's seats are free for it now (its own lapsed hold no longer counts as taken). */
async function seatsStillFree(trx: Knex.Transaction, event: EventRecord, attendees: AttendeeRecord[], now: Date): Promise<boolean> {
  const types = (await listTicketTypes(trx, [event.id])).get(event.id) ?? [];
  const counts = (await countSeatsTaken(trx, [event.id], now)).get(event.id);
  return seatsFit(event, types, counts, seatsOf(attendees));
}

async function queueConfirmation(trx: Knex.Transaction, ctx: ServiceContext, event: EventRecord, booking: BookingRecord, attendees: AttendeeRecord[]) {
  await queueBookingNotice(trx, ctx, 'confirmed', booking.id);
  const types = (await listTicketTypes(trx, [event.id])).get(event.id) ?? [];
  const lines = lineItems(attendees.map((a) => ({ ...types.find((t) => t.id === a.ticketTypeId)!, price: a.unitPrice })));
  const fresh = (await findBookingById(trx, booking.id))!;
  await enqueueEmail(trx, paymentNotice(ctx, { kind: 'receipt', event, booking: fresh, lines: lines.map((l) => ({ label: `${l.quantity} × ${l.label}`, amount: l.amount })) }), ctx.clock.now(), publicHost(ctx.config));
}

/**
 * Brings a booking in line with what Stripe says, under the event's lock. Every change only moves
 * forward (paid never becomes unpaid, a refund is recorded once by its Stripe id), so the same state
 * applied twice, or states applied in any order, end the same way. This is the one fulfilment
 * function: the webhook, the success page and the hold sweeper all call it.
 */
export async function applyStripeState(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number, state: StripeState): Promise<FulfilOutcome> {
  const now = ctx.clock.now();
  const found = await findBookingById(trx, bookingId);
  if (!found) throw new Error(`booking ${bookingId} vanished`);
  await lockRow(trx, 'events', found.eventId);
  let booking = (await findBookingById(trx, bookingId))!;
  const event = (await findEventById(trx, booking.eventId))!;
  const attendees = await listAttendees(trx, bookingId);
  let needsRefund = false;

  if (!booking.stripeCheckoutSessionId) {
    // The session was created but its id never saved (a crash after Stripe answered): adopt it.
    await trx('bookings').where({ id: bookingId }).update({ stripe_checkout_session_id: state.sessionId });
  }

  let payment: PaymentRecord | undefined;
  if (state.paymentStatus === 'paid' && state.paymentIntentId) {
    const existing = await trx('payments').where({ stripe_payment_intent_id: state.paymentIntentId }).first('id');
    if (event.status === 'cancelled' && !existing && booking.status !== 'confirmed') {
      // Money for a cancelled event is never kept, whatever state its hold was in.
      await updateBookingStatus(trx, bookingId, ['pending_payment', 'expired'], 'cancelled', now, { stripe_payment_intent_id: state.paymentIntentId, cancel_reason: 'Paid after the event was cancelled' });
      await trx('bookings').where({ id: bookingId }).update({ stripe_payment_intent_id: state.paymentIntentId });
      needsRefund = true;
    } else if (booking.status === 'pending_payment') {
      const holdAlive = booking.holdExpiresAt !== null && booking.holdExpiresAt > now;
      if (holdAlive || (await seatsStillFree(trx, event, attendees, now))) {
        await updateBookingStatus(trx, bookingId, ['pending_payment'], 'confirmed', now, { stripe_payment_intent_id: state.paymentIntentId });
        await queueConfirmation(trx, ctx, event, booking, attendees);
      } else {
        await updateBookingStatus(trx, bookingId, ['pending_payment'], 'expired', now, { stripe_payment_intent_id: state.paymentIntentId, cancel_reason: 'Paid after the hold expired; seats taken' });
        needsRefund = true;
      }
    } else if (booking.status === 'expired' && !existing) {
      // Paid after the hold lapsed: take the seats back if they are still free, otherwise refund.
      const active = attendees.filter((a) => a.status === 'active');
      if (active.length > 0 && event.status === 'published' && (await seatsStillFree(trx, event, active, now))) {
        await updateBookingStatus(trx, bookingId, ['expired'], 'confirmed', now, { stripe_payment_intent_id: state.paymentIntentId, cancel_reason: null });
        await queueConfirmation(trx, ctx, event, booking, active);
      } else {
        await trx('bookings').where({ id: bookingId }).update({ stripe_payment_intent_id: state.paymentIntentId, updated_at: toDbTime(now) });
        needsRefund = true;
      }
    } else if (booking.status === 'cancelled' && !existing) {
      needsRefund = true;
    }
    payment = await upsertCardPayment(
      trx,
      {
        bookingId,
        amount: state.amountTotal,
        currency: state.currency,
        paymentIntentId: state.paymentIntentId,
        chargeId: state.chargeId,
        sessionId: state.sessionId,
        balanceTransactionId: state.balanceTransactionId,
        paidAt: state.paidAt ?? now,
        needsRefund,
        note: needsRefund ? 'Paid after the hold expired and the seats were gone: refunded automatically' : undefined,
      },
      now,
    );
    if (needsRefund && !existing) {
      booking = (await findBookingById(trx, bookingId))!;
      const kind = event.status === 'cancelled' ? 'refunded_event_cancelled' : 'refunded_after_expiry';
      await enqueueEmail(trx, paymentNotice(ctx, { kind, event, booking, lines: [], amount: state.amountTotal }), now, publicHost(ctx.config));
    }
  } else if (booking.status === 'pending_payment') {
    const failed = state.sessionStatus === 'complete' && (state.paymentIntentStatus === 'requires_payment_method' || state.paymentIntentStatus === 'canceled');
    if (state.sessionStatus === 'expired' || failed) {
      const reason = failed ? 'The payment failed' : 'Not paid before the hold expired';
      if (await updateBookingStatus(trx, bookingId, ['pending_payment'], 'expired', now, { cancel_reason: reason }) && failed) {
        await enqueueEmail(trx, paymentNotice(ctx, { kind: 'payment_failed', event, booking, lines: [] }), now, publicHost(ctx.config));
      }
    }
  }

  payment ??= state.paymentIntentId ? await findPaymentByIntent(trx, state.paymentIntentId) : undefined;
  if (payment) {
    await applyRefunds(trx, ctx, bookingId, payment, state, now);
    for (const d of state.disputes) {
      await upsertDispute(trx, { ...d, currency: state.currency, chargeId: state.chargeId, paymentId: payment.id, bookingId }, now);
    }
  }
  // Whatever freed seats (an expired hold, a refund) offers them to the waitlist.
  await promoteWaitlist(trx, ctx, (await findEventById(trx, booking.eventId))!);
  return { booking: (await findBookingById(trx, bookingId))!, needsRefund };
}

/**
 * Records Stripe's refunds once each. Ours carry the attendees they are for; a refund made in the
 * Stripe dashboard cancels the last seats it fully covers (a small goodwill refund cancels none).
 */
async function applyRefunds(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number, payment: PaymentRecord, state: StripeState, now: Date) {
  const local = await listRefundsForBooking(trx, bookingId);
  for (const refund of state.refunds) {
    const known = local.find((r) => r.stripeRefundId === refund.id) ?? (refund.ourRefundId ? local.find((r) => r.id === refund.ourRefundId) : undefined);
    const status = refund.status === 'succeeded' || refund.status === 'pending' || refund.status === 'failed' || refund.status === 'canceled' ? refund.status : 'pending';
    if (known) {
      if (known.status !== status || known.stripeRefundId !== refund.id) await updateRefund(trx, known.id, { stripeRefundId: refund.id, status }, now);
      continue;
    }
    if (status === 'failed' || status === 'canceled') continue;
    const active = (await listAttendees(trx, bookingId)).filter((a) => a.status === 'active');
    const covered: number[] = [];
    let left = refund.amount;
    const fullyRefunded = state.refunds.filter((r) => r.status !== 'failed' && r.status !== 'canceled').reduce((s, r) => s + r.amount, 0) >= payment.amount;
    for (const a of [...active].reverse()) {
      if (fullyRefunded || a.unitPrice <= left) {
        covered.push(a.id);
        left -= a.unitPrice;
      }
    }
    await insertRefund(trx, { paymentId: payment.id, bookingId, amount: refund.amount, currency: state.currency, status, reason: refund.reason ?? 'Refunded in the Stripe dashboard', initiatedBy: 'dashboard', attendeeIds: covered, stripeRefundId: refund.id }, now);
    if (covered.length) await cancelSeats(trx, ctx, bookingId, covered, now);
  }
  const refunded = (await listRefundsForBooking(trx, bookingId)).filter((r) => r.status !== 'failed' && r.status !== 'canceled').reduce((s, r) => s + r.amount, 0);
  await setPaymentRefunded(trx, payment.id, refunded, payment.amount, now);
  await trx('bookings').where({ id: bookingId }).update({ refunded_total: refunded });
}

/** Cancels these seats (sending each a calendar CANCEL), and the booking when none is left. */
export async function cancelSeats(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number, attendeeIds: number[], now: Date): Promise<void> {
  const attendees = (await listAttendees(trx, bookingId)).filter((a) => a.status === 'active' && attendeeIds.includes(a.id));
  if (attendees.length === 0) return;
  await cancelAttendees(trx, bookingId, now, attendees.map((a) => a.id));
  const remaining = (await listAttendees(trx, bookingId)).filter((a) => a.status === 'active');
  if (remaining.length === 0) await updateBookingStatus(trx, bookingId, ['confirmed', 'pending_payment', 'waitlisted'], 'cancelled', now, { cancel_reason: 'Refunded' });
  const booking = (await findBookingById(trx, bookingId))!;
  const event = (await findEventById(trx, booking.eventId))!;
  // When the whole event is cancelled, its own notice has already sent everyone their CANCEL.
  if (event.status !== 'cancelled') await queueBookingNotice(trx, ctx, 'cancelled', bookingId, { attendees, dedupeSuffix: attendees.map((a) => a.id).join('-') });
  await promoteWaitlist(trx, ctx, event);
}
