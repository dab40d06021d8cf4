import type { Knex } from 'knex';
import type { Tx } from '../../db/connect';
import { fromDbTime } from '../../lib/time';
import { parseSnapshot, type DocumentKind, type DocumentSnapshot } from './snapshot';

/** An issued finance document: its row, with the snapshot it is rendered from. */
export interface DocumentRecord {
  id: number;
  kind: DocumentKind;
  number: string;
  financialYear: number;
  bookingId: number;
  /** Gross minor units (a credit note's amount credited, positive). */
  amount: number;
  currency: string;
  creditsDocumentId: number | null;
  issuedAt: Date;
  snapshot: DocumentSnapshot;
}

const COLUMNS = ['id', 'kind', 'number', 'financial_year', 'booking_id', 'amount', 'currency', 'credits_document_id', 'issued_at', 'snapshot'];

function toDocument(row: Record<string, unknown>): DocumentRecord {
  return {
    id: Number(row.id),
    kind: row.kind as DocumentKind,
    number: String(row.number),
    financialYear: Number(row.financial_year),
    bookingId: Number(row.booking_id),
    amount: Number(row.amount),
    currency: String(row.currency),
    creditsDocumentId: row.credits_document_id === null ? null : Number(row.credits_document_id),
    issuedAt: fromDbTime(row.issued_at),
    snapshot: parseSnapshot(String(row.snapshot)),
  };
}

export async function findDocument(db: Tx, id: number): Promise<DocumentRecord | undefined> {
  const row = await db('finance_documents').where({ id }).first(COLUMNS);
  return row ? toDocument(row) : undefined;
}

export async function findDocumentByNumber(db: Tx, number: string): Promise<DocumentRecord | undefined> {
  const row = await db('finance_documents').where({ number }).first(COLUMNS);
  return row ? toDocument(row) : undefined;
}

export async function findInvoiceOfBooking(db: Tx, bookingId: number): Promise<DocumentRecord | undefined> {
  const row = await db('finance_documents').where({ booking_id: bookingId, kind: 'invoice' }).first(COLUMNS);
  return row ? toDocument(row) : undefined;
}

export async function findReceiptOfPayment(db: Tx, paymentId: number): Promise<DocumentRecord | undefined> {
  const row = await db('finance_documents').where({ payment_id: paymentId, kind: 'receipt' }).first(COLUMNS);
  return row ? toDocument(row) : undefined;
}

/** A booking's documents in the order they were issued. */
export async function listDocumentsOfBooking(db: Tx, bookingId: number): Promise<DocumentRecord[]> {
  return (await db('finance_documents').where({ booking_id: bookingId }).orderBy('id').select(COLUMNS)).map(toDocument);
}

/** Every document of a financial year, by kind then number. */
export async function listDocumentsOfYear(db: Tx, financialYear: number): Promise<DocumentRecord[]> {
  const rows = await db('finance_documents').where({ financial_year: financialYear }).orderBy([{ column: 'kind' }, { column: 'series' }, { column: 'sequence' }]).select(COLUMNS);
  return rows.map(toDocument);
}

/** The financial years that have documents, newest first. */
export async function listDocumentYears(db: Knex): Promise<number[]> {
  const rows = await db('finance_documents').distinct('financial_year').orderBy('financial_year', 'desc');
  return rows.map((r: { financial_year: number | string }) => Number(r.financial_year));
}

/** Document numbers of each booking, for the payments CSV: booking id → "HSUG-2026-0001 HSUG-CN-2026-0001". */
export async function documentNumbersByBooking(db: Tx, bookingIds: number[]): Promise<Map<number, string[]>> {
  const byBooking = new Map<number, string[]>();
  if (bookingIds.length === 0) return byBooking;
  for (let i = 0; i < bookingIds.length; i += 500) {
    const rows = await db('finance_documents').whereIn('booking_id', bookingIds.slice(i, i + 500)).orderBy('id').select('booking_id', 'number');
    for (const r of rows as Array<{ booking_id: number | string; number: string }>) {
      const list = byBooking.get(Number(r.booking_id)) ?? [];
      list.push(r.number);
      byBooking.set(Number(r.booking_id), list);
    }
  }
  return byBooking;
}

/** For the payments CSV: each payment's receipt, each refund's credit note, each booking's invoice (by reference). */
export async function documentNumbersForLedger(db: Tx): Promise<{ byPayment: Map<number, string>; byRefund: Map<number, string>; invoiceByReference: Map<string, string> }> {
  const rows = await db('finance_documents as d').join('bookings as b', 'b.id', 'd.booking_id').select('d.kind', 'd.number', 'd.payment_id', 'd.refund_id', 'b.reference');
  const result = { byPayment: new Map<number, string>(), byRefund: new Map<number, string>(), invoiceByReference: new Map<string, string>() };
  for (const r of rows as Array<{ kind: string; number: string; payment_id: number | null; refund_id: number | null; reference: string }>) {
    if (r.payment_id !== null && r.kind === 'receipt') result.byPayment.set(Number(r.payment_id), r.number);
    if (r.refund_id !== null) result.byRefund.set(Number(r.refund_id), r.number);
    if (r.kind === 'invoice') result.invoiceByReference.set(r.reference, r.number);
  }
  return result;
}
