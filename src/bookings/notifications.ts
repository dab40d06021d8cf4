import { buildInvitation, googleCalendarLink } from '../calendar/ics';
import { calendarContext } from '../calendar/context';
import type { ServiceContext } from '../context';
import type { EventRecord } from '../events/types';
import { formatMoney } from '../lib/money';
import { eventDates } from '../events/dates';
import type { OutgoingEmail } from '../mail/outbox';
import { eventUrl, manageUrl } from './links';
import { normaliseEmail, type AttendeeRecord, type BookingRecord } from './types';

/** What happened to a booking that its people must hear about. */
export type BookingNotice = 'confirmed' | 'promoted' | 'waitlisted' | 'offered' | 'cancelled' | 'resent' | 'updated' | 'event_cancelled';

const SUBJECTS: Record<BookingNotice, (title: string) => string> = {
  confirmed: (t) => `You're booked: ${t}`,
  promoted: (t) => `A place has come up — you're booked: ${t}`,
  waitlisted: (t) => `You're on the waitlist: ${t}`,
  cancelled: (t) => `Cancelled: ${t}`,
  resent: (t) => `Your booking: ${t}`,
  offered: (t) => `A place has come up — pay to confirm it: ${t}`,
  updated: (t) => `Changed: ${t}`,
  event_cancelled: (t) => `Event cancelled: ${t}`,
};

export function eventSummary(ctx: ServiceContext, event: EventRecord) {
  const url = eventUrl(ctx.config, event.slug);
  return {
    title: event.title,
    when: eventDates(event.startsAt, event.endsAt, event.timezone).range,
    venue: event.venue,
    address: event.address,
    onlineUrl: event.onlineUrl,
    url,
    googleLink: googleCalendarLink(event, url),
  };
}


export function invitationFor(ctx: ServiceContext, event: EventRecord, attendee: AttendeeRecord, method: 'REQUEST' | 'CANCEL', sequence = event.sequence) {
  return buildInvitation({ event, uid: attendee.icalUid, attendee: { name: attendee.name, email: attendee.email }, method, sequence }, calendarContext(ctx));
}

/**
 * The emails for one change to a booking: each attendee gets their own (with the calendar invitation
 * when they hold a place), and the buyer's carries the private manage link. A buyer who is not
 * attending gets a summary of their own.
 */
export function bookingEmails(
  ctx: ServiceContext,
  notice: BookingNotice,
  event: EventRecord,
  booking: BookingRecord,
  attendees: AttendeeRecord[],
  extra: { hadPlace?: boolean; waitlistPosition?: number; note?: string; dedupeSuffix?: string; payUrl?: string; holdUntil?: string } = {},
): OutgoingEmail[] {
  const buyerKey = normaliseEmail(booking.buyerEmail);
  const summary = eventSummary(ctx, event);
  const link = manageUrl(ctx.config, booking.reference);
  const holdsPlace = notice === 'confirmed' || notice === 'promoted' || notice === 'updated' || (notice === 'resent' && booking.status === 'confirmed');
  // An event cancellation removes the entry only from calendars that had one: waitlisted people get a plain note.
  // Only someone who was sent an invitation gets a CANCEL; leaving the waitlist gets a plain note.
  const cancels = (notice === 'cancelled' && extra.hadPlace !== false) || (notice === 'event_cancelled' && booking.status === 'confirmed');
  const method = cancels ? 'CANCEL' : holdsPlace ? 'REQUEST' : undefined;
  const suffix = extra.dedupeSuffix ? `:${extra.dedupeSuffix}` : '';
  const subject = SUBJECTS[notice](event.title);
  const base = {
    notice,
    event: summary,
    reference: booking.reference,
    waitlistPosition: extra.waitlistPosition,
    note: extra.note,
    total: booking.total > 0 ? formatMoney(booking.total, booking.currency) : null,
    payUrl: extra.payUrl,
    holdUntil: extra.holdUntil,
  };
  // An offer is the buyer's to take up: attendees hear nothing until the place is paid for.
  const recipients = notice === 'offered' ? [] : attendees;

  const emails: OutgoingEmail[] = recipients.map((attendee) => {
    const isBuyer = normaliseEmail(attendee.email) === buyerKey;
    const body = ctx.emails.render('booking-notice', { ...base, name: attendee.name, manageUrl: isBuyer ? link : null, attendees: isBuyer ? attendees : null, hasInvite: !!method });
    return {
      dedupeKey: `booking:${booking.id}:${notice}:attendee:${attendee.id}${suffix}`,
      kind: `booking_${notice}`,
      eventId: event.id,
      bookingId: booking.id,
      to: attendee.email,
      toName: attendee.name,
      subject,
      ...body,
      ...(method ? { ical: { method, content: invitationFor(ctx, event, attendee, method, notice === 'cancelled' ? event.sequence + 1 : event.sequence) } } : {}),
    };
  });

  if (!recipients.some((a) => normaliseEmail(a.email) === buyerKey)) {
    const body = ctx.emails.render('booking-notice', { ...base, name: booking.buyerName, manageUrl: link, attendees, isBuyerOnly: true, hasInvite: false });
    emails.push({
      dedupeKey: `booking:${booking.id}:${notice}:buyer${suffix}`,
      kind: `booking_${notice}`,
      eventId: event.id,
      bookingId: booking.id,
      to: booking.buyerEmail,
      toName: booking.buyerName,
      subject,
      ...body,
    });
  }
  return emails;
}
