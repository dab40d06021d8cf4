import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { ServiceContext } from '../context';
import { doorState, isOnSale, seatsFit } from '../events/availability';
import type { EventRecord, TicketTypeRecord } from '../events/types';
import { ConflictError, NotFoundError } from '../lib/errors';
import { formatDate, toDbTime } from '../lib/time';
import { emailText, singleLineText } from '../lib/text';
import { manageTokenHash, publicHost, seatTokenHash } from '../lib/links';
import { newReference } from '../lib/tokens';
import { lockEventBySlug, seatsTaken, takeSeats } from './booking-scope';
import { queueNoticeFor } from './notify';
import { findEmailsAlreadyBooked, insertAttendees, insertBooking } from './queries';
import type { BookingView } from './view';

/** What staff type at the door: a name, and an email only if the person gives one. */
export const walkInSchema = z.object({
  name: singleLineText(200, { notText: 'Enter their name', tooLong: 'Keep the name under 200 characters' }).min(1, 'Enter their name'),
  email: z.preprocess((v) => (v === undefined || v === null ? '' : v), z.union([z.literal(''), emailText('Enter an email address like name@example.org, or leave it empty')])),
});

export type WalkInInput = z.infer<typeof walkInSchema>;

/** The door is not open yet (or any more): 409 `check_in_not_open`, naming the day it opens. */
export function assertDoorOpen(event: EventRecord, now: Date, forWalkIn: boolean): void {
  const state = doorState(event, now);
  if (state === 'before') throw new ConflictError('check_in_not_open', `Check-in opens on the day of the event, ${formatDate(event.startsAt, event.timezone)}.`);
  if (state === 'after' && forWalkIn) throw new ConflictError('check_in_not_open', 'This event is over, so walk-ins can no longer be added.');
}

/** The ticket type a walk-in takes: the first free one on sale to everyone. Paid walk-ins book through the public page. */
function walkInTicketType(types: TicketTypeRecord[], now: Date): TicketTypeRecord {
  const free = types.filter((t) => t.price === 0 && !t.membersOnly);
  const type = free.find((t) => isOnSale(t, now)) ?? free.find((t) => t.isActive);
  if (!type) throw new ConflictError('walk_in_not_free', 'This event has no free ticket type open to everyone, so walk-ins cannot be added here. Book them through the public booking page instead.');
  return type;
}

/**
 * A walk-in registered at the door: a confirmed free booking of one place, marked `is_walk_in` and checked in at once,
 * placed under the event's lock in the same group-commit transaction as every other booking, so the capacity rule is
 * the booking rule (DESIGN.md, Availability): no place is sold twice however many phones add walk-ins at once. The
 * booking window does not apply (the person is at the door); the event's day does (409 `check_in_not_open`). A full
 * event refuses (409 `sold_out`: no waitlist at the door); an email that already holds a place refuses (409
 * `already_booked`). With an email the person gets the usual confirmation and manage link; without one nothing is sent
 * (the address is stored as ''). `record` runs in the same transaction (the caller's audit entry).
 */
export async function registerWalkIn(
  ctx: ServiceContext,
  slug: string,
  input: WalkInInput,
  record: (trx: Knex.Transaction, view: BookingView) => Promise<void>,
): Promise<BookingView> {
  const now = ctx.clock.now();
  const view = await ctx.groupCommit.run(slug, async (trx) => {
    const found = await lockEventBySlug(trx, slug);
    if (!found || found.event.status === 'draft') throw new NotFoundError('event_not_found', 'No event with that address.');
    const { event, types } = found;
    if (event.status === 'cancelled') throw new ConflictError('event_cancelled', 'This event has been cancelled.');
    assertDoorOpen(event, now, true);
    const type = walkInTicketType(types, now);
    if (input.email && (await findEmailsAlreadyBooked(trx, event.id, [input.email], now)).length > 0) {
      throw new ConflictError('already_booked', `${input.email} already has a place (or a waitlist place) at this event: search for them instead.`);
    }
    const wanted = new Map([[type.id, 1]]);
    // Someone at the door takes part in person (at an online-only event, as the event's one way).
    const mode = event.mode === 'online' ? 'online' : 'in_person';
    if (!seatsFit(event, types, await seatsTaken(trx, event, now), wanted, { [mode]: 1 })) {
      throw new ConflictError('sold_out', `The event is full (${event.capacity} places), so this walk-in cannot be added. Raise the capacity first if the room has space.`);
    }
    takeSeats(trx, event, wanted, { [mode]: 1 });
    const booking = await insertWalkInBooking(trx, ctx, event, input, now);
    const icalUid = `${randomUUID()}@${publicHost(ctx.config)}`;
    // The seat's own link, as every seat has (bookings/seats.ts); none without an email, as there is nobody to send it to.
    const seatHash = input.email ? seatTokenHash(ctx.config, icalUid, input.email) : undefined;
    const [attendee] = await insertAttendees(trx, booking.id, event.id, [{ ticketTypeId: type.id, name: input.name, email: input.email, unitPrice: 0, currency: type.currency, icalUid, manageTokenHash: seatHash, mode }], now);
    await trx('attendees').where({ id: attendee.id }).update({ checked_in_at: toDbTime(now) });
    const placed: BookingView = { booking, attendees: [{ ...attendee, checkedInAt: now }], event };
    if (input.email) await queueNoticeFor(trx, ctx, 'confirmed', placed);
    await record(trx, placed);
    return placed;
  });
  ctx.kickOutbox();
  return view;
}

async function insertWalkInBooking(trx: Knex.Transaction, ctx: ServiceContext, event: EventRecord, input: WalkInInput, now: Date) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const reference = newReference();
    const booking = await insertBooking(trx, {
      reference,
      eventId: event.id,
      status: 'confirmed',
      buyer: { name: input.name, email: input.email },
      total: 0,
      currency: event.currency,
      paymentMethod: 'none',
      manageTokenHash: manageTokenHash(ctx.config, reference),
      isWalkIn: true,
      now,
    });
    if (booking) return booking;
  }
  throw new Error('Could not draw an unused booking reference');
}
