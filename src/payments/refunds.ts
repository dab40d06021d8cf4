import type { Knex } from 'knex';
import { cancelBookingSeats, cancelSeats, lockBooking, setRefundedTotal, type RefundNotice, type RefundRequest } from '../bookings';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { ConflictError, ValidationError } from '../lib/errors';
import { errorFields } from '../lib/logger';
import { formatMoney } from '../lib/money';
import type { RefundBecause } from './decide';
import { queueRefundConfirmed } from './fulfil';
import {
  clearNeedsRefund,
  findBookingCardPayment,
  findRefund,
  hasOpenDispute,
  insertRefund,
  listPaymentsNeedingRefund,
  listRefundsForPayment,
  listRequestedRefunds,
  refundedSoFar,
  setPaymentRefunded,
  updateRefund,
} from './queries';

/**
 * Records a refund of the booking's card payment inside the caller's transaction (no network): `requested` until
 * Stripe confirms it. The payment's and the booking's refunded totals count it at once, so nothing can be refunded
 * twice; they can never exceed what was paid (checked here, and by the database).
 * Throws ConflictError `no_card_payment`, `payment_disputed`; ValidationError on `amount`.
 */
export async function recordRefund(trx: Knex.Transaction, ctx: ServiceContext, request: RefundRequest): Promise<number> {
  const now = ctx.clock.now();
  const { booking } = await lockBooking(trx, request.bookingId);
  const payment = await findBookingCardPayment(trx, request.bookingId);
  if (!payment || !payment.stripePaymentIntentId) throw new ConflictError('no_card_payment', 'This booking has no card payment to refund.');
  // Stripe refuses to refund a charge under dispute: the dispute's outcome settles the money.
  if (await hasOpenDispute(trx, payment.id)) throw new ConflictError('payment_disputed', 'This payment is disputed with the card issuer, so it cannot be refunded until the dispute is closed.');
  const refunded = refundedSoFar(await listRefundsForPayment(trx, payment.id));
  const left = payment.amount - refunded;
  if (!Number.isInteger(request.amount) || request.amount < 0 || request.amount > left) {
    throw new ValidationError([{ path: 'amount', message: `must be between 0 and ${formatMoney(left, payment.currency)}` }]);
  }
  const id = await insertRefund(
    trx,
    {
      paymentId: payment.id,
      bookingId: request.bookingId,
      amount: request.amount,
      currency: payment.currency,
      status: request.amount === 0 ? 'succeeded' : 'requested',
      reason: request.reason,
      initiatedBy: request.initiatedBy,
      attendeeIds: request.attendeeIds,
      notice: request.notice,
      feeKept: request.feeKept ?? 0,
    },
    now,
  );
  await setPaymentRefunded(trx, payment.id, refunded + request.amount, payment.amount, now);
  // The booking's refunded total is its places' money; repaying an invoice's card payment (an overpayment) is not.
  if (booking.stripePaymentIntentId === payment.stripePaymentIntentId) await setRefundedTotal(trx, request.bookingId, Math.min(booking.total, booking.refundedTotal + request.amount));
  return id;
}

/**
 * Asks Stripe for a recorded refund; the idempotency key `refund-<id>` makes a retry after a timeout safe. Stripe's
 * answer and the buyer's email (only now: the refund is confirmed) commit together. Throws when Stripe cannot be
 * reached or refuses; the refund stays `requested` with the error recorded, for the retry job.
 */
export async function sendRefundToStripe(ctx: ServiceContext, refundId: number): Promise<void> {
  const refund = await findRefund(ctx.db, refundId);
  if (!refund || refund.status !== 'requested' || refund.stripeRefundId || refund.amount === 0 || refund.paymentId === null) return;
  const payment = await ctx.db('payments').where({ id: refund.paymentId }).first('stripe_payment_intent_id');
  if (!payment?.stripe_payment_intent_id) return;
  if (!ctx.stripe) throw new Error('Stripe is not configured: the refund stays requested');
  try {
    const created = await ctx.stripe.refunds.create(
      {
        payment_intent: String(payment.stripe_payment_intent_id),
        amount: refund.amount,
        reason: 'requested_by_customer',
        metadata: { booking_id: String(refund.bookingId), refund_id: String(refund.id), attendee_ids: refund.attendeeIds.join(','), reason: (refund.reason ?? '').slice(0, 450) },
      },
      { idempotencyKey: `refund-${refund.id}` },
    );
    const status = created.status === 'succeeded' ? 'succeeded' : created.status === 'failed' || created.status === 'canceled' ? created.status : 'pending';
    await writeTransaction(ctx.db, async (trx) => {
      // The event's lock first, as every transaction that touches a booking's money takes it (the webhook's does, then
      // updates this refund): taken after the refund row, PostgreSQL found the two waiting on each other (the credit
      // note's and the notice's rows point at the event) and killed one, leaving the refund "requested".
      if (refund.bookingId !== null) await lockBooking(trx, refund.bookingId);
      const current = await findRefund(trx, refund.id);
      if (!current || current.status !== 'requested') return;
      await updateRefund(trx, refund.id, { stripeRefundId: created.id, status, lastError: null, attempted: true }, ctx.clock.now());
      if (status === 'pending' || status === 'succeeded') await queueRefundConfirmed(trx, ctx, current);
    });
    ctx.kickOutbox();
  } catch (error) {
    await updateRefund(ctx.db, refund.id, { lastError: error instanceof Error ? error.message : String(error), attempted: true }, ctx.clock.now());
    throw error;
  }
}

/** The gateway's "send after commit": a failure is recorded on the refund and logged, and the refunds job retries it. */
export async function sendRefundLogged(ctx: ServiceContext, refundId: number): Promise<void> {
  try {
    await sendRefundToStripe(ctx, refundId);
  } catch (error) {
    ctx.logger.warn('refund not yet accepted by Stripe; it stays requested and is retried', { refundId, ...errorFields(error) });
  }
}

const NOTICE_FOR: Record<RefundBecause, RefundNotice> = {
  late: 'refunded_after_expiry',
  duplicate: 'refunded_duplicate',
  event_cancelled: 'refunded_event_cancelled',
  booking_cancelled: 'refund_issued',
};

/**
 * The staff side of refunds: refunds `amount` of the booking's card payment, giving up `attendeeIds` (their seats are
 * cancelled and sent a calendar CANCEL). The refund, the seats and `within` (the audit entry) commit together, or none
 * of them does; Stripe is asked after the commit. Throws as recordRefund, and whatever stops the commit. When Stripe
 * refuses or cannot be reached, the refund is recorded: it stays requested with the error kept on it, is logged, and
 * the refunds job retries it (the buyer hears once Stripe confirms), so that is not thrown.
 */
export async function requestRefund(
  ctx: ServiceContext,
  request: Omit<RefundRequest, 'notice'> & { notice?: RefundNotice | null; within?: (trx: Knex.Transaction, refundId: number) => Promise<void> },
): Promise<number> {
  const refundId = await writeTransaction(ctx.db, async (trx) => {
    const id = await recordRefund(trx, ctx, { ...request, notice: request.notice === undefined ? 'refund_issued' : request.notice });
    if (request.attendeeIds.length) await cancelSeats(trx, ctx, request.bookingId, request.reason, request.attendeeIds);
    await request.within?.(trx, id);
    return id;
  });
  ctx.kickOutbox();
  await sendRefundLogged(ctx, refundId);
  return refundId;
}

/**
 * The payments job: refunds payments we keep nothing of (late, duplicate, for a cancelled event or booking), and
 * retries refunds Stripe has not taken yet. Each refund is recorded before Stripe is asked, so nothing is refunded
 * twice. Returns how many refunds it created or sent.
 */
export async function processPendingRefunds(ctx: ServiceContext): Promise<number> {
  let done = 0;
  for (const payment of await listPaymentsNeedingRefund(ctx.db, 20)) {
    const refundId = await writeTransaction(ctx.db, async (trx) => {
      const fresh = await trx('payments').where({ id: payment.id, needs_refund: true }).first('id');
      if (!fresh) return null;
      await clearNeedsRefund(trx, payment.id, ctx.clock.now());
      const refunded = refundedSoFar(await listRefundsForPayment(trx, payment.id));
      if (refunded >= payment.amount) return null;
      const id = await insertRefund(
        trx,
        {
          paymentId: payment.id,
          bookingId: payment.bookingId!,
          amount: payment.amount - refunded,
          currency: payment.currency,
          status: 'requested',
          reason: payment.refundBecause ? `Refunded automatically: ${payment.refundBecause.replace('_', ' ')}` : 'Refunded automatically',
          initiatedBy: 'system',
          attendeeIds: [],
          notice: NOTICE_FOR[payment.refundBecause ?? 'late'],
        },
        ctx.clock.now(),
      );
      await setPaymentRefunded(trx, payment.id, payment.amount, payment.amount, ctx.clock.now());
      return id;
    });
    if (refundId) done++;
  }
  for (const refund of await listRequestedRefunds(ctx.db, 20)) {
    try {
      await sendRefundToStripe(ctx, refund.id);
      done++;
    } catch (error) {
      ctx.logger.warn('refund retry failed; it stays requested', { refundId: refund.id, attempts: refund.attempts + 1, ...errorFields(error) });
    }
  }
  return done;
}

/**
 * Refunds what is left of a booking's card payment and cancels all its seats (an event cancelled by staff). Throws
 * when Stripe did not take the refund (it stays requested and the refunds job retries it), so the caller can list it.
 */
export async function refundBookingInFull(ctx: ServiceContext, bookingId: number, reason: string): Promise<void> {
  const { outcome } = await cancelBookingSeats(ctx, bookingId, { refund: 'full', reason, initiatedBy: 'staff', notice: 'refunded_event_cancelled' });
  if (outcome.refundId === undefined) return;
  const refund = await findRefund(ctx.db, outcome.refundId);
  if (refund?.status === 'requested') throw new Error(refund.lastError ?? 'Stripe has not taken the refund yet');
}
