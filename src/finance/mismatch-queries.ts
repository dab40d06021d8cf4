import type { Tx } from '../db/connect';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../lib/time';
import { OPEN_DISPUTE_STATUSES, RECEIVED_STATUSES } from './categories';

type Row = Record<string, unknown>;
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

export interface BookingIssue {
  bookingId: number;
  reference: string;
  eventTitle: string;
  amount: number;
  currency: string;
  at: Date;
  detail: string | null;
}

/** Bookings confirmed as paid by card with no card payment recorded. */
export async function listPaidBookingsWithoutPayment(db: Tx): Promise<BookingIssue[]> {
  const rows = await db('bookings as b')
    .join('events as e', 'e.id', 'b.event_id')
    .where({ 'b.status': 'confirmed', 'b.payment_method': 'stripe' })
    .where('b.total', '>', 0)
    .whereNotExists(db('payments as p').select('p.id').whereRaw('p.booking_id = b.id').where('p.method', 'card').whereIn('p.status', RECEIVED_STATUSES))
    .select('b.id', 'b.reference', 'e.title', 'b.total', 'b.currency', 'b.confirmed_at', 'b.created_at');
  return rows.map((r: Row) => ({ bookingId: Number(r.id), reference: String(r.reference), eventTitle: String(r.title), amount: Number(r.total), currency: String(r.currency), at: fromDbTime(r.confirmed_at ?? r.created_at), detail: null }));
}

/** Card payments recorded here whose charge the sync has not found in Stripe, though it has read past them. */
export async function listPaymentsMissingInStripe(db: Tx, syncedBefore: Date): Promise<BookingIssue[]> {
  const rows = await db('payments as p')
    .join('bookings as b', 'b.id', 'p.booking_id')
    .join('events as e', 'e.id', 'b.event_id')
    .where('p.method', 'card')
    .whereIn('p.status', RECEIVED_STATUSES)
    .where('p.paid_at', '<', toDbTime(syncedBefore))
    .whereNotExists(db('balance_transactions as bt').select('bt.id').whereRaw('bt.charge_id = p.stripe_charge_id').whereIn('bt.type', ['charge', 'payment']))
    .select('b.id', 'b.reference', 'e.title', 'p.amount', 'p.currency', 'p.paid_at', 'p.stripe_charge_id');
  return rows.map((r: Row) => ({ bookingId: Number(r.id), reference: String(r.reference), eventTitle: String(r.title), amount: Number(r.amount), currency: String(r.currency), at: fromDbTime(r.paid_at), detail: text(r.stripe_charge_id) }));
}

export interface AmountIssue extends BookingIssue {
  bookingTotal: number;
  stripeAmount: number | null;
  method: string;
}

/** Card payments whose amount is not the booking's total or not what Stripe charged. */
export async function listAmountDifferences(db: Tx): Promise<AmountIssue[]> {
  const rows = await db('payments as p')
    .join('bookings as b', 'b.id', 'p.booking_id')
    .join('events as e', 'e.id', 'b.event_id')
    .leftJoin('balance_transactions as bt', function join() {
      this.on('bt.charge_id', '=', 'p.stripe_charge_id').andOnIn('bt.type', ['charge', 'payment']);
    })
    .whereIn('p.status', RECEIVED_STATUSES)
    // An invoice may be paid in instalments, and a payment above what it asks for is refused, so only a card payment
    // for a card booking is compared with the booking total. A card payment on an invoice booking ("pay by card
    // instead") is for what the invoice still asked for, not the total; an overpayment shows on the documents list.
    .where((q) => q.whereRaw("p.method = 'card' and b.payment_method <> 'invoice' and p.amount <> b.total").orWhereRaw('bt.amount is not null and bt.amount <> p.amount'))
    .select('b.id', 'b.reference', 'e.title', 'p.amount', 'p.currency', 'p.paid_at', 'p.method', 'b.total', 'bt.amount as stripe_amount');
  return rows.map((r: Row) => ({
    bookingId: Number(r.id),
    reference: String(r.reference),
    eventTitle: String(r.title),
    amount: Number(r.amount),
    currency: String(r.currency),
    at: fromDbTime(r.paid_at),
    detail: null,
    method: String(r.method),
    bookingTotal: Number(r.total),
    stripeAmount: r.stripe_amount === null || r.stripe_amount === undefined ? null : Number(r.stripe_amount),
  }));
}

/**
 * Refunds recorded here that Stripe does not have: never sent (still "requested" after a while), or
 * with a Stripe id the sync has not found though it has read past them.
 */
export async function listRefundsMissingInStripe(db: Tx, requestedBefore: Date, syncedBefore: Date | null): Promise<BookingIssue[]> {
  const rows = await db('refunds as r')
    .join('bookings as b', 'b.id', 'r.booking_id')
    .join('events as e', 'e.id', 'b.event_id')
    .where('r.amount', '>', 0)
    .where((q) => {
      q.where((w) => w.where('r.status', 'requested').where('r.created_at', '<', toDbTime(requestedBefore)));
      if (syncedBefore) {
        q.orWhere((w) =>
          w
            .whereIn('r.status', ['succeeded', 'pending'])
            .whereNotNull('r.stripe_refund_id')
            .where('r.created_at', '<', toDbTime(syncedBefore))
            .whereNotExists(db('balance_transactions as bt').select('bt.id').whereRaw('bt.source_id = r.stripe_refund_id')),
        );
      }
    })
    .select('b.id', 'b.reference', 'e.title', 'r.amount', 'r.currency', 'r.created_at', 'r.status', 'r.last_error');
  return rows.map((r: Row) => ({
    bookingId: Number(r.id),
    reference: String(r.reference),
    eventTitle: String(r.title),
    amount: Number(r.amount),
    currency: String(r.currency),
    at: fromDbTime(r.created_at),
    detail: r.status === 'requested' ? `Not yet taken by Stripe${r.last_error ? `: ${String(r.last_error).slice(0, 200)}` : ''}` : 'Stripe has no balance transaction for it',
  }));
}

export interface DisputeIssue extends Omit<BookingIssue, 'bookingId' | 'reference'> {
  bookingId: number | null;
  reference: string | null;
  stripeDisputeId: string;
  /** Stripe's `evidence_details.due_by`, from the mirror of its balance: null until the sync has seen the dispute. */
  dueBy: Date | null;
}

/** Disputes recorded here that are still open, with their response deadline. */
export async function listOpenDisputes(db: Tx): Promise<DisputeIssue[]> {
  const rows = await db('disputes as d')
    .leftJoin('bookings as b', 'b.id', 'd.booking_id')
    .leftJoin('events as e', 'e.id', 'b.event_id')
    .whereIn('d.status', OPEN_DISPUTE_STATUSES)
    .select('b.id as booking_id', 'b.reference', 'e.title', 'd.amount', 'd.currency', 'd.created_at', 'd.status', 'd.reason', 'd.stripe_dispute_id', db.raw('(select max(bt.dispute_due_by) from balance_transactions bt where bt.source_id = d.stripe_dispute_id) as due_by'));
  return rows.map((r: Row) => ({
    bookingId: r.booking_id === null || r.booking_id === undefined ? null : Number(r.booking_id),
    reference: text(r.reference),
    stripeDisputeId: String(r.stripe_dispute_id),
    dueBy: fromDbTimeOrNull(r.due_by),
    eventTitle: String(r.title ?? ''),
    amount: Number(r.amount),
    currency: String(r.currency).toUpperCase(),
    at: fromDbTime(r.created_at),
    detail: `${String(r.stripe_dispute_id)}: ${String(r.status).replace(/_/g, ' ')}${r.reason ? ` (${String(r.reason)})` : ''}`,
  }));
}
