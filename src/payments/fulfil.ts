import type { Knex } from 'knex';
import { cancelSeats, confirmHold, expireHold, isHoldLive, lockBooking, markPaymentProcessing, queueMoneyNotice, releaseHold, setRefundedTotal, type BookingRecord } from '../bookings';
import type { ServiceContext } from '../context';
import { findOurSession, noteSessionIntent } from './checkout-sessions';
import { decideFulfilment, type RefundBecause } from './decide';
import { findPaymentByIntent, insertRefund, listRefundsForPayment, refundedSoFar, setPaymentRefunded, updateRefund, upsertCardPayment, upsertDispute, type PaymentRecord, type RefundRecord } from './queries';
import type { RefundStatus, StripeState } from './types';

export interface FulfilOutcome {
  booking: BookingRecord;
  /** The payment is not kept (late, a duplicate, for a cancelled event or booking): the refunds job refunds it. */
  needsRefund: boolean;
}

type RefundWhy = RefundBecause;

const NOTES: Record<RefundWhy, string> = {
  late: 'Paid after the hold expired and the places had gone: refunded automatically',
  duplicate: 'A second payment for a booking already paid: refunded automatically',
  event_cancelled: 'Paid after the event was cancelled: refunded automatically',
  booking_cancelled: 'Paid for a booking already cancelled: refunded automatically',
};

/**
 * Brings a booking in line with what Stripe says about one of our Checkout Sessions, under the event's lock, by
 * calling the booking lifecycle (bookings/ owns every status change; this function decides nothing about seats
 * itself). Every change only moves forward (paid never becomes unpaid, a refund is recorded once by its Stripe id),
 * so the same state applied twice, or states applied in any order, end the same way. The webhook, the success page
 * and the hold sweeper all call it. The caller has checked the session is ours (checkout_sessions).
 */
export async function applyStripeState(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number, state: StripeState): Promise<FulfilOutcome> {
  const now = ctx.clock.now();
  const { booking, event } = await lockBooking(trx, bookingId);
  const intent = state.paymentIntentId;
  if (intent) await noteSessionIntent(trx, state.sessionId, intent);
  const known = intent ? await findPaymentByIntent(trx, intent) : undefined;
  const purpose = (await findOurSession(trx, state.sessionId))?.purpose ?? 'hold';
  const decision = decideFulfilment({
    purpose,
    booking: { ...booking, isHoldLive: isHoldLive(booking, now) },
    isEventCancelled: event.status === 'cancelled',
    state,
    isKnownPayment: known !== undefined,
    hasOtherPayment: booking.stripePaymentIntentId !== null && booking.stripePaymentIntentId !== intent,
  });

  let why: RefundWhy | null = null;
  switch (decision.kind) {
    case 'confirm': {
      const result = await confirmHold(trx, ctx, bookingId, intent!);
      why = result === 'seats_gone' ? 'late' : result === 'event_cancelled' ? 'event_cancelled' : result === 'not_payable' ? 'booking_cancelled' : null;
      break;
    }
    case 'refund':
      why = decision.because;
      if (decision.because === 'event_cancelled') await releaseHold(trx, ctx, bookingId, 'Paid after the event was cancelled');
      break;
    case 'processing':
      await markPaymentProcessing(trx, ctx, bookingId);
      break;
    case 'expire':
      await expireHold(trx, ctx, bookingId, decision.reason, { notifyFailed: decision.notifyFailed });
      break;
    default:
      break;
  }

  let payment = known;
  if (!payment && intent && state.paymentStatus === 'paid') {
    payment = await upsertCardPayment(
      trx,
      {
        bookingId,
        amount: state.amountTotal,
        currency: state.currency,
        paymentIntentId: intent,
        chargeId: state.chargeId,
        sessionId: state.sessionId,
        balanceTransactionId: state.balanceTransactionId,
        paidAt: state.paidAt ?? now,
        refundBecause: why,
        note: why ? NOTES[why] : undefined,
      },
      now,
    );
  } else if (payment && intent) {
    payment = await upsertCardPayment(trx, { ...paymentInput(payment, state), refundBecause: payment.refundBecause }, now);
  }
  if (payment && !known) {
    // An invoice's card payment closes the invoice (and gets its paid-in-full receipt) the way a bank payment does.
    if (purpose === 'invoice') await ctx.documents.invoicePaidByCard(trx, payment.id);
    else await ctx.documents.cardPaymentRecorded(trx, payment.id);
  }
  if (payment) {
    await applyRefunds(trx, ctx, bookingId, payment, state, now);
    for (const d of state.disputes) {
      await upsertDispute(trx, { ...d, currency: state.currency, chargeId: state.chargeId, paymentId: payment.id, bookingId }, now);
    }
  }
  const after = await lockBooking(trx, bookingId);
  return { booking: after.booking, needsRefund: why !== null && !known };
}

function paymentInput(payment: PaymentRecord, state: StripeState) {
  return {
    bookingId: payment.bookingId!,
    amount: payment.amount,
    currency: payment.currency,
    paymentIntentId: payment.stripePaymentIntentId!,
    chargeId: state.chargeId,
    sessionId: state.sessionId,
    balanceTransactionId: state.balanceTransactionId,
    paidAt: payment.paidAt,
  };
}

function refundStatus(status: string): RefundStatus {
  return status === 'succeeded' || status === 'pending' || status === 'failed' || status === 'canceled' ? status : 'pending';
}

/** Tells the buyer about a refund the first time Stripe confirms it (pending or succeeded); once per refund. */
export async function queueRefundConfirmed(trx: Knex.Transaction, ctx: ServiceContext, refund: RefundRecord): Promise<void> {
  // Every refund the provider has taken gets its credit note, whether or not the buyer is told by a notice.
  if (refund.bookingId !== null && refund.amount > 0) await ctx.documents.refundTaken(trx, refund.id);
  if (!refund.notice || refund.bookingId === null || refund.amount === 0) return;
  await queueMoneyNotice(trx, ctx, refund.notice, refund.bookingId, { amount: refund.amount, feeKept: refund.feeKept, dedupeSuffix: `refund-${refund.id}`, withLines: false });
}

/**
 * Records Stripe's refunds of one payment once each, matched by Stripe refund id or by our refund id in its metadata,
 * so nothing is counted twice. Ours carry the seats they are for; a refund made in the Stripe dashboard cancels the
 * last seats it fully covers (a small goodwill refund cancels none). Stripe is the truth about what was refunded:
 * our own refunds that never reached Stripe are withdrawn when Stripe has already refunded what they were for, so the
 * refunded total never exceeds the payment (the database checks that too).
 */
async function applyRefunds(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number, payment: PaymentRecord, state: StripeState, now: Date) {
  const local = await listRefundsForPayment(trx, payment.id);
  const stripeTotal = state.refunds.filter((r) => r.status !== 'failed' && r.status !== 'canceled').reduce((s, r) => s + r.amount, 0);
  for (const refund of state.refunds) {
    const status = refundStatus(refund.status);
    const known = local.find((r) => r.stripeRefundId === refund.id) ?? (refund.ourRefundId ? local.find((r) => r.id === refund.ourRefundId && !r.stripeRefundId) : undefined);
    if (known) {
      if (known.status !== status || known.stripeRefundId !== refund.id) {
        await updateRefund(trx, known.id, { stripeRefundId: refund.id, status, lastError: null }, now);
        const wasConfirmed = known.status === 'pending' || known.status === 'succeeded';
        if (!wasConfirmed && (status === 'pending' || status === 'succeeded')) await queueRefundConfirmed(trx, ctx, known);
      }
      continue;
    }
    if (status === 'failed' || status === 'canceled') continue;
    const active = (await lockBooking(trx, bookingId)).attendees.filter((a) => a.status === 'active');
    // Seats go only with the money that paid for them, never with a duplicate or late payment's refund.
    const isBookingPayment = (await lockBooking(trx, bookingId)).booking.stripePaymentIntentId === payment.stripePaymentIntentId && !payment.refundBecause;
    const covered: number[] = [];
    let left = refund.amount;
    const fullyRefunded = stripeTotal >= payment.amount;
    for (const a of isBookingPayment ? [...active].reverse() : []) {
      if (fullyRefunded || a.unitPrice <= left) {
        covered.push(a.id);
        left -= a.unitPrice;
      }
    }
    const refundId = await insertRefund(trx, { paymentId: payment.id, bookingId, amount: refund.amount, currency: state.currency, status, reason: refund.reason ?? 'Refunded in the Stripe dashboard', initiatedBy: 'dashboard', attendeeIds: covered, stripeRefundId: refund.id }, now);
    if (refund.amount > 0) await ctx.documents.refundTaken(trx, refundId);
    if (covered.length) await cancelSeats(trx, ctx, bookingId, 'Refunded', covered);
  }

  // Our refunds not yet at Stripe: withdraw the newest while Stripe's refunds and theirs add up to more than was paid.
  const unsent = (await listRefundsForPayment(trx, payment.id)).filter((r) => r.status === 'requested' && !r.stripeRefundId).reverse();
  let promised = unsent.reduce((s, r) => s + r.amount, 0);
  for (const refund of unsent) {
    if (stripeTotal + promised <= payment.amount) break;
    await updateRefund(trx, refund.id, { status: 'canceled', lastError: 'Withdrawn: Stripe had already refunded this payment (a refund made in the Stripe dashboard)' }, now);
    ctx.logger.warn('refund withdrawn: Stripe had already refunded the payment', { refundId: refund.id, bookingId, paymentId: payment.id });
    promised -= refund.amount;
  }
  const refunded = refundedSoFar(await listRefundsForPayment(trx, payment.id));
  await setPaymentRefunded(trx, payment.id, refunded, payment.amount, now);
  const { booking } = await lockBooking(trx, bookingId);
  if (booking.stripePaymentIntentId === payment.stripePaymentIntentId) await setRefundedTotal(trx, bookingId, Math.min(refunded, booking.total));
}
