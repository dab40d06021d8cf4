import type { Tx } from '../../db/connect';
import { toAttendee, toBooking, type AttendeeRecord, type BookingRecord, type BookingStatus } from '../../bookings';

export interface BookingWithAttendees {
  booking: BookingRecord;
  /** Active attendees only: the people who still hold (or wait for) a place. */
  attendees: AttendeeRecord[];
}

const CHUNK = 500;

/** An event's bookings in the given states with their active attendees, in booking order. */
export async function listBookingsWithAttendees(db: Tx, eventId: number, statuses: BookingStatus[]): Promise<BookingWithAttendees[]> {
  const bookings = (await db('bookings').select('bookings.*').where({ event_id: eventId }).whereIn('status', statuses).orderBy('id')).map(toBooking);
  const byBooking = new Map<number, AttendeeRecord[]>(bookings.map((b) => [b.id, []]));
  for (let i = 0; i < bookings.length; i += CHUNK) {
    const ids = bookings.slice(i, i + CHUNK).map((b) => b.id);
    const rows = await db('attendees').select('*').whereIn('booking_id', ids).where('status', 'active').orderBy('id');
    for (const row of rows) byBooking.get(Number(row.booking_id))?.push(toAttendee(row));
  }
  return bookings.map((booking) => ({ booking, attendees: byBooking.get(booking.id) ?? [] }));
}
