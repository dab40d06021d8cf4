import type { Tx } from '../db/connect';
import { fromDbTime, toDbTime } from '../lib/time';
import type { RefundNotice } from '../bookings';
import type { RefundBecause } from './decide';
import { OPEN_DISPUTE_STATUSES, type RefundInitiator, type RefundStatus } from './types';

type Row = Record<string, unknown>;

/** Records a Stripe event id; false when it was already recorded (the webhook was delivered before). */
export async function recordStripeEvent(db: Tx, event: { id: string; type: string; created: number }, bookingId: number | null, now: Date): Promise<boolean> {
  const rows = await db('stripe_events')
    .insert({ id: event.id, type: event.type, booking_id: bookingId, created_at: toDbTime(new Date(event.created * 1000)), processed_at: toDbTime(now) })
    .onConflict('id')
    .ignore()
    .returning('id');
  return rows.length === 1;
}

export interface PaymentRecord {
  id: number;
  bookingId: number | null;
  method: 'card' | 'invoice';
  status: string;
  amount: number;
  currency: string;
  amountRefunded: number;
  stripePaymentIntentId: string | null;
  stripeChargeId: string | null;
  needsRefund: boolean;
  /** Why we keep none of this payment: it is (or was) refunded in full. */
  refundBecause: RefundBecause | null;
  paidAt: Date;
}

function toPayment(row: Row): PaymentRecord {
  return {
    id: Number(row.id),
    bookingId: row.booking_id === null ? null : Number(row.booking_id),
    method: row.method as PaymentRecord['method'],
    status: String(row.status),
    amount: Number(row.amount),
    currency: String(row.currency),
    amountRefunded: Number(row.amount_refunded),
    stripePaymentIntentId: (row.stripe_payment_intent_id as string | null) ?? null,
    stripeChargeId: (row.stripe_charge_id as string | null) ?? null,
    needsRefund: Boolean(row.needs_refund),
    refundBecause: (row.refund_because as RefundBecause | null) ?? null,
    paidAt: fromDbTime(row.paid_at),
  };
}

export async function findPaymentByIntent(db: Tx, paymentIntentId: string): Promise<PaymentRecord | undefined> {
  const row = await db('payments').where({ stripe_payment_intent_id: paymentIntentId }).first();
  return row ? toPayment(row) : undefined;
}

/**
 * The card payment that paid for the booking: the PaymentIntent that confirmed it. A second payment for the same
 * booking, or one that came too late, is recorded against the booking too but is never this one.
 */
export async function findBookingCardPayment(db: Tx, bookingId: number): Promise<PaymentRecord | undefined> {
  const row = await db('payments')
    .join('bookings', 'bookings.stripe_payment_intent_id', 'payments.stripe_payment_intent_id')
    .where('bookings.id', bookingId)
    .where('payments.method', 'card')
    .first('payments.*');
  if (row) return toPayment(row);
  // An invoice booking paid by card ("pay by card instead"): its newest card payment with something left to refund
  // (an overpayment after a bank transfer is the newest).
  const invoiceCard = await db('payments as p')
    .join('checkout_sessions as s', 's.stripe_checkout_session_id', 'p.stripe_checkout_session_id')
    .where({ 'p.booking_id': bookingId, 'p.method': 'card', 's.purpose': 'invoice' })
    .whereRaw('p.amount_refunded < p.amount')
    .orderBy('p.id', 'desc')
    .first('p.*');
  return invoiceCard ? toPayment(invoiceCard) : undefined;
}

export interface CardPaymentInput {
  bookingId: number;
  amount: number;
  currency: string;
  paymentIntentId: string;
  chargeId: string | null;
  sessionId: string;
  balanceTransactionId: string | null;
  paidAt: Date;
  refundBecause: RefundBecause | null;
  note?: string;
}

/** One payments row per PaymentIntent, however often the same payment is reported. */
export async function upsertCardPayment(db: Tx, input: CardPaymentInput, now: Date): Promise<PaymentRecord> {
  const existing = await findPaymentByIntent(db, input.paymentIntentId);
  if (existing) {
    await db('payments')
      .where({ id: existing.id })
      .update({
        stripe_charge_id: input.chargeId ?? existing.stripeChargeId,
        stripe_balance_transaction_id: input.balanceTransactionId ?? db.raw('stripe_balance_transaction_id'),
        updated_at: toDbTime(now),
      });
    return (await findPaymentByIntent(db, input.paymentIntentId))!;
  }
  await db('payments').insert({
    booking_id: input.bookingId,
    method: 'card',
    status: 'succeeded',
    amount: input.amount,
    currency: input.currency,
    amount_refunded: 0,
    stripe_payment_intent_id: input.paymentIntentId,
    stripe_charge_id: input.chargeId,
    stripe_checkout_session_id: input.sessionId,
    stripe_balance_transaction_id: input.balanceTransactionId,
    needs_refund: input.refundBecause !== null,
    refund_because: input.refundBecause,
    note: input.note ?? null,
    paid_at: toDbTime(input.paidAt),
    created_at: toDbTime(now),
    updated_at: toDbTime(now),
  });
  return (await findPaymentByIntent(db, input.paymentIntentId))!;
}

export async function setPaymentRefunded(db: Tx, paymentId: number, amountRefunded: number, amount: number, now: Date): Promise<void> {
  const status = amountRefunded === 0 ? 'succeeded' : amountRefunded >= amount ? 'refunded' : 'partially_refunded';
  await db('payments').where({ id: paymentId }).update({ amount_refunded: amountRefunded, status, updated_at: toDbTime(now) });
}

export async function clearNeedsRefund(db: Tx, paymentId: number, now: Date): Promise<void> {
  await db('payments').where({ id: paymentId }).update({ needs_refund: false, updated_at: toDbTime(now) });
}

export async function listPaymentsNeedingRefund(db: Tx, limit: number): Promise<PaymentRecord[]> {
  return (await db('payments').where({ needs_refund: true }).orderBy('id').limit(limit)).map(toPayment);
}

export interface RefundRecord {
  id: number;
  paymentId: number | null;
  bookingId: number | null;
  stripeRefundId: string | null;
  amount: number;
  currency: string;
  status: RefundStatus;
  reason: string | null;
  initiatedBy: RefundInitiator;
  attendeeIds: number[];
  /** Minor units the event's refund policy kept on these seats when this refund was made (0 for a full refund). */
  feeKept: number;
  attempts: number;
  /** The email the buyer gets once Stripe confirms the refund. */
  notice: RefundNotice | null;
  /** Why Stripe has not taken it yet (the last attempt's error). */
  lastError: string | null;
  createdAt: Date;
}

function toRefund(row: Row): RefundRecord {
  return {
    id: Number(row.id),
    paymentId: row.payment_id === null ? null : Number(row.payment_id),
    bookingId: row.booking_id === null ? null : Number(row.booking_id),
    stripeRefundId: (row.stripe_refund_id as string | null) ?? null,
    amount: Number(row.amount),
    currency: String(row.currency),
    status: row.status as RefundStatus,
    reason: (row.reason as string | null) ?? null,
    initiatedBy: row.initiated_by as RefundInitiator,
    attendeeIds: row.attendee_ids ? String(row.attendee_ids).split(',').map(Number) : [],
    feeKept: Number(row.fee_kept ?? 0),
    attempts: Number(row.attempts),
    notice: (row.notice as RefundNotice | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    createdAt: fromDbTime(row.created_at),
  };
}

export async function listRefundsForBooking(db: Tx, bookingId: number): Promise<RefundRecord[]> {
  return (await db('refunds').where({ booking_id: bookingId }).orderBy('id')).map(toRefund);
}

export async function listRefundsForPayment(db: Tx, paymentId: number): Promise<RefundRecord[]> {
  return (await db('refunds').where({ payment_id: paymentId }).orderBy('id')).map(toRefund);
}

/** What counts as refunded: every refund but those Stripe failed or cancelled (a `requested` one counts: it is promised). */
export function refundedSoFar(refunds: RefundRecord[]): number {
  return refunds.filter((r) => r.status !== 'failed' && r.status !== 'canceled').reduce((s, r) => s + r.amount, 0);
}

export async function findRefund(db: Tx, id: number): Promise<RefundRecord | undefined> {
  const row = await db('refunds').where({ id }).first();
  return row ? toRefund(row) : undefined;
}

export interface NewRefund {
  paymentId: number;
  bookingId: number;
  amount: number;
  currency: string;
  status: RefundStatus;
  reason: string;
  initiatedBy: RefundInitiator;
  attendeeIds: number[];
  stripeRefundId?: string;
  notice?: RefundNotice | null;
  /** Minor units the refund policy kept (default 0). */
  feeKept?: number;
}

export async function insertRefund(db: Tx, refund: NewRefund, now: Date): Promise<number> {
  const [row] = await db('refunds')
    .insert({
      payment_id: refund.paymentId,
      booking_id: refund.bookingId,
      stripe_refund_id: refund.stripeRefundId ?? null,
      amount: refund.amount,
      currency: refund.currency,
      status: refund.status,
      reason: refund.reason,
      initiated_by: refund.initiatedBy,
      attendee_ids: refund.attendeeIds.join(',') || null,
      notice: refund.notice ?? null,
      fee_kept: refund.feeKept ?? 0,
      created_at: toDbTime(now),
      updated_at: toDbTime(now),
    })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

export async function updateRefund(db: Tx, id: number, changes: { stripeRefundId?: string; status?: RefundStatus; lastError?: string | null; attempted?: boolean }, now: Date): Promise<void> {
  const update: Row = { updated_at: toDbTime(now) };
  if (changes.stripeRefundId) update.stripe_refund_id = changes.stripeRefundId;
  if (changes.status) update.status = changes.status;
  if (changes.lastError !== undefined) update.last_error = changes.lastError;
  if (changes.attempted) update.attempts = db.raw('attempts + 1');
  await db('refunds').where({ id }).update(update);
}

/** Our refunds that Stripe has not been asked for yet (or the ask failed), oldest first. */
export async function listRequestedRefunds(db: Tx, limit: number): Promise<RefundRecord[]> {
  return (await db('refunds').where({ status: 'requested' }).whereNull('stripe_refund_id').where('attempts', '<', 10).orderBy('id').limit(limit)).map(toRefund);
}

export async function upsertDispute(
  db: Tx,
  dispute: { id: string; amount: number; currency: string; status: string; reason: string | null; chargeId: string | null; paymentId: number | null; bookingId: number | null; created: Date },
  now: Date,
): Promise<void> {
  const existing = await db('disputes').where({ stripe_dispute_id: dispute.id }).first();
  const values = { amount: dispute.amount, currency: dispute.currency, status: dispute.status, reason: dispute.reason, updated_at: toDbTime(now) };
  // A closed dispute (won, lost) is final at Stripe: an older reading of it, applied late, never reopens it.
  const isStale = existing && !OPEN_DISPUTE_STATUSES.includes(String(existing.status)) && OPEN_DISPUTE_STATUSES.includes(dispute.status);
  if (existing && isStale) return;
  if (existing) await db('disputes').where({ id: existing.id }).update(values);
  else
    await db('disputes').insert({
      stripe_dispute_id: dispute.id,
      payment_id: dispute.paymentId,
      booking_id: dispute.bookingId,
      stripe_charge_id: dispute.chargeId,
      ...values,
      created_at: toDbTime(dispute.created),
    });
}


export async function hasOpenDispute(db: Tx, paymentId: number): Promise<boolean> {
  const row = await db('disputes').where({ payment_id: paymentId }).whereIn('status', OPEN_DISPUTE_STATUSES).first('id');
  return row !== undefined;
}
