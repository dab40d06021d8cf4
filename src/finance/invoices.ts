import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { recordAudit, type Actor } from '../admin/audit/log';
import { findBookingByReference, paymentNotice, type BookingRecord } from '../bookings';
import type { ServiceContext } from '../context';
import type { Tx } from '../db/connect';
import { lockRow, writeTransaction } from '../db/dialect';
import { findEventById } from '../events/queries';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors';
import { publicHost } from '../lib/links';
import { formatMoney } from '../lib/money';
import { toDbTime } from '../lib/time';
import { enqueueEmail } from '../mail/outbox';
import { issueInvoicePaidReceipt } from './documents/issue';
import { invoiceBalance, listOutstandingInvoices, type InvoiceBalance, type OutstandingInvoice } from './outstanding';
import { daysSince } from './period';

export interface InvoicePaymentInput {
  paidOn: string;
  amount: number;
  bankReference: string;
}

/**
 * The invoice booking with its figures, under the event's lock (the lock staff cancellations and credits take too, so
 * a payment and a credit never both count the same pounds). Throws 404 `booking_not_found`, 409 `not_invoiced`,
 * 409 `invoice_not_outstanding`.
 */
async function openInvoiceBooking(trx: Knex.Transaction, reference: string): Promise<{ booking: BookingRecord; balance: InvoiceBalance }> {
  const found = await findBookingByReference(trx, reference);
  if (!found) throw new NotFoundError('booking_not_found', 'No booking with that reference.');
  if (found.paymentMethod !== 'invoice') throw new ConflictError('not_invoiced', 'This booking is not paid by invoice.');
  await lockRow(trx, 'events', found.eventId);
  const booking = (await findBookingByReference(trx, reference))!;
  const balance = await invoiceBalance(trx, booking.id);
  if (balance.status !== 'outstanding') throw new ConflictError('invoice_not_outstanding', 'This invoice is no longer outstanding: it has been paid, credited or written off already.');
  return { booking, balance };
}

/** Closes the invoice only if it is still open, so two treasurers cannot both close it. */
async function closeInvoice(trx: Tx, bookingId: number, status: 'paid' | 'written_off', paidAt: Date | null, now: Date) {
  const changed = await trx('bookings')
    .where({ id: bookingId, invoice_status: 'outstanding' })
    .update({ invoice_status: status, invoice_paid_at: paidAt ? toDbTime(paidAt) : null, updated_at: toDbTime(now) });
  if (changed !== 1) throw new ConflictError('invoice_not_outstanding', 'This invoice is no longer outstanding: it has been paid, credited or written off already.');
}

/** "£95.00 (the invoice of £120.00, less £25.00 credited)": how an amount due came about, for error messages. */
function dueExplained(balance: InvoiceBalance, currency: string): string {
  const money = (n: number) => formatMoney(n, currency);
  const parts = [balance.credited ? `less ${money(balance.credited)} credited` : '', balance.received ? `less ${money(balance.received)} already received` : ''].filter(Boolean);
  return `${money(balance.outstanding)}${parts.length ? ` (the invoice of ${money(balance.total)}, ${parts.join(' and ')})` : ''}`;
}

function assertNotFuture(paidOn: string, now: Date, zone: string): Date {
  const day = DateTime.fromISO(paidOn, { zone }).startOf('day');
  if (day > DateTime.fromJSDate(now, { zone }).endOf('day')) throw new ValidationError([{ path: 'paidOn', message: 'The payment date cannot be in the future' }]);
  return day.toJSDate();
}

/**
 * Refuses, before the review step, what recordInvoicePayment would refuse: 409 `not_invoiced`,
 * 409 `invoice_not_outstanding`, 422 on `paidOn` (in the future) or `amount` (above what is outstanding).
 */
export function checkInvoicePayment(ctx: ServiceContext, view: { booking: BookingRecord; invoice: InvoiceBalance }, input: InvoicePaymentInput): void {
  if (view.booking.paymentMethod !== 'invoice') throw new ConflictError('not_invoiced', 'This booking is not paid by invoice.');
  if (view.invoice.status !== 'outstanding') throw new ConflictError('invoice_not_outstanding', 'This invoice is no longer outstanding: it has been paid, credited or written off already.');
  assertNotFuture(input.paidOn, ctx.clock.now(), ctx.config.timezone);
  if (input.amount > view.invoice.outstanding) {
    throw new ValidationError([{ path: 'amount', message: `This is more than the ${dueExplained(view.invoice, view.booking.currency)} outstanding. Record at most that; repay anything above it to the buyer.` }]);
  }
}

/**
 * A bank transfer for an invoice: a payments row (method invoice). The invoice is paid when nothing is left to pay; a
 * smaller payment leaves the rest outstanding, and the buyer's email says how much. A payment above what is outstanding
 * is refused (422 on `amount`): nothing is recorded. Returns what is still outstanding.
 */
export async function recordInvoicePayment(ctx: ServiceContext, actor: Actor, reference: string, input: InvoicePaymentInput): Promise<{ outstanding: number }> {
  const now = ctx.clock.now();
  const paidAt = assertNotFuture(input.paidOn, now, ctx.config.timezone);
  const outstanding = await writeTransaction(ctx.db, async (trx) => {
    const { booking, balance } = await openInvoiceBooking(trx, reference);
    if (input.amount > balance.outstanding) {
      throw new ValidationError([{ path: 'amount', message: `This is more than the ${dueExplained(balance, booking.currency)} outstanding. Record at most that; repay anything above it to the buyer.` }]);
    }
    const left = balance.outstanding - input.amount;
    if (left === 0) await closeInvoice(trx, booking.id, 'paid', paidAt, now);
    await trx('payments').insert({
      booking_id: booking.id,
      method: 'invoice',
      status: 'succeeded',
      amount: input.amount,
      currency: booking.currency,
      amount_refunded: 0,
      fee: 0,
      net: input.amount,
      bank_reference: input.bankReference,
      paid_at: toDbTime(paidAt),
      created_at: toDbTime(now),
      updated_at: toDbTime(now),
    });
    const [inserted] = await trx('payments').where({ booking_id: booking.id, method: 'invoice' }).orderBy('id', 'desc').limit(1).select('id');
    // Paid in full: the receipt, in its own email.
    if (left === 0) await issueInvoicePaidReceipt(trx, ctx, booking.id, Number(inserted.id));
    await recordAudit(trx, actor, { action: 'invoice_payment_recorded', targetType: 'booking', targetId: booking.id, details: { reference, amount: input.amount, paidOn: input.paidOn, bankReference: input.bankReference, total: booking.total, credited: balance.credited, outstanding: left } }, now);
    const event = (await findEventById(trx, booking.eventId))!;
    const paymentNumber = (await trx('payments').where({ booking_id: booking.id, method: 'invoice' }).count({ n: '*' }).first())?.n;
    // The first payment keeps the original dedupe key; each later one (an instalment) gets its own.
    const dedupeSuffix = Number(paymentNumber) > 1 ? `payment-${Number(paymentNumber)}` : undefined;
    await enqueueEmail(trx, paymentNotice(ctx, { kind: 'invoice_paid', event, booking, lines: [], amount: input.amount, outstanding: left, dedupeSuffix }), now, publicHost(ctx.config));
    return left;
  });
  ctx.kickOutbox();
  return { outstanding };
}

/** Gives up on what an invoice still asks for; the amount and reason are kept on a written-off payments row and in the audit log. */
export async function writeOffInvoice(ctx: ServiceContext, actor: Actor, reference: string, reason: string): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    const { booking, balance } = await openInvoiceBooking(trx, reference);
    await closeInvoice(trx, booking.id, 'written_off', null, now);
    await trx('payments').insert({
      booking_id: booking.id,
      method: 'invoice',
      status: 'written_off',
      amount: balance.outstanding,
      currency: booking.currency,
      amount_refunded: 0,
      note: reason,
      paid_at: toDbTime(now),
      created_at: toDbTime(now),
      updated_at: toDbTime(now),
    });
    await recordAudit(trx, actor, { action: 'invoice_written_off', targetType: 'booking', targetId: booking.id, details: { reference, amount: balance.outstanding, total: booking.total, credited: balance.credited, received: balance.received, reason } }, now);
  });
}

export interface InvoiceAge extends OutstandingInvoice {
  ageDays: number;
}

export async function listInvoicesOutstanding(ctx: ServiceContext): Promise<InvoiceAge[]> {
  const now = ctx.clock.now();
  return (await listOutstandingInvoices(ctx.db)).map((i) => ({ ...i, ageDays: daysSince(i.bookedAt, now) }));
}
