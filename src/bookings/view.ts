import type { Knex } from 'knex';
import type { ServiceContext } from '../context';
import { findEventById } from '../events/queries';
import type { EventRecord } from '../events/types';
import { NotFoundError, UnauthorizedError } from '../lib/errors';
import { tokenMatches } from '../lib/tokens';
import { findBookingById, findBookingByReference, listAttendees, waitlistPosition } from './queries';
import type { AttendeeRecord, BookingRecord } from './types';

/** A booking with its event and every seat (active and cancelled), and its place in the waitlist when waiting. */
export interface BookingView {
  booking: BookingRecord;
  attendees: AttendeeRecord[];
  event: EventRecord;
  waitlistPosition?: number;
}

export interface CreatedBooking extends BookingView {
  manageToken: string;
  /** The provider's payment page, for a card booking holding its seats. */
  checkoutUrl?: string;
}

/** Throws NotFoundError `booking_not_found` / `event_not_found`. */
export async function loadBookingView(db: Knex | Knex.Transaction, bookingId: number): Promise<BookingView> {
  const booking = await findBookingById(db, bookingId);
  if (!booking) throw new NotFoundError('booking_not_found', 'No such booking.');
  const event = await findEventById(db, booking.eventId);
  if (!event) throw new NotFoundError('event_not_found', 'No such event.');
  const attendees = await listAttendees(db, bookingId);
  const position = booking.status === 'waitlisted' ? await waitlistPosition(db, booking) : undefined;
  return { booking, attendees, event, waitlistPosition: position };
}

/** The one refusal for a booking link: unknown reference, wrong token and malformed link all read the same. */
export const bookingNotFound = (): NotFoundError => new NotFoundError('booking_not_found', 'We could not find that booking. Check the link in your confirmation email.');

/**
 * The booking, for whoever holds its manage token; the same answer for a wrong token and no booking.
 * Throws UnauthorizedError `token_required` (no token), NotFoundError `booking_not_found`.
 */
export async function getBookingForHolder(ctx: ServiceContext, reference: string, token: string | undefined): Promise<BookingView> {
  if (!token) throw new UnauthorizedError('token_required', 'This link needs its private token. Use the link from your confirmation email.');
  const booking = await findBookingByReference(ctx.db, reference);
  if (!booking || !tokenMatches(token, booking.manageTokenHash)) {
    throw bookingNotFound();
  }
  return loadBookingView(ctx.db, booking.id);
}
