import { buildInvitation, googleCalendarLink } from '../calendar/ics';
import { calendarContext } from '../calendar/context';
import type { ServiceContext } from '../context';
import type { EventRecord } from '../events/types';
import { formatMoney } from '../lib/money';
import { eventDates } from '../events/dates';
import type { EmailContent, OutgoingEmail } from '../mail/outbox';
import { findEventById } from '../events/queries';
import { findBookingById, listAttendees } from './queries';
import { eventUrl, manageUrl } from '../lib/links';
import { type AttendeeRecord, type BookingRecord } from './types';
import { normaliseEmail } from '../lib/email';
import { refundStatusOf, refundsForSeats } from './refund-status';

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

/** What a notice says beyond the booking itself. */
export interface NoticeOptions {
  hadPlace?: boolean;
  waitlistPosition?: number;
  note?: string;
  dedupeSuffix?: string;
  payUrl?: string;
  holdUntil?: string;
}

/**
 * What the outbox keeps of one booking notice, to render it when it is sent: rendering (the message and its
 * calendar file) is the costly part, and it has no place in the transaction that books the seat. Whatever
 * depends on the moment of the change (the calendar method and SEQUENCE, the waitlist position, which
 * attendees it concerns) is decided here and kept; names, dates and places are read when it is rendered.
 */
export interface BookingNoticePayload {
  notice: BookingNotice;
  bookingId: number;
  /** The attendee this email is for; absent for a buyer who is not attending. */
  recipientId?: number;
  /** The booking's attendees the notice concerns, listed in the buyer's email. */
  attendeeIds: number[];
  method?: 'REQUEST' | 'CANCEL';
  sequence: number;
  isBuyer: boolean;
  waitlistPosition?: number;
  note?: string;
  payUrl?: string;
  holdUntil?: string;
}

export const BOOKING_NOTICE_TEMPLATE = 'booking_notice';

/**
 * The emails for one change to a booking: each attendee gets their own (with the calendar invitation
 * when they hold a place), and the buyer's carries the private manage link. A buyer who is not
 * attending gets a summary of their own. Each is queued to be rendered when it is sent.
 */
export function bookingEmails(
  notice: BookingNotice,
  event: EventRecord,
  booking: BookingRecord,
  attendees: AttendeeRecord[],
  options: NoticeOptions = {},
): OutgoingEmail[] {
  const buyerKey = normaliseEmail(booking.buyerEmail);
  const holdsPlace = notice === 'confirmed' || notice === 'promoted' || notice === 'updated' || (notice === 'resent' && booking.status === 'confirmed');
  // An event cancellation removes the entry only from calendars that had one: waitlisted people get a plain note.
  // Only someone who was sent an invitation gets a CANCEL; leaving the waitlist gets a plain note.
  const cancels = (notice === 'cancelled' && options.hadPlace !== false) || (notice === 'event_cancelled' && booking.status === 'confirmed');
  const method: BookingNoticePayload['method'] = cancels ? 'CANCEL' : holdsPlace ? 'REQUEST' : undefined;
  const suffix = options.dedupeSuffix ? `:${options.dedupeSuffix}` : '';
  const common = {
    kind: `booking_${notice}`,
    eventId: event.id,
    bookingId: booking.id,
    subject: SUBJECTS[notice](event.title),
  };
  const payload = {
    notice,
    bookingId: booking.id,
    attendeeIds: attendees.map((a) => a.id),
    method,
    sequence: notice === 'cancelled' ? event.sequence + 1 : event.sequence,
    waitlistPosition: options.waitlistPosition,
    note: options.note,
    payUrl: options.payUrl,
    holdUntil: options.holdUntil,
  };
  const deferred = (p: BookingNoticePayload) => ({ template: BOOKING_NOTICE_TEMPLATE, payload: p as unknown as Record<string, unknown> });
  // An offer is the buyer's to take up: attendees hear nothing until the place is paid for.
  const recipients = notice === 'offered' ? [] : attendees;

  const emails: OutgoingEmail[] = recipients.map((attendee) => ({
    ...common,
    dedupeKey: `booking:${booking.id}:${notice}:attendee:${attendee.id}${suffix}`,
    to: attendee.email,
    toName: attendee.name,
    deferred: deferred({ ...payload, recipientId: attendee.id, isBuyer: normaliseEmail(attendee.email) === buyerKey }),
  }));
  if (!recipients.some((a) => normaliseEmail(a.email) === buyerKey)) {
    emails.push({
      ...common,
      dedupeKey: `booking:${booking.id}:${notice}:buyer${suffix}`,
      to: booking.buyerEmail,
      toName: booking.buyerName,
      deferred: deferred({ ...payload, method: undefined, isBuyer: true }),
    });
  }
  return emails;
}

/** Renders a queued booking notice from the booking, event and attendees as they are now. */
export async function renderBookingNotice(ctx: ServiceContext, payload: BookingNoticePayload): Promise<EmailContent> {
  const booking = await findBookingById(ctx.db, payload.bookingId);
  const event = booking && (await findEventById(ctx.db, booking.eventId));
  if (!booking || !event) throw new Error(`booking ${payload.bookingId} is gone: its notice cannot be rendered`);
  const all = await listAttendees(ctx.db, booking.id);
  const attendees = all.filter((a) => payload.attendeeIds.includes(a.id));
  const recipient = payload.recipientId === undefined ? undefined : all.find((a) => a.id === payload.recipientId);
  if (payload.recipientId !== undefined && !recipient) throw new Error(`attendee ${payload.recipientId} is gone: the notice cannot be rendered`);
  const isCancellation = payload.notice === 'cancelled';
  // A cancellation tells the buyer what comes back, never the total they no longer pay; the refund is recorded in the
  // cancellation's transaction, so it is there by the time this is rendered.
  const refund = isCancellation && payload.isBuyer ? refundStatusOf(refundsForSeats(await ctx.payments.refunds(ctx.db, booking.id), payload.attendeeIds), booking.currency) : null;
  const body = ctx.emails.render('booking-notice', {
    notice: payload.notice,
    event: eventSummary(ctx, event),
    reference: booking.reference,
    waitlistPosition: payload.waitlistPosition,
    note: payload.note,
    total: booking.total > 0 && !isCancellation ? formatMoney(booking.total, booking.currency) : null,
    refund: refund?.line ?? null,
    isRefundRequested: refund !== null && refund.requested > 0,
    payUrl: payload.payUrl,
    holdUntil: payload.holdUntil,
    name: recipient?.name ?? booking.buyerName,
    manageUrl: payload.isBuyer ? manageUrl(ctx.config, booking.reference) : null,
    attendees: payload.isBuyer ? attendees : null,
    isBuyerOnly: !recipient,
    hasInvite: !!payload.method,
  });
  if (!recipient || !payload.method) return body;
  return { ...body, ical: { method: payload.method, content: invitationFor(ctx, event, recipient, payload.method, payload.sequence) } };
}
