import { findBookingByReference, grantWaitlistPlace, modeSeats } from '../../bookings';
import type { ServiceContext } from '../../context';
import { lockRow, writeTransaction } from '../../db/dialect';
import { seatsFit } from '../../events/availability';
import { countSeatsTaken, findEventById, findEventBySlug, listTicketTypes } from '../../events/queries';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { recordAudit, type Actor } from '../audit/log';
import { listBookingsWithAttendees } from '../events/affected';

/**
 * An organiser gives a place to one person on the waitlist (not necessarily the first: they may know
 * who most needs it). If the seats fit, a free or invoice booking is confirmed at once and a card booking
 * is held for them with a payment link: the same emails as automatic promotion sends. Returns which of the two.
 */
export async function offerWaitlistPlace(ctx: ServiceContext, actor: Actor, slug: string, reference: string): Promise<'confirmed' | 'offered' | null> {
  const now = ctx.clock.now();
  const granted = await writeTransaction(ctx.db, async (trx) => {
    const found = await findEventBySlug(trx, slug);
    if (!found) throw new NotFoundError('event_not_found', 'No event with that address.');
    await lockRow(trx, 'events', found.id);
    const event = (await findEventById(trx, found.id))!;
    const booking = await findBookingByReference(trx, reference);
    if (!booking || booking.eventId !== event.id) throw new NotFoundError('booking_not_found', 'No such booking for this event.');
    if (booking.status !== 'waitlisted') throw new ConflictError('not_waitlisted', `Booking ${reference} is no longer on the waitlist.`);
    if (event.status !== 'published' || now >= event.startsAt) throw new ConflictError('event_closed', 'Places can only be offered for a published event that has not started.');
    const types = (await listTicketTypes(trx, [event.id])).get(event.id) ?? [];
    const [entry] = (await listBookingsWithAttendees(trx, event.id, ['waitlisted'])).filter((b) => b.booking.id === booking.id);
    const seats = new Map<number, number>();
    for (const a of entry?.attendees ?? []) seats.set(a.ticketTypeId, (seats.get(a.ticketTypeId) ?? 0) + 1);
    const counts = (await countSeatsTaken(trx, [event.id], now)).get(event.id);
    if (!seatsFit(event, types, counts, seats, modeSeats(entry?.attendees ?? []))) {
      throw new ConflictError('no_room', `There is no free place for ${seats.size > 0 ? [...seats.values()].reduce((a, b) => a + b, 0) : 1} more. Raise the capacity first (Edit event), or wait for a cancellation.`);
    }
    // Free and invoice places are confirmed at once; a card booking is held for them with a payment link.
    const outcome = await grantWaitlistPlace(trx, ctx, booking, event);
    await recordAudit(trx, actor, { action: 'waitlist_place_offered', targetType: 'booking', targetId: booking.id, details: { event: slug, reference, outcome } }, now);
    return outcome;
  });
  ctx.kickOutbox();
  return granted;
}
