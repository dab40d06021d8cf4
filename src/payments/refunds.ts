import { findBookingById, listAttendees } from '../bookings/queries';
import { promoteWaitlist } from '../bookings/waitlist';
import { findEventById } from '../events/queries';
import { getBookingForHolder, loadBookingView, type BookingView } from '../bookings/service';
import type { ServiceContext } from '../context';
import { lockRow, writeTransaction } from '../db/dialect';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors';
import { formatInstant, toDbTime } from '../lib/time';
import { formatMoney } from '../lib/money';
import { cancelSeats } from './fulfil';
import {
  clearNeedsRefund,
  hasOpenDispute,
  findPaymentForBooking,
  findRefund,
  insertRefund,
  listPaymentsNeedingRefund,
  listRefundsForBooking,
  listRequestedRefunds,
  setPaymentRefunded,
  updateRefund,
} from './queries';
import { stripeOf, syncBookingWithStripe } from './sync';
import type { RefundInitiator } from './types';

export interface RefundRequest {
  bookingId: number;
  /** Minor units; at most what is left unrefunded. */
  amount: number;
  /** The seats this refund gives up; they are cancelled and sent a calendar CANCEL. */
  attendeeIds: number[];
  reason: string;
  initiatedBy: RefundInitiator;
}

/**
 * Records a refund and its effect on the booking in one transaction, then asks Stripe for it after
 * the commit. If Stripe cannot be reached the refund stays 'requested' and the payments job retries it.
 */
export async function requestRefund(ctx: ServiceContext, request: RefundRequest): Promise<number> {
  const now = ctx.clock.now();
  const refundId = await writeTransaction(ctx.db, async (trx) => {
    const found = await findBookingById(trx, request.bookingId);
    if (!found) throw new NotFoundError('No such booking.', 'booking_not_found');
    await lockRow(trx, 'events', found.eventId);
    const payment = await findPaymentForBooking(trx, request.bookingId);
    if (!payment || payment.method !== 'card' || !payment.stripePaymentIntentId) throw new ConflictError('no_card_payment', 'This booking has no card payment to refund.');
    // Stripe refuses to refund a charge under dispute: the dispute's outcome settles the money.
    if (await hasOpenDispute(trx, payment.id)) throw new ConflictError('payment_disputed', 'This payment is disputed with the card issuer, so it cannot be refunded until the dispute is closed.');
    const refunded = (await listRefundsForBooking(trx, request.bookingId)).filter((r) => r.status !== 'failed' && r.status !== 'canceled').reduce((s, r) => s + r.amount, 0);
    if (!Number.isInteger(request.amount) || request.amount < 0 || request.amount > payment.amount - refunded) {
      throw new ValidationError([{ path: 'amount', message: `must be between 0 and ${formatMoney(payment.amount - refunded, payment.currency)}` }]);
    }
    const id = await insertRefund(
      trx,
      { paymentId: payment.id, bookingId: request.bookingId, amount: request.amount, currency: payment.currency, status: request.amount === 0 ? 'succeeded' : 'requested', reason: request.reason, initiatedBy: request.initiatedBy, attendeeIds: request.attendeeIds },
      now,
    );
    await setPaymentRefunded(trx, payment.id, refunded + request.amount, payment.amount, now);
    await trx('bookings').where({ id: request.bookingId }).update({ refunded_total: refunded + request.amount });
    if (request.attendeeIds.length) await cancelSeats(trx, ctx, request.bookingId, request.attendeeIds, now);
    return id;
  });
  ctx.kickOutbox();
  await sendRefundToStripe(ctx, refundId).catch(() => undefined);
  return refundId;
}

/** Asks Stripe for a recorded refund; the idempotency key makes a retry after a timeout safe. */
export async function sendRefundToStripe(ctx: ServiceContext, refundId: number): Promise<void> {
  const now = ctx.clock.now();
  const refund = await findRefund(ctx.db, refundId);
  if (!refund || refund.status !== 'requested' || refund.stripeRefundId || refund.amount === 0) return;
  const payment = await findPaymentForBooking(ctx.db, refund.bookingId!);
  if (!payment?.stripePaymentIntentId) return;
  try {
    const created = await stripeOf(ctx).refunds.create(
      {
        payment_intent: payment.stripePaymentIntentId,
        amount: refund.amount,
        reason: 'requested_by_customer',
        metadata: { booking_id: String(refund.bookingId), refund_id: String(refund.id), attendee_ids: refund.attendeeIds.join(','), reason: (refund.reason ?? '').slice(0, 450) },
      },
      { idempotencyKey: `refund-${refund.id}` },
    );
    await updateRefund(ctx.db, refund.id, { stripeRefundId: created.id, status: created.status === 'succeeded' ? 'succeeded' : 'pending', lastError: null, attempted: true }, now);
  } catch (error) {
    await updateRefund(ctx.db, refund.id, { lastError: error instanceof Error ? error.message : String(error), attempted: true }, now);
    throw error;
  }
}

/** Refunds what is left of a booking's card payment and cancels all its seats (an event cancelled by staff). */
export async function refundBookingInFull(ctx: ServiceContext, bookingId: number, reason: string): Promise<void> {
  const payment = await findPaymentForBooking(ctx.db, bookingId);
  if (!payment) throw new ConflictError('no_card_payment', 'This booking has no card payment to refund.');
  const attendees = (await listAttendees(ctx.db, bookingId)).filter((a) => a.status === 'active');
  const refunded = (await listRefundsForBooking(ctx.db, bookingId)).filter((r) => r.status !== 'failed' && r.status !== 'canceled').reduce((s, r) => s + r.amount, 0);
  await requestRefund(ctx, { bookingId, amount: payment.amount - refunded, attendeeIds: attendees.map((a) => a.id), reason, initiatedBy: 'staff' });
}

export interface RefundPolicy {
  allowed: boolean;
  amount: number;
  fee: number;
  deadlineLabel: string | null;
  contactEmail: string | null;
}

/** What cancelling through the manage link would refund now: the total less the fee kept, before the deadline. */
export function refundPolicyFor(view: BookingView, now: Date): RefundPolicy {
  const { booking, event } = view;
  const withinDeadline = event.refundDeadlineAt === null || now < event.refundDeadlineAt;
  const left = booking.total - booking.refundedTotal;
  const fee = Math.min(event.refundFee, left);
  return {
    allowed: booking.status === 'confirmed' && booking.paymentMethod === 'stripe' && withinDeadline && now < event.startsAt,
    amount: left - fee,
    fee,
    deadlineLabel: event.refundDeadlineAt ? formatInstant(event.refundDeadlineAt, event.timezone) : null,
    contactEmail: event.contactEmail,
  };
}

/** The attendee cancels a paid booking through the manage link, within the refund policy. */
export async function cancelPaidBookingAsHolder(ctx: ServiceContext, reference: string, token: string | undefined): Promise<BookingView> {
  const view = await getBookingForHolder(ctx, reference, token);
  if (view.booking.status === 'cancelled') return view;
  const policy = refundPolicyFor(view, ctx.clock.now());
  if (!policy.allowed) {
    throw new ConflictError('refund_not_available', `This booking can no longer be cancelled online. Please contact ${policy.contactEmail ?? 'the organisers'}.`);
  }
  const attendees = view.attendees.filter((a) => a.status === 'active');
  await requestRefund(ctx, {
    bookingId: view.booking.id,
    amount: policy.amount,
    attendeeIds: attendees.map((a) => a.id),
    reason: policy.fee > 0 ? `Cancelled by the buyer; ${formatMoney(policy.fee, view.booking.currency)} kept under the refund policy` : 'Cancelled by the buyer',
    initiatedBy: 'attendee',
  });
  return loadBookingView(ctx.db, view.booking.id);
}

/**
 * The payments job: retries refunds Stripe has not taken yet, and refunds payments that arrived too
 * late to keep their seats. Each step is recorded before Stripe is asked, so nothing is refunded twice.
 */
export async function processPendingRefunds(ctx: ServiceContext): Promise<number> {
  let done = 0;
  for (const payment of await listPaymentsNeedingRefund(ctx.db, 20)) {
    const refundId = await writeTransaction(ctx.db, async (trx) => {
      const fresh = await trx('payments').where({ id: payment.id, needs_refund: true }).first('id');
      if (!fresh) return null;
      await clearNeedsRefund(trx, payment.id, ctx.clock.now());
      const id = await insertRefund(
        trx,
        { paymentId: payment.id, bookingId: payment.bookingId!, amount: payment.amount - payment.amountRefunded, currency: payment.currency, status: 'requested', reason: 'Paid after the hold expired and the seats were gone', initiatedBy: 'system', attendeeIds: [] },
        ctx.clock.now(),
      );
      await setPaymentRefunded(trx, payment.id, payment.amount, payment.amount, ctx.clock.now());
      return id;
    });
    if (refundId) done++;
  }
  for (const refund of await listRequestedRefunds(ctx.db, 20)) {
    await sendRefundToStripe(ctx, refund.id).then(
      () => done++,
      () => undefined,
    );
  }
  return done;
}


/**
 * The buyer gives up a hold before paying: the Stripe session is expired first so it can no longer
 * be paid; if a payment slipped in meanwhile, fulfilment confirms the booking instead.
 */
export async function cancelPendingBookingAsHolder(ctx: ServiceContext, reference: string, token: string | undefined): Promise<BookingView> {
  const view = await getBookingForHolder(ctx, reference, token);
  const sessionId = view.booking.stripeCheckoutSessionId;
  if (sessionId) {
    await stripeOf(ctx).checkout.sessions.expire(sessionId).catch(() => undefined);
    await syncBookingWithStripe(ctx, view.booking.id);
  }
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    await lockRow(trx, 'events', view.booking.eventId);
    const changed = await trx('bookings')
      .where({ id: view.booking.id, status: 'pending_payment' })
      .update({ status: 'cancelled', cancelled_at: toDbTime(now), cancel_reason: 'Cancelled by the buyer before paying', updated_at: toDbTime(now) });
    if (changed) await promoteWaitlist(trx, ctx, (await findEventById(trx, view.booking.eventId))!);
  });
  ctx.kickOutbox();
  return loadBookingView(ctx.db, view.booking.id);
}
