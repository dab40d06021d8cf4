import type { Tx } from '../db/connect';
import { fromDbTime, fromDbTimeOrNull } from '../lib/time';

type Row = Record<string, unknown>;
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export interface FinancePayment {
  id: number;
  method: string;
  status: string;
  amount: number;
  amountRefunded: number;
  fee: number | null;
  net: number | null;
  currency: string;
  paidAt: Date;
  chargeId: string | null;
  payoutId: string | null;
  bankReference: string | null;
  note: string | null;
}

export async function listPaymentsOfBooking(db: Tx, bookingId: number): Promise<FinancePayment[]> {
  const rows = await db('payments')
    .where({ booking_id: bookingId })
    .orderBy('id')
    .select('id', 'method', 'status', 'amount', 'amount_refunded', 'fee', 'net', 'currency', 'paid_at', 'stripe_charge_id', 'stripe_payout_id', 'bank_reference', 'note');
  return rows.map((r: Row) => ({
    id: Number(r.id),
    method: String(r.method),
    status: String(r.status),
    amount: Number(r.amount),
    amountRefunded: Number(r.amount_refunded),
    fee: num(r.fee),
    net: num(r.net),
    currency: String(r.currency),
    paidAt: fromDbTime(r.paid_at),
    chargeId: text(r.stripe_charge_id),
    payoutId: text(r.stripe_payout_id),
    bankReference: text(r.bank_reference),
    note: text(r.note),
  }));
}

export interface FinanceRefund {
  id: number;
  amount: number;
  currency: string;
  status: string;
  reason: string | null;
  initiatedBy: string;
  stripeRefundId: string | null;
  payoutId: string | null;
  lastError: string | null;
  createdAt: Date;
}

export async function listRefundsOfBooking(db: Tx, bookingId: number): Promise<FinanceRefund[]> {
  const rows = await db('refunds')
    .where({ booking_id: bookingId })
    .orderBy('id')
    .select('id', 'amount', 'currency', 'status', 'reason', 'initiated_by', 'stripe_refund_id', 'stripe_payout_id', 'last_error', 'created_at');
  return rows.map((r: Row) => ({
    id: Number(r.id),
    amount: Number(r.amount),
    currency: String(r.currency),
    status: String(r.status),
    reason: text(r.reason),
    initiatedBy: String(r.initiated_by),
    stripeRefundId: text(r.stripe_refund_id),
    payoutId: text(r.stripe_payout_id),
    lastError: text(r.last_error),
    createdAt: fromDbTime(r.created_at),
  }));
}

export interface FinanceDispute {
  stripeDisputeId: string;
  amount: number;
  currency: string;
  status: string;
  reason: string | null;
  createdAt: Date;
  /** Stripe's response deadline, once the sync has seen the dispute. */
  dueBy: Date | null;
}

export async function listDisputesOfBooking(db: Tx, bookingId: number): Promise<FinanceDispute[]> {
  const rows = await db('disputes as d')
    .where({ 'd.booking_id': bookingId })
    .orderBy('d.id')
    .select('d.stripe_dispute_id', 'd.amount', 'd.currency', 'd.status', 'd.reason', 'd.created_at', db.raw('(select max(bt.dispute_due_by) from balance_transactions bt where bt.source_id = d.stripe_dispute_id) as due_by'));
  return rows.map((r: Row) => ({
    stripeDisputeId: String(r.stripe_dispute_id),
    amount: Number(r.amount),
    currency: String(r.currency).toUpperCase(),
    status: String(r.status),
    reason: text(r.reason),
    createdAt: fromDbTime(r.created_at),
    dueBy: fromDbTimeOrNull(r.due_by),
  }));
}

export async function findInvoicePaidAt(db: Tx, bookingId: number): Promise<Date | null> {
  const row = await db('bookings').where({ id: bookingId }).first('invoice_paid_at');
  return fromDbTimeOrNull(row?.invoice_paid_at);
}

/** The last four digits of the card behind a charge, from the mirror of Stripe's balance: null until the sync has seen it. */
export async function findCardLast4(db: Tx, chargeId: string): Promise<string | null> {
  const row = await db('balance_transactions').where({ charge_id: chargeId }).whereNotNull('card_last4').first('card_last4');
  return text(row?.card_last4);
}
