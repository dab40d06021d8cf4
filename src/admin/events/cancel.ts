import { publicHost } from '../../lib/links';
import { bookingEmails, cancelSeats, releaseHold, type BookingRecord } from '../../bookings';
import type { ServiceContext } from '../../context';
import { lockRow, writeTransaction } from '../../db/dialect';
import { findEventById, findEventBySlug } from '../../events/queries';
import type { EventRecord } from '../../events/types';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { formatMoney } from '../../lib/money';
import { toDbTime } from '../../lib/time';
import { enqueueEmail } from '../../mail/outbox';
import { invoiceBalance } from '../../finance/outstanding';
import { recordCredit } from '../../finance/credits';
import { refundBookingInFull } from '../../payments/refunds';
import type { Logger } from '../../lib/logger';
import { recordAudit, type Actor } from '../audit/log';
import { listBookingsWithAttendees } from './affected';
import { changeEventStatus } from './queries';

export interface CancellationOutcome {
  event: EventRecord;
  /** Free bookings and waitlist entries cancelled here. */
  cancelled: number;
  /** People sent a calendar CANCEL (they held a place) or a note (they were waiting). */
  notified: number;
  refunded: Array<{ reference: string; amount: string }>;
  refundFailures: Array<{ reference: string; amount: string; error: string }>;
  /** Invoice bookings cancelled, each credited with what its invoice still asked for; `received` is money to repay. */
  invoices: Array<{ reference: string; amount: string; organisation: string | null; received: string | null }>;
  /** Unpaid holds released; a payment that still arrives for one is refunded automatically. */
  holds: number;
}

const isCardPaid = (b: BookingRecord) => b.status === 'confirmed' && b.total > 0 && b.paymentMethod === 'stripe';
const isInvoiced = (b: BookingRecord) => b.total > 0 && b.paymentMethod === 'invoice' && b.status === 'confirmed';

function noteFor(booking: BookingRecord, reason: string): string {
  const why = `Reason: ${reason}`;
  if (isCardPaid(booking)) return `${why} Your payment of ${formatMoney(booking.total, booking.currency)} will be refunded in full to the card you paid with.`;
  if (isInvoiced(booking)) return `${why} Your invoice for ${formatMoney(booking.total, booking.currency)} is cancelled, so nothing more is due; if you have already paid some of it, our treasurer will repay you.`;
  if (booking.status === 'waitlisted') return `${why} You were on the waitlist, so there is nothing more to do.`;
  return why;
}

/**
 * Cancels the event: every active attendee gets a calendar CANCEL (waitlisted people a plain note), free
 * bookings and invoice bookings are cancelled and each invoice is credited with all it still asks for, all in one
 * transaction. Card payments are refunded in full
 * after the commit, one booking at a time; a refund that fails is logged and listed, never thrown, so
 * one failure does not leave the rest unrefunded.
 */
export async function cancelEvent(ctx: ServiceContext, actor: Actor, slug: string, reason: string, logger: Logger): Promise<CancellationOutcome> {
  const now = ctx.clock.now();
  const host = publicHost(ctx.config);
  const { outcome, toRefund, releasedHolds } = await writeTransaction(ctx.db, async (trx) => {
    const found = await findEventBySlug(trx, slug);
    if (!found) throw new NotFoundError('event_not_found', 'No event with that address.');
    await lockRow(trx, 'events', found.id);
    const before = (await findEventById(trx, found.id)) as EventRecord;
    if (before.status === 'cancelled') throw new ConflictError('already_cancelled', 'This event is already cancelled.');
    await changeEventStatus(trx, before.id, ['draft', 'published'], 'cancelled', now, { cancelled_at: toDbTime(now), sequence: before.sequence + 1 });
    const event = (await findEventById(trx, before.id)) as EventRecord;

    const result: CancellationOutcome = { event, cancelled: 0, notified: 0, refunded: [], refundFailures: [], invoices: [], holds: 0 };
    const toRefund: BookingRecord[] = [];
    const releasedHolds: number[] = [];
    for (const { booking, attendees } of await listBookingsWithAttendees(trx, event.id, ['confirmed', 'waitlisted', 'pending_payment'])) {
      if (booking.status === 'pending_payment') {
        // An unpaid hold is released now; its Stripe session is expired after the commit, and a payment
        // that still slips through is refunded by fulfilment (a cancelled event never confirms).
        await releaseHold(trx, ctx, booking.id, `Event cancelled: ${reason}`);
        releasedHolds.push(booking.id);
        result.holds++;
        continue;
      }
      for (const email of bookingEmails('event_cancelled', event, booking, attendees, { note: noteFor(booking, reason) })) await enqueueEmail(trx, email, now, host);
      result.notified += attendees.length;
      if (isCardPaid(booking)) {
        toRefund.push(booking);
        continue;
      }
      const seats = await cancelSeats(trx, ctx, booking.id, `Event cancelled: ${reason}`);
      if (isInvoiced(booking)) {
        // Nothing stays owed for an event that did not happen: what the invoice still asks for is credited in full.
        const { outstanding, received } = await invoiceBalance(trx, booking.id);
        if (outstanding > 0) {
          await recordCredit(trx, ctx, actor, { bookingId: booking.id, amount: outstanding, currency: booking.currency, feeKept: 0, attendeeIds: seats.map((a) => a.id), reason: `Event cancelled: ${reason}` }, { notify: false });
        }
        result.invoices.push({ reference: booking.reference, amount: formatMoney(outstanding, booking.currency), organisation: booking.buyerOrganisation, received: received > 0 ? formatMoney(received, booking.currency) : null });
        await recordAudit(trx, actor, { action: 'invoice_booking_cancelled', targetType: 'booking', targetId: booking.id, details: { reference: booking.reference, total: booking.total, credited: outstanding, received, purchaseOrder: booking.purchaseOrder, note: received > 0 ? 'Event cancelled: invoice credited; repay what was received' : 'Event cancelled: invoice credited in full' } }, now);
      } else result.cancelled++;
    }
    await recordAudit(trx, actor, { action: 'event_cancelled', targetType: 'event', targetId: event.id, details: { slug, reason, cancelled: result.cancelled, toRefund: toRefund.map((b) => b.reference), invoices: result.invoices.map((i) => i.reference), holds: result.holds } }, now);
    return { outcome: result, toRefund, releasedHolds };
  });
  ctx.kickOutbox();
  // Released holds can no longer be paid for; a payment that slipped in meanwhile is refunded (the event is cancelled).
  for (const bookingId of releasedHolds) await ctx.payments.closeCheckout(bookingId);

  for (const booking of toRefund) {
    const amount = formatMoney(booking.total, booking.currency);
    try {
      await refundBookingInFull(ctx, booking.id, `Event cancelled: ${reason}`);
      outcome.refunded.push({ reference: booking.reference, amount });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error('refund after event cancellation failed', { booking: booking.reference, error: message });
      outcome.refundFailures.push({ reference: booking.reference, amount, error: message });
    }
  }
  return outcome;
}
