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
  /** A charge's card, when Stripe said (for "the card ending 4242"). */
  cardLast4: string | null;
  /** A dispute's response deadline, when this line is a dispute's. */
  disputeDueBy: Date | null;
  /**
   * The booking it concerns, found through our payment, refund or dispute, or through its charge, or (last) through
   * the treasurer attaching its charge to a booking (`isAttached`).
   */
  bookingId: number | null;
  reference: string | null;
  eventId: number | null;
  eventTitle: string | null;
  /** Our own record of this exact movement (the payment, the refund, the dispute) exists. */
  isRecorded: boolean;
  /** The booking is known only because the treasurer attached the charge to it. */
  isAttached: boolean;
  /** The treasurer's statement in force about this line's own Stripe object (explained, or attached to a booking). */
  explanation: LineExplanation | null;
  /** Recorded here, or explained by the treasurer: nothing to look at. */
  isMatched: boolean;
}

export interface LineExplanation {
  id: number;
  kind: 'explained' | 'attached';
  note: string;
  bookingId: number | null;
  createdBy: string;
  createdAt: Date;
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
    .leftJoin('finance_explanations as fx', function join() {
      this.on('fx.stripe_object_id', '=', 'bt.source_id').andOnNull('fx.withdrawn_at');
    })
    .leftJoin('finance_explanations as fa', function join() {
      this.on('fa.stripe_object_id', '=', 'bt.charge_id').andOnNull('fa.withdrawn_at').andOnVal('fa.kind', '=', 'attached');
    })
    .leftJoin('bookings as b', function join() {
      this.on('b.id', '=', db.raw('coalesce(r.booking_id, d.booking_id, pc.booking_id, fa.booking_id)'));
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
      'bt.card_last4',
      'bt.dispute_due_by',
      'pc.id as payment_id',
      db.raw('coalesce(r.booking_id, d.booking_id, pc.booking_id) as own_booking_id'),
      'fx.id as fx_id',
      'fx.kind as fx_kind',
      'fx.note as fx_note',
      'fx.booking_id as fx_booking_id',
      'fx.created_by as fx_created_by',
      'fx.created_at as fx_created_at',
      'fa.booking_id as attached_booking_id',
      'r.id as refund_id',
      'd.id as dispute_id',
      'b.id as booking_id',
      'b.reference',
      'e.id as event_id',
      'e.title as event_title',
    );
}

const idOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function toBalanceLine(row: Record<string, unknown>): BalanceLine {
  const bucket = bucketOf(String(row.reporting_category));
  const isAttached = idOrNull(row.own_booking_id) === null && idOrNull(row.attached_booking_id) !== null;
  const isRecorded =
    bucket === 'gross' ? row.payment_id !== null && row.booking_id !== null && !isAttached : bucket === 'refunds' ? row.refund_id !== null : bucket === 'disputes' ? row.dispute_id !== null : bucket === 'payout' || (row.booking_id !== null && !isAttached);
  const explanation: LineExplanation | null =
    row.fx_id === null || row.fx_id === undefined
      ? null
      : { id: Number(row.fx_id), kind: row.fx_kind as LineExplanation['kind'], note: String(row.fx_note), bookingId: idOrNull(row.fx_booking_id), createdBy: String(row.fx_created_by), createdAt: fromDbTime(row.fx_created_at) };
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
    cardLast4: (row.card_last4 as string | null) ?? null,
    disputeDueBy: fromDbTimeOrNull(row.dispute_due_by),
    bookingId: row.booking_id === null || row.booking_id === undefined ? null : Number(row.booking_id),
    reference: (row.reference as string | null) ?? null,
    eventId: row.event_id === null || row.event_id === undefined ? null : Number(row.event_id),
    eventTitle: (row.event_title as string | null) ?? null,
    isRecorded,
    isAttached,
    explanation,
    isMatched: isRecorded || explanation !== null,
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

/**
 * Stripe movements no record of ours explains: payments with no booking, dashboard refunds, disputes we never heard
 * of; including those the treasurer has explained (`explanation`), for the caller to set aside.
 */
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

export async function listPayoutsByIds(db: Tx, ids: string[]): Promise<PayoutRecord[]> {
  if (ids.length === 0) return [];
  return (await db('payouts').select(PAYOUT_COLUMNS).whereIn('id', [...new Set(ids)])).map(toPayout);
}
