import type { Tx } from '../db/connect';
import { fromDbTime, toDbTime } from '../lib/time';
import { RECEIVED_STATUSES } from './categories';
import { sumOutstandingByEvent } from './outstanding';

export interface InvoicePaymentLine {
  amount: number;
  currency: string;
  paidAt: Date;
  eventId: number | null;
  eventTitle: string | null;
}

/** Bank payments of invoices received in the period. */
export async function listInvoicePaymentsBetween(db: Tx, start: Date, end: Date): Promise<InvoicePaymentLine[]> {
  const rows = await db('payments as p')
    .leftJoin('bookings as b', 'b.id', 'p.booking_id')
    .leftJoin('events as e', 'e.id', 'b.event_id')
    .where('p.method', 'invoice')
    .whereIn('p.status', RECEIVED_STATUSES)
    .where('p.paid_at', '>=', toDbTime(start))
    .where('p.paid_at', '<', toDbTime(end))
    .select('p.amount', 'p.currency', 'p.paid_at', 'e.id as event_id', 'e.title as event_title');
  return rows.map((r: Record<string, unknown>) => ({
    amount: Number(r.amount),
    currency: String(r.currency),
    paidAt: fromDbTime(r.paid_at),
    eventId: r.event_id === null ? null : Number(r.event_id),
    eventTitle: (r.event_title as string | null) ?? null,
  }));
}

export interface EventFigures {
  id: number;
  slug: string;
  title: string;
  startsAt: Date;
  paidSeats: number;
  /** What discount codes took off the list prices of the places held (active seats of confirmed bookings), minor units. */
  discounts: number;
  invoicesOutstanding: number;
  invoicesOutstandingCount: number;
}

/** Events that start in the period and sold something, with seats paid for and what their invoices still ask for (`outstanding.ts`). */
export async function listEventFigures(db: Tx, eventIds: number[], start: Date, end: Date): Promise<EventFigures[]> {
  const events = await db('events as e')
    .where((q) => {
      q.whereIn('e.id', eventIds.length ? eventIds : [0]).orWhere((w) =>
        w.where('e.starts_at', '>=', toDbTime(start)).where('e.starts_at', '<', toDbTime(end)).whereExists(db('bookings as x').select('x.id').whereRaw('x.event_id = e.id').where('x.total', '>', 0)),
      );
    })
    .select('e.id', 'e.slug', 'e.title', 'e.starts_at')
    .orderBy('e.starts_at');
  const ids = events.map((e: { id: number }) => Number(e.id));
  if (ids.length === 0) return [];
  const seats = await db('attendees as a')
    .join('bookings as b', 'b.id', 'a.booking_id')
    .whereIn('b.event_id', ids)
    .where('a.status', 'active')
    .where('a.unit_price', '>', 0)
    .where('b.status', 'confirmed')
    .where((q) => q.where('b.payment_method', 'stripe').orWhere((w) => w.where('b.payment_method', 'invoice').where('b.invoice_status', 'paid')))
    .groupBy('b.event_id')
    .select('b.event_id')
    .count('a.id as n');
  const discounts = await db('attendees as a')
    .join('bookings as b', 'b.id', 'a.booking_id')
    .whereIn('b.event_id', ids)
    .where('a.status', 'active')
    .where('b.status', 'confirmed')
    .where('a.discount_amount', '>', 0)
    .groupBy('b.event_id')
    .select('b.event_id')
    .sum({ n: 'a.discount_amount' });
  const discountOf = new Map(discounts.map((s: Record<string, unknown>) => [Number(s.event_id), Number(s.n)]));
  const owedOf = await sumOutstandingByEvent(db, ids);
  const seatsOf = new Map(seats.map((s: Record<string, unknown>) => [Number(s.event_id), Number(s.n)]));
  return events.map((e: Record<string, unknown>) => ({
    id: Number(e.id),
    slug: String(e.slug),
    title: String(e.title),
    startsAt: fromDbTime(e.starts_at),
    paidSeats: seatsOf.get(Number(e.id)) ?? 0,
    discounts: discountOf.get(Number(e.id)) ?? 0,
    invoicesOutstanding: owedOf.get(Number(e.id))?.amount ?? 0,
    invoicesOutstandingCount: owedOf.get(Number(e.id))?.count ?? 0,
  }));
}
