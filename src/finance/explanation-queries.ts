import type { Tx } from '../db/connect';
import { fromDbTime, toDbTime } from '../lib/time';

export interface ExplanationRecord {
  id: number;
  stripeObjectId: string;
  kind: 'explained' | 'attached';
  bookingId: number | null;
  bookingReference: string | null;
  note: string;
  createdBy: string;
  createdAt: Date;
}

type Row = Record<string, unknown>;

function toExplanation(r: Row): ExplanationRecord {
  return {
    id: Number(r.id),
    stripeObjectId: String(r.stripe_object_id),
    kind: r.kind as ExplanationRecord['kind'],
    bookingId: r.booking_id === null || r.booking_id === undefined ? null : Number(r.booking_id),
    bookingReference: (r.reference as string | null) ?? null,
    note: String(r.note),
    createdBy: String(r.created_by),
    createdAt: fromDbTime(r.created_at),
  };
}

const COLUMNS = ['fx.id', 'fx.stripe_object_id', 'fx.kind', 'fx.booking_id', 'b.reference', 'fx.note', 'fx.created_by', 'fx.created_at'];

/** Every statement in force, newest first. */
export async function listExplanationsInForce(db: Tx): Promise<ExplanationRecord[]> {
  const rows = await db('finance_explanations as fx').leftJoin('bookings as b', 'b.id', 'fx.booking_id').whereNull('fx.withdrawn_at').orderBy('fx.created_at', 'desc').orderBy('fx.id', 'desc').select(COLUMNS);
  return rows.map(toExplanation);
}

export async function findExplanationInForce(db: Tx, stripeObjectId: string): Promise<ExplanationRecord | undefined> {
  const row = await db('finance_explanations as fx').leftJoin('bookings as b', 'b.id', 'fx.booking_id').where('fx.stripe_object_id', stripeObjectId).whereNull('fx.withdrawn_at').first(COLUMNS);
  return row ? toExplanation(row) : undefined;
}

export interface NewExplanation {
  stripeObjectId: string;
  kind: 'explained' | 'attached';
  bookingId: number | null;
  note: string;
  userId: number | null;
  createdBy: string;
}

/** Inserts a statement; the partial unique index refuses a second one in force for the same object (translated by the caller). */
export async function insertExplanation(db: Tx, e: NewExplanation, now: Date): Promise<number> {
  const [row] = await db('finance_explanations')
    .insert({ stripe_object_id: e.stripeObjectId, kind: e.kind, booking_id: e.bookingId, note: e.note, user_id: e.userId, created_by: e.createdBy, created_at: toDbTime(now) })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

/** Withdraws the statement in force, if it still is; the row stays as history. */
export async function withdrawExplanation(db: Tx, id: number, by: string, now: Date): Promise<boolean> {
  const changed = await db('finance_explanations').where({ id }).whereNull('withdrawn_at').update({ withdrawn_at: toDbTime(now), withdrawn_by: by });
  return changed === 1;
}
