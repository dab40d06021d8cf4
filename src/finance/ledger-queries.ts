import type { Knex } from 'knex';
import type { Tx } from '../db/connect';
import { fromDbTime, toDbTime } from '../lib/time';
import { RECEIVED_STATUSES } from './categories';

export interface LedgerFilter {
  start: Date;
  end: Date;
  eventId?: number;
  method?: 'card' | 'invoice';
  hasPayout?: 'yes' | 'no';
  search?: string;
}

export interface LedgerRow {
  kind: 'payment' | 'refund';
  id: number;
  reference: string | null;
  eventId: number | null;
  eventTitle: string | null;
  buyerName: string | null;
  buyerEmail: string | null;
  method: 'card' | 'invoice';
  status: string;
  /** Money in is positive, a refund negative. */
  gross: number;
  /** Null until the Stripe sync has seen it (always 0 for an invoice). */
  fee: number | null;
  net: number | null;
  currency: string;
  at: Date;
  payoutId: string | null;
  bankReference: string | null;
  /** On a payment: what the booking's discount code took off its list prices (minor units; 0 without one), and the code. */
  discount: number;
  discountCode: string | null;
}

/** Payments and refunds as one list, so filters, order and pages apply to both. */
function ledgerUnion(db: Tx): Knex.QueryBuilder {
  const payments = db('payments as p')
    .leftJoin('bookings as b', 'b.id', 'p.booking_id')
    .leftJoin('events as e', 'e.id', 'b.event_id')
    .whereIn('p.status', RECEIVED_STATUSES)
    .select(
      db.raw("'payment' as kind"),
      'p.id',
      'b.reference',
      'e.id as event_id',
      'e.title as event_title',
      'b.buyer_name',
      'b.buyer_email',
      'p.method',
      'p.status',
      'p.amount as gross',
      db.raw("case when p.method = 'invoice' then 0 else p.fee end as fee"),
      db.raw("case when p.method = 'invoice' then p.amount else p.net end as net"),
      'p.currency',
      'p.paid_at as at',
      'p.stripe_payout_id as payout_id',
      'p.bank_reference',
      db.raw('coalesce(b.discount_total, 0) as discount'),
      'b.discount_code',
    );
  const refunds = db('refunds as r')
    .leftJoin('payments as p', 'p.id', 'r.payment_id')
    .leftJoin('bookings as b', 'b.id', 'r.booking_id')
    .leftJoin('events as e', 'e.id', 'b.event_id')
    .leftJoin('balance_transactions as bt', 'bt.id', 'r.stripe_balance_transaction_id')
    .whereNotIn('r.status', ['failed', 'canceled'])
    .where('r.amount', '>', 0)
    .select(
      db.raw("'refund' as kind"),
      'r.id',
      'b.reference',
      'e.id as event_id',
      'e.title as event_title',
      'b.buyer_name',
      'b.buyer_email',
      'p.method',
      'r.status',
      db.raw('0 - r.amount as gross'),
      'bt.fee',
      'bt.net',
      'r.currency',
      'r.created_at as at',
      'r.stripe_payout_id as payout_id',
      db.raw('null as bank_reference'),
      db.raw('0 as discount'),
      db.raw('null as discount_code'),
    );
  return payments.unionAll(refunds);
}

function filtered(db: Tx, filter: LedgerFilter): Knex.QueryBuilder {
  const query = db.from(ledgerUnion(db).as('ledger')).where('at', '>=', toDbTime(filter.start)).where('at', '<', toDbTime(filter.end));
  if (filter.eventId) query.where('event_id', filter.eventId);
  if (filter.method) query.where('method', filter.method);
  if (filter.hasPayout === 'yes') query.whereNotNull('payout_id');
  if (filter.hasPayout === 'no') query.whereNull('payout_id');
  if (filter.search) {
    const like = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query.where((q) =>
      q.whereRaw("lower(reference) like ? escape '\\'", [like]).orWhereRaw("lower(buyer_name) like ? escape '\\'", [like]).orWhereRaw("lower(buyer_email) like ? escape '\\'", [like]).orWhereRaw("lower(coalesce(bank_reference, '')) like ? escape '\\'", [like]),
    );
  }
  return query;
}

function toLedgerRow(row: Record<string, unknown>): LedgerRow {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    kind: row.kind as LedgerRow['kind'],
    id: Number(row.id),
    reference: (row.reference as string | null) ?? null,
    eventId: num(row.event_id),
    eventTitle: (row.event_title as string | null) ?? null,
    buyerName: (row.buyer_name as string | null) ?? null,
    buyerEmail: (row.buyer_email as string | null) ?? null,
    method: (row.method as LedgerRow['method']) ?? 'card',
    status: String(row.status),
    gross: Number(row.gross),
    fee: num(row.fee),
    net: num(row.net),
    currency: String(row.currency),
    at: fromDbTime(row.at),
    payoutId: (row.payout_id as string | null) ?? null,
    bankReference: (row.bank_reference as string | null) ?? null,
    discount: Number(row.discount ?? 0),
    discountCode: (row.discount_code as string | null) ?? null,
  };
}

export async function listLedger(db: Tx, filter: LedgerFilter, limit: number, offset: number): Promise<LedgerRow[]> {
  const rows = await filtered(db, filter).select('*').orderBy('at', 'desc').orderBy('kind').orderBy('id', 'desc').limit(limit).offset(offset);
  return rows.map(toLedgerRow);
}

export async function countLedger(db: Tx, filter: LedgerFilter): Promise<number> {
  const [row] = await filtered(db, filter).count('* as n');
  return Number((row as { n: unknown }).n);
}

/** Everything the filter matches, oldest first, a batch at a time (for the CSV). */
export async function* iterateLedger(db: Tx, filter: LedgerFilter, batch = 500): AsyncGenerator<LedgerRow[]> {
  for (let offset = 0; ; offset += batch) {
    const rows = (await filtered(db, filter).select('*').orderBy('at').orderBy('kind').orderBy('id').limit(batch).offset(offset)).map(toLedgerRow);
    if (rows.length) yield rows;
    if (rows.length < batch) return;
  }
}

export async function listEventsWithPayments(db: Tx): Promise<Array<{ id: number; title: string }>> {
  const rows = await db('events as e')
    .whereExists(db('payments as p').join('bookings as b', 'b.id', 'p.booking_id').whereRaw('b.event_id = e.id').select('p.id'))
    .select('e.id', 'e.title')
    .orderBy('e.starts_at', 'desc');
  return rows.map((r: { id: number; title: string }) => ({ id: Number(r.id), title: String(r.title) }));
}
