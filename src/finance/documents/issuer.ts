import type { Knex } from 'knex';
import type { FinanceDocumentIssuer, ServiceContext } from '../../context';
import { formatMoney } from '../../lib/money';
import { listDocumentsOfBooking } from './queries';
import { KIND_TITLES } from './render';
import { issueCardReceipt, issueCreditNoteForRefund, issueInvoice } from './issue';
import { closeInvoicePaidByCard } from '../invoice-card';
import { invoiceBalance } from '../outstanding';

/**
 * The port through which bookings/ and payments/ have finance documents issued in their own transactions, without
 * importing finance/ (bookings/ never does): wired once in createApp as `ctx.documents`.
 */
export function createDocumentIssuer(ctx: ServiceContext): FinanceDocumentIssuer {
  return {
    invoiceConfirmed: async (trx: Knex.Transaction, bookingId: number) => {
      await issueInvoice(trx, ctx, bookingId);
    },
    cardPaymentRecorded: async (trx: Knex.Transaction, paymentId: number) => {
      await issueCardReceipt(trx, ctx, paymentId);
    },
    invoicePaidByCard: async (trx: Knex.Transaction, paymentId: number) => {
      await closeInvoicePaidByCard(trx, ctx, paymentId);
    },
    invoiceOutstanding: async (db, bookingId) => (await invoiceBalance(db, bookingId)).outstanding,
    refundTaken: async (trx: Knex.Transaction, refundId: number) => {
      await issueCreditNoteForRefund(trx, ctx, refundId);
    },
    ofBooking: async (bookingId: number) =>
      (await listDocumentsOfBooking(ctx.db, bookingId)).map((d) => ({ kind: d.kind, label: KIND_TITLES[d.kind], number: d.number, issueDate: d.snapshot.issueDate, amount: formatMoney(d.snapshot.totals.gross, d.currency) })),
  };
}
