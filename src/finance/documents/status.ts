import type { Tx } from '../../db/connect';
import { RECEIVED_STATUSES } from '../categories';
import { receivedAmountSql } from '../outstanding';
import type { DocumentRecord } from './queries';

/**
 * Where each document stands, for the treasurer's list and the API. For an invoice:
 *
 *   outstanding = invoiced − credited − paid, never below zero
 *
 * where credited is the sum of the credit notes that credit it and paid what bank and card payments brought in; when credits and
 * payments come to more than was invoiced, the difference is an overpayment, shown as such (money to repay), not hidden.
 * A written-off invoice asks for nothing more. A receipt is paid; a credit note is issued.
 */
export type DocumentState = 'outstanding' | 'paid' | 'credited' | 'overpaid' | 'written_off' | 'issued';

export interface DocumentStatus {
  state: DocumentState;
  invoiced: number;
  credited: number;
  paid: number;
  outstanding: number;
  overpaid: number;
}

export async function documentStatuses(db: Tx, docs: DocumentRecord[]): Promise<Map<number, DocumentStatus>> {
  const statuses = new Map<number, DocumentStatus>();
  const ids = docs.map((d) => d.id);
  const bookingIds = [...new Set(docs.map((d) => d.bookingId))];
  const creditedBy = new Map<number, number>();
  const paidBy = new Map<number, number>();
  const writtenOff = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db('finance_documents').whereIn('credits_document_id', ids.slice(i, i + 500)).select('credits_document_id', 'amount');
    for (const r of rows as Array<{ credits_document_id: number | string; amount: number | string }>) {
      creditedBy.set(Number(r.credits_document_id), (creditedBy.get(Number(r.credits_document_id)) ?? 0) + Number(r.amount));
    }
  }
  for (let i = 0; i < bookingIds.length; i += 500) {
    const slice = bookingIds.slice(i, i + 500);
    // Bank payments and card payments ("pay by card instead") alike, a card payment less what was refunded of it.
    const paid = await db('payments as p')
      .join('bookings as b', 'b.id', 'p.booking_id')
      .whereIn('p.booking_id', slice)
      .where('b.payment_method', 'invoice')
      .whereIn('p.method', ['invoice', 'card'])
      .whereIn('p.status', RECEIVED_STATUSES)
      .groupBy('p.booking_id')
      .select('p.booking_id', db.raw(`SUM(${receivedAmountSql}) as amount`));
    for (const r of paid as Array<{ booking_id: number | string; amount: number | string }>) paidBy.set(Number(r.booking_id), Number(r.amount));
    const off = await db('bookings').whereIn('id', slice).where('invoice_status', 'written_off').select('id');
    for (const r of off as Array<{ id: number | string }>) writtenOff.add(Number(r.id));
  }
  for (const d of docs) {
    const credited = creditedBy.get(d.id) ?? 0;
    if (d.kind !== 'invoice') {
      statuses.set(d.id, { state: d.kind === 'receipt' ? 'paid' : 'issued', invoiced: 0, credited, paid: d.kind === 'receipt' ? d.amount : 0, outstanding: 0, overpaid: 0 });
      continue;
    }
    const paid = paidBy.get(d.bookingId) ?? 0;
    const left = d.amount - credited - paid;
    const isWrittenOff = writtenOff.has(d.bookingId);
    const outstanding = isWrittenOff ? 0 : Math.max(0, left);
    const overpaid = Math.max(0, -left);
    const state: DocumentState = overpaid > 0 ? 'overpaid' : isWrittenOff && left > 0 ? 'written_off' : outstanding > 0 ? 'outstanding' : paid > 0 ? 'paid' : 'credited';
    statuses.set(d.id, { state, invoiced: d.amount, credited, paid, outstanding, overpaid });
  }
  return statuses;
}
