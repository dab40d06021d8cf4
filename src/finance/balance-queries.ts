import type { Knex } from 'knex';
import type { Tx } from '../db/connect';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../lib/time';
import { bucketOf } from './categories';

export interface BalanceLine {
  id: string;
  type: string;
  reportingCategory: string;
  amount: number;
  fee: number;
  net: number;
  currency: string;
  sourceId: string | null;
  chargeId: string | null;
  payoutId: string | null;
  createdAt: Date;
  /** The booking it concerns, found through our payment, refund or dispute, or through its charge. */
  bookingId: number | null;
  reference: string | null;
  eventId: number | null;
  eventTitle: string | null;
  /** Our own record of this exact movement (the payment, the refund, the dispute) exists. */
  isRecorded: boolean;
}

/**
 * Balance transactions with what they belong to. A refund or dispute made in the Stripe dashboard still
 * finds its booking through its charge, so its money counts for the right event even before it is
 * recorded here.
 */
export function balanceLinesQuery(db: Tx): Knex.QueryBuilder {
  return db('balance_transactions as bt')
    .leftJoin('payments as pc', 'pc.stripe_charge_id', 'bt.charge_id')
    .leftJoin('refunds as r', 'r.stripe_refund_id', 'bt.source_id')
    .leftJoin('disputes as d', 'd.stripe_dispute_id', 'bt.source_id')
    .leftJoin('bookings as b', function join() {
      this.on('b.id', '=', db.raw('coalesce(r.booking_id, d.booking_id, pc.booking_id)'));
    })
    .leftJoin('events as e', 'e.id', 'b.event_id')
    .select(
      'bt.id',
      'bt.type',
      'bt.reporting_category',
      'bt.amount',
      'bt.fee',
      'bt.net',
      'bt.currency',
      'bt.source_id',
      'bt.charge_id',
      'bt.payout_id',
      'bt.created_at',
      'pc.id as payment_id',
      'r.id as refund_id',
      'd.id as dispute_id',
      'b.id as booking_id',
      'b.reference',
      'e.id as event_id',
      'e.title as event_title',
    );
}

export function toBalanceLine(row: Record<string, unknown>): BalanceLine {
  const bucket = bucketOf(String(row.reporting_category));
  const isRecorded =
    bucket === 'gross' ? row.payment_id !== null && row.booking_id !== null : bucket === 'refunds' ? row.refund_id !== null : bucket === 'disputes' ? row.dispute_id !== null : bucket === 'payout' || row.booking_id !== null;
  return {
    id: String(row.id),
    type: String(row.type),
    reportingCategory: String(row.reporting_category),
    amount: Number(row.amount),
    fee: Number(row.fee),
    net: Number(row.net),
    currency: String(row.currency),
    sourceId: (row.source_id as string | null) ?? null,
    chargeId: (row.charge_id as string | null) ?? null,
    payoutId: (row.payout_id as string | null) ?? null,
    createdAt: fromDbTime(row.created_at),
    bookingId: row.booking_id === null || row.booking_id === undefined ? null : Number(row.booking_id),
    reference: (row.reference as string | null) ?? null,
    eventId: row.event_id === null || row.event_id === undefined ? null : Number(row.event_id),
    eventTitle: (row.event_title as string | null) ?? null,
    isRecorded,
  };
}

export async function listBalanceLinesBetween(db: Tx, start: Date, end: Date): Promise<BalanceLine[]> {
  const rows = await balanceLinesQuery(db).where('bt.created_at', '>=', toDbTime(start)).where('bt.created_at', '<', toDbTime(end)).orderBy('bt.created_at').orderBy('bt.id');
  return rows.map(toBalanceLine);
}

export async function listBalanceLinesOfPayouts(db: Tx, payoutIds: string[]): Promise<BalanceLine[]> {
  if (payoutIds.length === 0) return [];
  const rows = await balanceLinesQuery(db).whereIn('bt.payout_id', payoutIds).orderBy('bt.created_at').orderBy('bt.id');
  return rows.map(toBalanceLine);
}

/** Stripe movements no record of ours explains: payments with no booking, dashboard refunds, disputes we never heard of. */
export async function listUnrecordedLines(db: Tx): Promise<BalanceLine[]> {
  const rows = await balanceLinesQuery(db).whereNotIn('bt.reporting_category', ['payout', 'payout_reversal']).orderBy('bt.created_at', 'desc');
  return (rows.map(toBalanceLine) as BalanceLine[]).filter((l) => !l.isRecorded);
}

export interface PayoutRecord {
  id: string;
  amount: number;
  currency: string;
  status: string;
  reconciliationStatus: string | null;
  arrivalDate: Date;
  createdAt: Date;
  linesSyncedAt: Date | null;
}

function toPayout(row: Record<string, unknown>): PayoutRecord {
  return {
    id: String(row.id),
    amount: Number(row.amount),
    currency: String(row.currency),
    status: String(row.status),
    reconciliationStatus: (row.reconciliation_status as string | null) ?? null,
    arrivalDate: fromDbTime(row.arrival_date),
    createdAt: fromDbTime(row.created_at),
    linesSyncedAt: fromDbTimeOrNull(row.lines_synced_at),
  };
}

const PAYOUT_COLUMNS = ['id', 'amount', 'currency', 'status', 'reconciliation_status', 'arrival_date', 'created_at', 'lines_synced_at'];

export async function listPayoutsArrivingBetween(db: Tx, start: Date, end: Date): Promise<PayoutRecord[]> {
  const rows = await db('payouts').select(PAYOUT_COLUMNS).where('arrival_date', '>=', toDbTime(start)).where('arrival_date', '<', toDbTime(end)).orderBy('arrival_date', 'desc').orderBy('id');
  return rows.map(toPayout);
}

export async function listPaidPayouts(db: Tx): Promise<PayoutRecord[]> {
  return (await db('payouts').select(PAYOUT_COLUMNS).where({ status: 'paid' }).orderBy('arrival_date', 'desc')).map(toPayout);
}

export async function findPayout(db: Tx, id: string): Promise<PayoutRecord | undefined> {
  const row = await db('payouts').select(PAYOUT_COLUMNS).where({ id }).first();
  return row ? toPayout(row) : undefined;
}
