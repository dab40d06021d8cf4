import type { Knex } from 'knex';
import { findBookingById, paymentNotice } from '../bookings';
import type { ServiceContext } from '../context';
import { findEventById } from '../events/queries';
import { publicHost } from '../lib/links';
import { toDbTime } from '../lib/time';
import { enqueueEmail } from '../mail/outbox';
import { issueCardReceipt, issueInvoicePaidReceipt } from './documents/issue';
import { invoiceBalance } from './outstanding';

/**
 * A card payment against an invoice ("pay by card instead"), just recorded by payments/ in the webhook's transaction
 * under the event's lock. It counts as received (outstanding.ts); then, like a bank payment:
 * - it brings the invoice to nothing: the invoice is closed as `paid` and the paid-in-full receipt is issued;
 * - it leaves something outstanding (the invoice was credited or part paid after the page was opened, for less):
 *   the buyer is told what was received and what is still due;
 * - the invoice was no longer open (a bank transfer closed it while the card checkout was open): the money is an
 *   overpayment, shown as such on the documents list, receipted as it is, for the treasurer to refund.
 * Idempotent: the webhook calls it once per payment (payments are recorded once by their PaymentIntent).
 */
export async function closeInvoicePaidByCard(trx: Knex.Transaction, ctx: ServiceContext, paymentId: number): Promise<void> {
  const now = ctx.clock.now();
  const payment = await trx('payments').where({ id: paymentId }).first('id', 'booking_id', 'amount', 'method', 'paid_at');
  if (!payment || payment.booking_id === null || payment.method !== 'card') return;
  const bookingId = Number(payment.booking_id);
  const booking = await findBookingById(trx, bookingId);
  if (!booking || booking.paymentMethod !== 'invoice') return;
  const before = await invoiceBalance(trx, bookingId);
  if (before.status !== 'outstanding') {
    await issueCardReceipt(trx, ctx, paymentId);
    ctx.logger.warn('card payment on an invoice no longer outstanding: an overpayment to repay', { bookingId, paymentId, amount: Number(payment.amount) });
    return;
  }
  const left = Math.max(0, before.total - before.credited - before.received);
  if (left === 0) {
    const paidAt = new Date(payment.paid_at);
    await trx('bookings').where({ id: bookingId, invoice_status: 'outstanding' }).update({ invoice_status: 'paid', invoice_paid_at: toDbTime(paidAt), updated_at: toDbTime(now) });
    await issueInvoicePaidReceipt(trx, ctx, bookingId, paymentId);
  }
  const event = (await findEventById(trx, booking.eventId))!;
  await enqueueEmail(trx, paymentNotice(ctx, { kind: 'invoice_paid', event, booking, lines: [], amount: Number(payment.amount), outstanding: left, dedupeSuffix: `card-${paymentId}` }), now, publicHost(ctx.config));
}
