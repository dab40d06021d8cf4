import type { Knex } from 'knex';
import type { Tx } from '../db/connect';
import { fromDbTime } from '../lib/time';
import { RECEIVED_STATUSES } from './categories';

/**
 * The one definition of what an invoice still asks for. Every page, the finance API and the exports read it from here.
 *
 *   outstanding = total − credits − payments received
 *
 * where payments received are bank payments (method `invoice`) and card payments on the invoice booking ("pay by card
 * instead", net of what was refunded of them: an overpayment repaid is no longer received).
 * for a booking paid by invoice whose invoice is still open (`invoice_status = 'outstanding'`), whatever the booking's
 * own status: a cancelled booking whose cancellation kept a fee under the refund policy, or was made with no credit,
 * still owes the rest. An invoice leaves the list when it reaches 0 (`paid` by a payment, `credited` by a credit) or is
 * written off; those ask for nothing. A written-off payments row is not money received.
 */

type Row = Record<string, unknown>;
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

const creditedSql = 'COALESCE((SELECT SUM(c.amount) FROM credits c WHERE c.booking_id = b.id), 0)';
/** SQL: what a payment brought in towards an invoice: a bank payment's amount, a card payment's amount less its refunds. */
export const receivedAmountSql = "(CASE WHEN p.method = 'card' THEN p.amount - p.amount_refunded ELSE p.amount END)";
const receivedSql = `COALESCE((SELECT SUM(${receivedAmountSql}) FROM payments p WHERE p.booking_id = b.id AND p.method IN ('invoice', 'card') AND p.status IN (${RECEIVED_STATUSES.map(() => '?').join(', ')})), 0)`;

/** Open invoices with their figures: one row per booking (b.*, credited, received, outstanding). */
function openInvoices(db: Tx): Knex.QueryBuilder {
  return db('bookings as b')
    .where({ 'b.payment_method': 'invoice', 'b.invoice_status': 'outstanding' })
    .select(db.raw(`${creditedSql} as credited`), db.raw(`${receivedSql} as received`, RECEIVED_STATUSES));
}

export interface InvoiceBalance {
  total: number;
  credited: number;
  received: number;
  /** What the invoice still asks for: 0 unless it is open. */
  outstanding: number;
  /** `outstanding`, `paid`, `credited`, `written_off`; null for a booking not paid by invoice or not yet confirmed. */
  status: string | null;
}

/** One booking's invoice figures, whatever its state. Throws when the booking does not exist. */
export async function invoiceBalance(db: Tx, bookingId: number): Promise<InvoiceBalance> {
  const row = await db('bookings as b')
    .where('b.id', bookingId)
    .first('b.total', 'b.invoice_status', 'b.payment_method', db.raw(`${creditedSql} as credited`), db.raw(`${receivedSql} as received`, RECEIVED_STATUSES));
  if (!row) throw new Error(`booking ${bookingId} does not exist`);
  const total = Number(row.total);
  const credited = Number(row.credited);
  const received = Number(row.received);
  const isOpen = row.payment_method === 'invoice' && row.invoice_status === 'outstanding';
  return { total, credited, received, outstanding: isOpen ? Math.max(0, total - credited - received) : 0, status: text(row.invoice_status) };
}

export interface OutstandingInvoice {
  bookingId: number;
  reference: string;
  eventId: number;
  eventTitle: string;
  eventSlug: string;
  bookingStatus: string;
  buyerName: string;
  organisation: string | null;
  purchaseOrder: string | null;
  billingContact: string | null;
  total: number;
  credited: number;
  received: number;
  outstanding: number;
  currency: string;
  bookedAt: Date;
}

/** Every open invoice, oldest booking first. */
export async function listOutstandingInvoices(db: Tx, eventIds?: number[]): Promise<OutstandingInvoice[]> {
  const query = openInvoices(db)
    .join('events as e', 'e.id', 'b.event_id')
    .orderBy('b.created_at')
    .select('b.id', 'b.reference', 'b.event_id', 'e.title', 'e.slug', 'b.status', 'b.buyer_name', 'b.buyer_organisation', 'b.purchase_order', 'b.billing_contact', 'b.total', 'b.currency', 'b.created_at');
  if (eventIds) query.whereIn('b.event_id', eventIds.length ? eventIds : [0]);
  const rows = await query;
  return rows.map((r: Row) => {
    const total = Number(r.total);
    const credited = Number(r.credited);
    const received = Number(r.received);
    return {
      bookingId: Number(r.id),
      reference: String(r.reference),
      eventId: Number(r.event_id),
      eventTitle: String(r.title),
      eventSlug: String(r.slug),
      bookingStatus: String(r.status),
      buyerName: String(r.buyer_name),
      organisation: text(r.buyer_organisation),
      purchaseOrder: text(r.purchase_order),
      billingContact: text(r.billing_contact),
      total,
      credited,
      received,
      outstanding: Math.max(0, total - credited - received),
      currency: String(r.currency),
      bookedAt: fromDbTime(r.created_at),
    };
  });
}

/** What open invoices still ask for, per event: the amount and how many invoices. */
export async function sumOutstandingByEvent(db: Tx, eventIds: number[]): Promise<Map<number, { amount: number; count: number }>> {
  const byEvent = new Map<number, { amount: number; count: number }>();
  for (const invoice of await listOutstandingInvoices(db, eventIds)) {
    const sum = byEvent.get(invoice.eventId) ?? { amount: 0, count: 0 };
    sum.amount += invoice.outstanding;
    sum.count += 1;
    byEvent.set(invoice.eventId, sum);
  }
  return byEvent;
}
