import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../admin/audit/log';
import { findBookingById, paymentNotice, type InvoiceCredit, type InvoiceCreditHook } from '../bookings';
import type { ServiceContext } from '../context';
import { findEventById } from '../events/queries';
import { publicHost } from '../lib/links';
import { fromDbTime, toDbTime } from '../lib/time';
import { enqueueEmail } from '../mail/outbox';
import { issueCreditNoteForCredit } from './documents/issue';
import { invoiceBalance } from './outstanding';

/**
 * Credits on invoices. A credit lowers what an invoice booking's invoice asks for; it is recorded once, never edited,
 * in the transaction of the cancellation that gives it, with an audit entry. When nothing is left to pay the invoice
 * is closed as `credited`. The credit-note document made from these rows comes later.
 */

export interface CreditRecord {
  id: number;
  bookingId: number;
  amount: number;
  currency: string;
  feeKept: number;
  reason: string;
  attendeeIds: number[];
  createdBy: string;
  createdAt: Date;
}

/**
 * Records a credit, closes the invoice as `credited` when nothing is left to pay, audits it and (with `notify`) queues
 * the buyer's email saying what was credited and what is still due. The caller holds the event's lock and has made
 * sure the amount is at most what the invoice still asks for. Returns the credit's id.
 */
export async function recordCredit(trx: Knex.Transaction, ctx: ServiceContext, actor: Actor, credit: InvoiceCredit, options: { notify: boolean }): Promise<number> {
  const now = ctx.clock.now();
  const [row] = await trx('credits')
    .insert({
      booking_id: credit.bookingId,
      amount: credit.amount,
      currency: credit.currency,
      fee_kept: credit.feeKept,
      reason: credit.reason.slice(0, 500),
      attendee_ids: JSON.stringify(credit.attendeeIds),
      user_id: actor.id,
      created_by: actor.email,
      created_at: toDbTime(now),
    })
    .returning('id');
  const id = Number(typeof row === 'object' ? row.id : row);
  const after = await invoiceBalance(trx, credit.bookingId);
  if (after.status === 'outstanding' && after.total - after.credited - after.received <= 0) {
    await trx('bookings').where({ id: credit.bookingId, invoice_status: 'outstanding' }).update({ invoice_status: 'credited', updated_at: toDbTime(now) });
  }
  const booking = (await findBookingById(trx, credit.bookingId))!;
  // Every credit is a credit note, in its own email (to the billing contact too), whether or not the buyer gets a notice.
  await issueCreditNoteForCredit(trx, ctx, id);
  const outstanding = Math.max(0, after.total - after.credited - after.received);
  await recordAudit(
    trx,
    actor,
    { action: 'invoice_credited', targetType: 'booking', targetId: credit.bookingId, details: { reference: booking.reference, creditId: id, amount: credit.amount, feeKept: credit.feeKept, attendeeIds: credit.attendeeIds, reason: credit.reason, outstanding } },
    now,
  );
  if (options.notify) {
    const event = (await findEventById(trx, booking.eventId))!;
    await enqueueEmail(trx, paymentNotice(ctx, { kind: 'invoice_credited', event, booking, lines: [], amount: credit.amount, outstanding, dedupeSuffix: String(id) }), now, publicHost(ctx.config));
  }
  return id;
}

/** The hook bookings/ calls to credit an invoice booking it cancels: staff cancelling seats or a booking. */
export function invoiceCreditHook(ctx: ServiceContext, actor: Actor): InvoiceCreditHook {
  return {
    outstanding: async (trx, bookingId) => (await invoiceBalance(trx, bookingId)).outstanding,
    record: async (trx, credit) => {
      await recordCredit(trx, ctx, actor, credit, { notify: true });
    },
    notifiesBuyer: true,
  };
}

export async function listCreditsOfBooking(db: Knex | Knex.Transaction, bookingId: number): Promise<CreditRecord[]> {
  const rows = await db('credits').where({ booking_id: bookingId }).orderBy('id').select('id', 'booking_id', 'amount', 'currency', 'fee_kept', 'reason', 'attendee_ids', 'created_by', 'created_at');
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    bookingId: Number(r.booking_id),
    amount: Number(r.amount),
    currency: String(r.currency),
    feeKept: Number(r.fee_kept),
    reason: String(r.reason),
    attendeeIds: (JSON.parse(String(r.attendee_ids)) as unknown[]).map(Number),
    createdBy: String(r.created_by),
    createdAt: fromDbTime(r.created_at),
  }));
}
