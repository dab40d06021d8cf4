import { publicHost } from '../lib/links';
import { findEventById } from '../events/queries';
import { enqueueEmail } from '../mail/outbox';
import { paymentNotice } from '../bookings';
import { DateTime } from 'luxon';
import { recordAudit, type Actor } from '../admin/audit/log';
import { findBookingByReference } from '../bookings';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors';
import { toDbTime } from '../lib/time';
import { daysSince } from './period';
import { listOutstandingInvoices, type OutstandingInvoice } from './booking-queries';

export interface InvoicePaymentInput {
  paidOn: string;
  amount: number;
  bankReference: string;
}

async function outstandingInvoiceBooking(trx: Parameters<typeof findBookingByReference>[0], reference: string) {
  const booking = await findBookingByReference(trx, reference);
  if (!booking) throw new NotFoundError('No booking with that reference.', 'booking_not_found');
  if (booking.paymentMethod !== 'invoice') throw new ConflictError('not_invoiced', 'This booking is not paid by invoice.');
  return booking;
}

/** Marks the invoice paid only if it is still outstanding, so two treasurers cannot both record it. */
async function closeInvoice(trx: Parameters<typeof findBookingByReference>[0], bookingId: number, status: 'paid' | 'written_off', paidAt: Date | null, now: Date) {
  const changed = await trx('bookings')
    .where({ id: bookingId, invoice_status: 'outstanding' })
    .update({ invoice_status: status, invoice_paid_at: paidAt ? toDbTime(paidAt) : null, updated_at: toDbTime(now) });
  if (changed !== 1) throw new ConflictError('invoice_not_outstanding', 'This invoice is no longer outstanding: it has been paid or written off already.');
}

/**
 * A bank transfer for an invoice: a payments row (method invoice) and the booking's invoice marked
 * paid. An amount that is not the booking total is accepted and shows up as a mismatch.
 */
export async function recordInvoicePayment(ctx: ServiceContext, actor: Actor, reference: string, input: InvoicePaymentInput): Promise<void> {
  const now = ctx.clock.now();
  const zone = ctx.config.timezone;
  const paidOn = DateTime.fromISO(input.paidOn, { zone }).startOf('day');
  if (paidOn > DateTime.fromJSDate(now, { zone }).endOf('day')) throw new ValidationError([{ path: 'paidOn', message: 'The payment date cannot be in the future' }]);
  const paidAt = paidOn.toJSDate();
  await writeTransaction(ctx.db, async (trx) => {
    const booking = await outstandingInvoiceBooking(trx, reference);
    await closeInvoice(trx, booking.id, 'paid', paidAt, now);
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
    await recordAudit(trx, actor, { action: 'invoice_payment_recorded', targetType: 'booking', targetId: booking.id, details: { reference, amount: input.amount, paidOn: input.paidOn, bankReference: input.bankReference, total: booking.total } }, now);
    const event = (await findEventById(trx, booking.eventId))!;
    await enqueueEmail(trx, paymentNotice(ctx, { kind: 'invoice_paid', event, booking, lines: [], amount: input.amount }), now, publicHost(ctx.config));
  });
  ctx.kickOutbox();
}

/** Gives up on an invoice; the reason is kept on a written-off payments row and in the audit log. */
export async function writeOffInvoice(ctx: ServiceContext, actor: Actor, reference: string, reason: string): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    const booking = await outstandingInvoiceBooking(trx, reference);
    await closeInvoice(trx, booking.id, 'written_off', null, now);
    await trx('payments').insert({
      booking_id: booking.id,
      method: 'invoice',
      status: 'written_off',
      amount: booking.total,
      currency: booking.currency,
      amount_refunded: 0,
      note: reason,
      paid_at: toDbTime(now),
      created_at: toDbTime(now),
      updated_at: toDbTime(now),
    });
    await recordAudit(trx, actor, { action: 'invoice_written_off', targetType: 'booking', targetId: booking.id, details: { reference, amount: booking.total, reason } }, now);
  });
}

export interface InvoiceAge extends OutstandingInvoice {
  ageDays: number;
}

export async function listInvoicesOutstanding(ctx: ServiceContext): Promise<InvoiceAge[]> {
  const now = ctx.clock.now();
  return (await listOutstandingInvoices(ctx.db)).map((i) => ({ ...i, ageDays: daysSince(i.bookedAt, now) }));
}
