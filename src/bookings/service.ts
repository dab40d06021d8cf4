import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ServiceContext } from '../context';
import { lockRow, writeTransaction } from '../db/dialect';
import { bookingState, isOnSale, seatsFit } from '../events/availability';
import { findEventById, findEventBySlug } from '../events/queries';
import { lockEventBySlug, seatsTaken, takeSeats } from './booking-scope';
import type { EventRecord, TicketTypeRecord } from '../events/types';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../lib/errors';
import { newReference, tokenMatches } from '../lib/tokens';
import { enqueueEmail } from '../mail/outbox';
import { manageTokenHash, publicHost } from '../lib/links';
import { bookingEmails, type BookingNotice } from './notifications';
import {
  cancelAttendees,
  findActiveBookingForEmail,
  findBookingById,
  findBookingByReference,
  findEmailsAlreadyBooked,
  insertAttendees,
  insertBooking,
  listAttendees,
  updateBookingStatus,
  waitlistPosition,
} from './queries';
import type { NewBooking } from './queries';
import type { BookingRequest } from './schemas';
import { promoteWaitlist } from './waitlist';

export { promoteWaitlist };
import type { AttendeeRecord, BookingRecord, BookingStatus } from './types';

export interface BookingView {
  booking: BookingRecord;
  attendees: AttendeeRecord[];
  event: EventRecord;
  waitlistPosition?: number;
}

export interface CreatedBooking extends BookingView {
  manageToken: string;
}

const STATE_ERRORS = {
  cancelled: () => new ConflictError('event_cancelled', 'This event has been cancelled.'),
  started: () => new ConflictError('event_past', 'This event has already taken place, so it no longer takes bookings.'),
  not_yet_open: () => new ConflictError('booking_not_open', 'Booking for this event has not opened yet.'),
  closed: () => new ConflictError('booking_closed', 'Booking for this event has closed.'),
  unpublished: () => new NotFoundError('No event with that address.', 'event_not_found'),
};

export function assertBookable(event: EventRecord, now: Date): void {
  const state = bookingState(event, now);
  if (state !== 'open') throw STATE_ERRORS[state]();
}

/** Works out each item's ticket type; a free event with one registration type needs none named. */
export function resolveTicketTypes(request: BookingRequest, types: TicketTypeRecord[], now: Date): TicketTypeRecord[] {
  const onSale = types.filter((t) => isOnSale(t, now));
  const problems: Array<{ path: string; message: string }> = [];
  const resolved = request.items.map((item, index) => {
    if (item.ticketTypeId === undefined) {
      const defaults = onSale.filter((t) => !t.membersOnly);
      if (defaults.length === 1) return defaults[0];
      problems.push({ path: `items.${index}.ticketTypeId`, message: 'Choose a ticket type' });
      return undefined;
    }
    const type = types.find((t) => t.id === item.ticketTypeId);
    if (!type) problems.push({ path: `items.${index}.ticketTypeId`, message: 'No such ticket type for this event' });
    else if (!isOnSale(type, now)) problems.push({ path: `items.${index}.ticketTypeId`, message: `${type.name} tickets are not on sale now` });
    return type;
  });
  if (problems.length) throw new ValidationError(problems);
  return resolved as TicketTypeRecord[];
}

export interface LockedEvent {
  event: EventRecord;
  types: TicketTypeRecord[];
  itemTypes: TicketTypeRecord[];
}

/** Locks the event for a booking, checks it takes bookings now, and works out each item's ticket type. */
export async function lockEventForBooking(trx: Knex.Transaction, slug: string, request: BookingRequest, now: Date): Promise<LockedEvent> {
  const found = await lockEventBySlug(trx, slug);
  if (!found) throw new NotFoundError('No event with that address.', 'event_not_found');
  const { event, types } = found;
  assertBookable(event, now);
  return { event, types, itemTypes: resolveTicketTypes(request, types, now) };
}

/** Seats asked for, by ticket type id. */
export function wantedSeats(types: TicketTypeRecord[]): Map<number, number> {
  const wanted = new Map<number, number>();
  for (const t of types) wanted.set(t.id, (wanted.get(t.id) ?? 0) + 1);
  return wanted;
}

/** Inserts a booking with a fresh reference, drawing again in the rare case the random one is taken. */
export async function insertBookingWithReference(trx: Knex.Transaction, ctx: ServiceContext, make: (reference: string, tokenHash: string) => NewBooking): Promise<BookingRecord> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const reference = newReference();
    const booking = await insertBooking(trx, make(reference, manageTokenHash(ctx.config, reference)));
    if (booking) return booking;
  }
  throw new Error('Could not draw an unused booking reference');
}

export interface NoticeExtra {
  note?: string;
  hadPlace?: boolean;
  dedupeSuffix?: string;
  attendees?: AttendeeRecord[];
  payUrl?: string;
  holdUntil?: string;
  waitlistPosition?: number;
}

/** One attendee row per requested place, at its ticket type's price now, each with its own calendar UID. */
export function insertSeats(trx: Knex.Transaction, ctx: ServiceContext, booking: BookingRecord, request: BookingRequest, itemTypes: TicketTypeRecord[], now: Date): Promise<AttendeeRecord[]> {
  const host = publicHost(ctx.config);
  const seats = request.items.map((item, i) => ({ ...item.attendee, ticketTypeId: itemTypes[i].id, unitPrice: itemTypes[i].price, currency: itemTypes[i].currency, icalUid: `${randomUUID()}@${host}` }));
  return insertAttendees(trx, booking.id, booking.eventId, seats, now);
}

/** Queues the emails for a booking change inside the caller's transaction, from what the caller already holds. */
export async function queueNoticeFor(trx: Knex.Transaction, ctx: ServiceContext, notice: BookingNotice, view: BookingView, extra: NoticeExtra = {}): Promise<void> {
  const attendees = extra.attendees ?? view.attendees.filter((a) => a.status === 'active');
  const now = ctx.clock.now();
  const host = publicHost(ctx.config);
  for (const email of bookingEmails(notice, view.event, view.booking, attendees, { waitlistPosition: view.waitlistPosition, ...extra })) {
    await enqueueEmail(trx, email, now, host);
  }
}

/** Queues the emails for a booking change inside the caller's transaction. */
export async function queueBookingNotice(trx: Knex.Transaction, ctx: ServiceContext, notice: BookingNotice, bookingId: number, extra: NoticeExtra = {}): Promise<void> {
  const view = await loadBookingView(trx, bookingId).catch(() => undefined);
  if (view) await queueNoticeFor(trx, ctx, notice, view, extra);
}

/** A free registration, in the caller's locked transaction: confirmed while there is room, waitlisted after. */
export async function registerFreeBooking(trx: Knex.Transaction, ctx: ServiceContext, locked: LockedEvent, request: BookingRequest, now: Date): Promise<BookingView> {
  const { event, types, itemTypes } = locked;
  if ((await findEmailsAlreadyBooked(trx, event.id, request.items.map((i) => i.attendee.email), now)).length > 0) {
    throw new ConflictError('already_booked', 'This email address is already registered for this event.');
  }
  const wanted = wantedSeats(itemTypes);
  const status: BookingStatus = seatsFit(event, types, await seatsTaken(trx, event, now), wanted) ? 'confirmed' : 'waitlisted';
  if (status === 'confirmed') takeSeats(trx, event, wanted);
  const booking = await insertBookingWithReference(trx, ctx, (reference, tokenHash) => ({
    reference,
    eventId: event.id,
    status,
    buyer: request.buyer,
    total: 0,
    currency: event.currency,
    paymentMethod: 'none',
    manageTokenHash: tokenHash,
    now,
  }));
  const attendees = await insertSeats(trx, ctx, booking, request, itemTypes, now);
  const view: BookingView = { booking, attendees, event, waitlistPosition: status === 'waitlisted' ? await waitlistPosition(trx, booking) : undefined };
  await queueNoticeFor(trx, ctx, status === 'confirmed' ? 'confirmed' : 'waitlisted', view);
  return view;
}

export async function loadBookingView(db: Knex | Knex.Transaction, bookingId: number): Promise<BookingView> {
  const booking = await findBookingById(db, bookingId);
  if (!booking) throw new NotFoundError('No such booking.', 'booking_not_found');
  const event = await findEventById(db, booking.eventId);
  if (!event) throw new NotFoundError('No such event.', 'event_not_found');
  const attendees = await listAttendees(db, bookingId);
  const position = booking.status === 'waitlisted' ? await waitlistPosition(db, booking) : undefined;
  return { booking, attendees, event, waitlistPosition: position };
}

/** The booking, for whoever holds its manage token; the same answer for a wrong token and no booking. */
export async function getBookingForHolder(ctx: ServiceContext, reference: string, token: string | undefined): Promise<BookingView> {
  if (!token) throw new UnauthorizedError('This link needs its private token. Use the link from your confirmation email.', 'token_required');
  const booking = await findBookingByReference(ctx.db, reference);
  if (!booking || !tokenMatches(token, booking.manageTokenHash)) {
    throw new NotFoundError('We could not find that booking. Check the link in your confirmation email.', 'booking_not_found');
  }
  return loadBookingView(ctx.db, booking.id);
}

/** Cancels a free booking (or a waitlist entry) and offers the place to the waitlist. */
export async function cancelFreeBooking(trx: Knex.Transaction, ctx: ServiceContext, booking: BookingRecord, event: EventRecord, reason: string): Promise<void> {
  const now = ctx.clock.now();
  const active = (await listAttendees(trx, booking.id)).filter((a) => a.status === 'active');
  const changed = await updateBookingStatus(trx, booking.id, ['confirmed', 'waitlisted'], 'cancelled', now, { cancel_reason: reason });
  if (!changed) return;
  await cancelAttendees(trx, booking.id, now);
  // Only people who had an invitation need a CANCEL for their calendar; a waitlist entry gets a plain note.
  await queueBookingNotice(trx, ctx, 'cancelled', booking.id, { attendees: active, hadPlace: booking.status === 'confirmed' });
  if (booking.status === 'confirmed') await promoteWaitlist(trx, ctx, event);
}

export async function cancelBookingAsHolder(ctx: ServiceContext, reference: string, token: string | undefined): Promise<BookingView> {
  const { booking: found } = await getBookingForHolder(ctx, reference, token);
  const now = ctx.clock.now();
  const view = await writeTransaction(ctx.db, async (trx) => {
    await lockRow(trx, 'events', found.eventId);
    const booking = await findBookingById(trx, found.id);
    const event = await findEventById(trx, found.eventId);
    if (!booking || !event) throw new NotFoundError('No such booking.', 'booking_not_found');
    if (booking.status === 'cancelled' || booking.status === 'expired') return loadBookingView(trx, booking.id);
    if (now >= event.startsAt) throw new ConflictError('event_past', 'This event has already started, so the booking can no longer be cancelled here.');
    if (booking.total > 0 && booking.status !== 'waitlisted') throw new ConflictError('refund_required', 'This is a paid booking; cancel it through the refund process.');
    await cancelFreeBooking(trx, ctx, booking, event, 'Cancelled by the attendee');
    return loadBookingView(trx, booking.id);
  });
  ctx.kickOutbox();
  return view;
}

/** Sends the booking's confirmation again to whoever asks with a registered email; silent otherwise. */
export async function resendConfirmation(ctx: ServiceContext, slug: string, email: string): Promise<void> {
  const event = await findEventBySlug(ctx.db, slug);
  if (!event) throw new NotFoundError('No event with that address.', 'event_not_found');
  const booking = await findActiveBookingForEmail(ctx.db, event.id, email);
  if (!booking) return;
  const now = ctx.clock.now();
  // One resend per booking per ten minutes: the dedupe key makes repeats within the window no-ops.
  const window = Math.floor(now.getTime() / (10 * 60_000));
  await writeTransaction(ctx.db, (trx) => queueBookingNotice(trx, ctx, 'resent', booking.id, { dedupeSuffix: `resend-${window}` }));
  ctx.kickOutbox();
}
