import type { Knex } from 'knex';
import type { ServiceContext } from '../context';
import { bookingState, seatsFit } from '../events/availability';
import { countSeatsTaken, listTicketTypes } from '../events/queries';
import type { EventRecord } from '../events/types';
import { payUrl } from '../lib/links';
import { formatInstant } from '../lib/time';
import { OFFER_HOLD_HOURS } from './notifications';
import { queueBookingNotice, receiptFor } from './notify';
import { listWaitlist, updateBookingStatus } from './queries';
import type { BookingRecord } from './types';

/** How long a waitlisted buyer has to pay for a place offered to them (never past the event's start). */
export const OFFER_HOLD_MS = OFFER_HOLD_HOURS * 60 * 60_000;

/**
 * Gives one waitlisted booking its place. Nothing to pay now (a free place, or an invoice booking):
 * confirmed at once. A card booking: offered as a hold with a payment link, because a place must not
 * be confirmed before it is paid for. The caller holds the event lock and has checked the seats fit.
 */
export async function grantWaitlistPlace(trx: Knex.Transaction, ctx: ServiceContext, booking: BookingRecord, event: EventRecord): Promise<'confirmed' | 'offered' | null> {
  const now = ctx.clock.now();
  if (booking.total === 0 || booking.paymentMethod === 'invoice') {
    const isInvoice = booking.paymentMethod === 'invoice';
    if (!(await updateBookingStatus(trx, booking.id, ['waitlisted'], 'confirmed', now, isInvoice ? { invoice_status: 'outstanding' } : {}))) return null;
    // One email to the buyer: the place, and for an invoice booking the pro-forma with it.
    await queueBookingNotice(trx, ctx, 'promoted', booking.id, isInvoice ? { money: await receiptFor(trx, 'pro_forma', booking.id) } : {});
    if (isInvoice) await ctx.documents.invoiceConfirmed(trx, booking.id);
    return 'confirmed';
  }
  const holdUntil = new Date(Math.min(now.getTime() + OFFER_HOLD_MS, event.startsAt.getTime()));
  if (!(await updateBookingStatus(trx, booking.id, ['waitlisted'], 'pending_payment', now, { hold_expires_at: holdUntil.toISOString() }))) return null;
  await queueBookingNotice(trx, ctx, 'offered', booking.id, { payUrl: payUrl(ctx.config, booking.reference), holdUntil: formatInstant(holdUntil, event.timezone) });
  return 'offered';
}

/**
 * Gives freed places to the waitlist, first come first served: the first booking that does not fit
 * stops the promotion, so nobody is overtaken by a smaller party behind them. A hybrid event has a waitlist per way
 * of taking part: a booking that does not fit stops the promotion only for its own modes, so someone waiting for an
 * online place is not held up by a party waiting for the room. The caller holds the event lock.
 */
export async function promoteWaitlist(trx: Knex.Transaction, ctx: ServiceContext, event: EventRecord): Promise<number[]> {
  const now = ctx.clock.now();
  const state = bookingState(event, now);
  if (state !== 'open' && state !== 'closed') return [];
  const types = (await listTicketTypes(trx, [event.id])).get(event.id) ?? [];
  const promoted: number[] = [];
  const blocked = new Set<'in_person' | 'online'>();
  for (const { booking, seats, modes } of await listWaitlist(trx, event.id)) {
    const wants = (['in_person', 'online'] as const).filter((m) => modes[m] > 0);
    if (event.mode !== 'hybrid' && blocked.size > 0) break;
    if (wants.some((m) => blocked.has(m))) {
      wants.forEach((m) => blocked.add(m));
      continue;
    }
    const counts = (await countSeatsTaken(trx, [event.id], now)).get(event.id);
    if (!seatsFit(event, types, counts, seats, modes)) {
      wants.forEach((m) => blocked.add(m));
      if (wants.length === 0) blocked.add('in_person');
      if (event.mode !== 'hybrid' || blocked.size === 2) break;
      continue;
    }
    if (await grantWaitlistPlace(trx, ctx, booking, event)) promoted.push(booking.id);
  }
  return promoted;
}
