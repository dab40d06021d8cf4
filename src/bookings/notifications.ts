import { accessLines, placeLine } from '../events/types';
import { buildInvitation, googleCalendarLink, type BookingNote } from '../calendar/ics';
import { bookingNoteFor } from './present';
import { calendarContext } from '../calendar/context';
import type { ServiceContext } from '../context';
import type { EventRecord } from '../events/types';
import { formatMoney } from '../lib/money';
import { eventDates } from '../events/dates';
import type { EmailContent, OutgoingEmail } from '../mail/outbox';
import { findEventById } from '../events/queries';
import { findBookingById, listAttendees } from './queries';
import { eventUrl, joinUrl, manageUrl, seatUrl } from '../lib/links';
import { findMeeting, inEventZone, linkOpensAt } from '../online/meetings';
import { contactEmailFor, priceBasis, refundTerms } from '../events/terms';
import { formatDate, formatRange, formatTime } from '../lib/time';
import { type AttendeeRecord, type BookingRecord } from './types';
import { normaliseEmail } from '../lib/email';
import { refundStatusOf, refundsForSeats } from './refund-status';

/** How long a paid waitlist offer is held, in hours: waitlist.ts `OFFER_HOLD_MS` is made from it, and the waitlist email says it. */
export const OFFER_HOLD_HOURS = 24;

/** What happened to a booking that its people must hear about. */
export type BookingNotice = 'confirmed' | 'promoted' | 'waitlisted' | 'offered' | 'cancelled' | 'resent' | 'updated' | 'event_cancelled' | 'passed_on';

const SUBJECTS: Record<BookingNotice, (title: string) => string> = {
  confirmed: (t) => `You're booked: ${t}`,
  promoted: (t) => `A place has come up — you're booked: ${t}`,
  waitlisted: (t) => `You're on the waitlist: ${t}`,
  cancelled: (t) => `Cancelled: ${t}`,
  resent: (t) => `Your booking: ${t}`,
  offered: (t) => `A place has come up — pay to confirm it: ${t}`,
  updated: (t) => `Changed: ${t}`,
  event_cancelled: (t) => `Event cancelled: ${t}`,
  passed_on: (t) => `Your place has been passed on: ${t}`,
};

/** What the buyer's subject adds when the confirmation carries the receipt or the pro-forma (one email per booking moment). */
const MONEY_SUBJECTS = {
  receipt: (r: string) => ` (receipt for ${r})`,
  pro_forma: (r: string) => ` (invoice to follow for ${r})`,
};

/**
 * A map search for the venue (Google Maps' documented search URL, which opens the app on a phone); null for an event
 * with no place to go to.
 */
export function mapLink(event: Pick<EventRecord, 'venue' | 'address'>): string | null {
  const place = [event.venue, event.address].map((p) => p.trim()).filter(Boolean).join(', ');
  return place ? `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(place)}` : null;
}

/** What every email says about its event, the contact line (the event's own address, else the organisation's) included. */
export function eventSummary(ctx: ServiceContext, event: EventRecord) {
  const url = eventUrl(ctx.config, event.slug);
  return {
    title: event.title,
    when: eventDates(event.startsAt, event.endsAt, event.timezone).range,
    venue: event.venue,
    address: event.address,
    isOnlineOnly: event.mode === 'online',
    /** The venue in one line, "Online" for an online event (`placeLine`): for emails not about one person's place. */
    where: placeLine(event),
    mapUrl: event.mode === 'online' ? null : mapLink(event),
    /** The event's Access section in one line ('' when the organiser said nothing). */
    access: accessLines(event.access).join('; '),
    url,
    googleLink: googleCalendarLink(event, url),
    contactEmail: contactEmailFor(event, ctx.config),
  };
}

/**
 * What an online attendee needs to join, for their own emails: their personal joining link, when it opens (in the
 * event's zone), and the meeting's passcode and dial-in details. Null for an in-person seat. The meeting's own address
 * is never in an email: the joining link leads there, and follows it when the organisers change it.
 */
export async function onlineJoining(ctx: ServiceContext, event: EventRecord, seat: AttendeeRecord): Promise<{ joinUrl: string; opensAt: string; passcode: string | null; dialIn: string | null } | null> {
  if (seat.mode !== 'online' || seat.email === '') return null;
  const meeting = await findMeeting(ctx.db, event.id);
  return { joinUrl: joinUrl(ctx.config, seat), opensAt: inEventZone(linkOpensAt(event, meeting), event.timezone), passcode: meeting.passcode, dialIn: meeting.dialIn };
}

/** The schedule an event had before a change, kept in the change's notice (ISO instants). */
export interface PreviousSchedule {
  startsAt: string;
  endsAt: string;
  venue: string;
  address: string;
}

/**
 * The lines a change email leads with: "New time: 6:30pm–8:30pm (was 6:00pm–8:00pm)" (the dates too when the day
 * changed), "New venue: … (was …)". Empty when neither changed.
 */
export function changeLines(event: EventRecord, previous: PreviousSchedule): string[] {
  const zone = event.timezone;
  const [wasStart, wasEnd] = [new Date(previous.startsAt), new Date(previous.endsAt)];
  const lines: string[] = [];
  if (wasStart.getTime() !== event.startsAt.getTime() || wasEnd.getTime() !== event.endsAt.getTime()) {
    const sameDay = formatDate(wasStart, zone) === formatDate(event.startsAt, zone) && formatDate(wasEnd, zone) === formatDate(event.endsAt, zone) && formatDate(event.startsAt, zone) === formatDate(event.endsAt, zone);
    const span = (s: Date, e: Date) => `${formatTime(s, zone)}–${formatTime(e, zone)}`;
    lines.push(sameDay ? `New time: ${span(event.startsAt, event.endsAt)} (was ${span(wasStart, wasEnd)})` : `New time: ${formatRange(event.startsAt, event.endsAt, zone)} (was ${formatRange(wasStart, wasEnd, zone)})`);
  }
  // The address is named only when it changed too: "New venue: Wellcome Collection (was Royal Statistical Society)".
  const withAddress = previous.address !== event.address;
  const place = (venue: string, address: string) => (withAddress ? [venue, address] : [venue]).filter(Boolean).join(', ') || 'none';
  if (previous.venue !== event.venue || withAddress) lines.push(`New venue: ${place(event.venue, event.address)} (was ${place(previous.venue, previous.address)})`);
  return lines;
}

/** A receipt or pro-forma carried by the buyer's confirmation: the money as it was when the booking was confirmed. */
export interface NoticeMoney {
  kind: 'receipt' | 'pro_forma';
  lines: Array<{ label: string; amount: number }>;
  total: number;
}


/** `booking`: the reference (and, for the buyer's own seat, the manage link) the entry's description carries. */
export function invitationFor(ctx: ServiceContext, event: EventRecord, attendee: AttendeeRecord, method: 'REQUEST' | 'CANCEL', sequence = event.sequence, booking?: BookingNote) {
  return buildInvitation({ event, uid: attendee.icalUid, attendee: { name: attendee.name, email: attendee.email }, method, sequence, booking }, calendarContext(ctx));
}

/** What a notice says beyond the booking itself. */
export interface NoticeOptions {
  hadPlace?: boolean;
  /** Only the attendees given are told: no summary for a buyer who is not among them. */
  onlyAttendees?: boolean;
  /** `passed_on`: the seat's former holder, who is told (the seat itself now has a new email). */
  former?: { name: string; email: string };
  /** `updated`: the schedule before the change, for "New time: … (was …)". */
  previous?: PreviousSchedule;
  /** The receipt or pro-forma the buyer's confirmation carries. */
  money?: NoticeMoney;
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
  former?: { name: string; email: string };
  previous?: PreviousSchedule;
  money?: NoticeMoney;
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
  const cancels = ((notice === 'cancelled' || notice === 'passed_on') && options.hadPlace !== false) || (notice === 'event_cancelled' && booking.status === 'confirmed');
  const method: BookingNoticePayload['method'] = cancels ? 'CANCEL' : holdsPlace ? 'REQUEST' : undefined;
  const suffix = options.dedupeSuffix ? `:${options.dedupeSuffix}` : '';
  const common = {
    kind: `booking_${notice}`,
    eventId: event.id,
    bookingId: booking.id,
    subject: SUBJECTS[notice](event.title),
  };
  const buyerSubject = options.money ? `${common.subject}${MONEY_SUBJECTS[options.money.kind](booking.reference)}` : common.subject;
  const payload = {
    notice,
    bookingId: booking.id,
    attendeeIds: attendees.map((a) => a.id),
    method,
    sequence: notice === 'cancelled' || notice === 'passed_on' ? event.sequence + 1 : event.sequence,
    waitlistPosition: options.waitlistPosition,
    note: options.note,
    payUrl: options.payUrl,
    holdUntil: options.holdUntil,
    previous: options.previous,
  };
  const deferred = (p: BookingNoticePayload) => ({ template: BOOKING_NOTICE_TEMPLATE, payload: p as unknown as Record<string, unknown> });
  if (notice === 'passed_on') {
    // The seat now has its new holder's email: the former holder is told, with a CANCEL for the seat's UID.
    const [seat] = attendees;
    if (!seat || !options.former) return [];
    return [{
      ...common,
      dedupeKey: `booking:${booking.id}:passed_on:attendee:${seat.id}${suffix}`,
      to: options.former.email,
      toName: options.former.name,
      deferred: deferred({ ...payload, recipientId: seat.id, isBuyer: false, former: options.former }),
    }];
  }
  // An offer is the buyer's to take up: attendees hear nothing until the place is paid for.
  // A walk-in who gave no email at the door has the address '': there is nobody to write to.
  const recipients = notice === 'offered' ? [] : attendees.filter((a) => a.email !== '');

  const emails: OutgoingEmail[] = recipients.map((attendee) => {
    const isBuyer = normaliseEmail(attendee.email) === buyerKey;
    return {
      ...common,
      subject: isBuyer ? buyerSubject : common.subject,
      dedupeKey: `booking:${booking.id}:${notice}:attendee:${attendee.id}${suffix}`,
      to: attendee.email,
      toName: attendee.name,
      deferred: deferred({ ...payload, recipientId: attendee.id, isBuyer, ...(isBuyer && options.money ? { money: options.money } : {}) }),
    };
  });
  if (!options.onlyAttendees && booking.buyerEmail !== '' && !recipients.some((a) => normaliseEmail(a.email) === buyerKey)) {
    emails.push({
      ...common,
      subject: buyerSubject,
      dedupeKey: `booking:${booking.id}:${notice}:buyer${suffix}`,
      to: booking.buyerEmail,
      toName: booking.buyerName,
      deferred: deferred({ ...payload, method: undefined, isBuyer: true, ...(options.money ? { money: options.money } : {}) }),
    });
  }
  return emails;
}

/** "Ada Lovelace", "Ada Lovelace and Florence Nightingale", "A, B and C". */
function namesList(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Renders a queued booking notice from the booking, event and attendees as they are now. Each person is told what is
 * true for them: the buyer who attends, an attendee booked by a colleague (who booked; no total), a buyer who is not
 * attending ("you booked places for …"), and a seat's former holder.
 */
export async function renderBookingNotice(ctx: ServiceContext, payload: BookingNoticePayload): Promise<EmailContent> {
  const booking = await findBookingById(ctx.db, payload.bookingId);
  const event = booking && (await findEventById(ctx.db, booking.eventId));
  if (!booking || !event) throw new Error(`booking ${payload.bookingId} is gone: its notice cannot be rendered`);
  const all = await listAttendees(ctx.db, booking.id);
  const attendees = all.filter((a) => payload.attendeeIds.includes(a.id));
  const seat = payload.recipientId === undefined ? undefined : all.find((a) => a.id === payload.recipientId);
  if (payload.recipientId !== undefined && !seat) throw new Error(`attendee ${payload.recipientId} is gone: the notice cannot be rendered`);
  // A seat's former holder is written to as they were: the seat itself now carries its new holder's name and email.
  const recipient = seat && payload.former ? { ...seat, name: payload.former.name, email: payload.former.email } : seat;
  const notice = payload.notice;
  const isCancellation = notice === 'cancelled' || notice === 'event_cancelled' || notice === 'passed_on';
  const isBuyerOnly = !recipient;
  const isColleague = !!recipient && !payload.isBuyer;
  // A cancellation tells the buyer what comes back, never the total they no longer pay; the refund is recorded in the
  // cancellation's transaction, so it is there by the time this is rendered.
  const refund = notice === 'cancelled' && payload.isBuyer ? refundStatusOf(refundsForSeats(await ctx.payments.refunds(ctx.db, booking.id), payload.attendeeIds), booking.currency) : null;
  const money = (n: number) => formatMoney(n, booking.currency);
  const others = payload.isBuyer ? attendees.filter((a) => !recipient || a.id !== recipient.id) : [];
  const summary = eventSummary(ctx, event);
  const terms = refundTerms(event, summary.contactEmail);
  const receipt = payload.money && payload.isBuyer ? payload.money : undefined;
  const showsCalendarLink = notice === 'confirmed' || notice === 'promoted' || notice === 'resent';
  const isPaidWaitlist = booking.paymentMethod === 'stripe' && booking.total > 0;
  // A confirmed online place: the attendee's own joining link (never the meeting's address), passcode and dial-in.
  const online = recipient && !payload.former && !isCancellation && recipient.status === 'active' && booking.status === 'confirmed' ? await onlineJoining(ctx, event, recipient) : null;
  const body = ctx.emails.render('booking-notice', {
    notice,
    event: summary,
    online,
    inPerson: recipient && recipient.mode === 'in_person' && event.mode === 'hybrid',
    reference: booking.reference,
    waitlistPosition: payload.waitlistPosition,
    isPaidWaitlist,
    offerHours: OFFER_HOLD_HOURS,
    note: payload.note,
    changes: notice === 'updated' && payload.previous ? changeLines(event, payload.previous) : [],
    total: booking.total > 0 && payload.isBuyer && !isCancellation && !receipt ? money(booking.total) : null,
    refund: refund?.line ?? null,
    isRefundRequested: refund !== null && refund.requested > 0,
    payUrl: payload.payUrl,
    holdUntil: payload.holdUntil,
    name: recipient?.name ?? booking.buyerName,
    bookedBy: isColleague ? booking.buyerName : null,
    newHolder: notice === 'passed_on' && seat ? seat.name : null,
    manageUrl: payload.isBuyer ? manageUrl(ctx.config, booking.reference) : null,
    seatUrl: isColleague && seat && seat.status === 'active' && seat.manageTokenHash && !isCancellation ? seatUrl(ctx.config, booking.reference, seat) : null,
    manageLabel: isCancellation ? 'View booking' : 'View or change your booking',
    placesFor: isBuyerOnly ? namesList(attendees.map((a) => a.name)) : null,
    othersFor: !isBuyerOnly && others.length > 0 ? namesList(others.map((a) => a.name)) : null,
    othersCount: others.length,
    attendees: payload.isBuyer ? attendees : null,
    isBuyerOnly,
    isColleague,
    hasInvite: !!payload.method && !!recipient,
    isCancelInvite: payload.method === 'CANCEL',
    googleLink: showsCalendarLink && payload.method === 'REQUEST' ? summary.googleLink : null,
    receipt: receipt
      ? {
          isProForma: receipt.kind === 'pro_forma',
          lines: receipt.lines.map((l) => ({ label: l.label, amount: money(l.amount) })),
          total: money(receipt.total),
          terms: receipt.kind === 'receipt' ? terms.card : terms.invoice,
          priceBasis: priceBasis(ctx.config),
          organisation: booking.buyerOrganisation,
          purchaseOrder: booking.purchaseOrder,
          billingContact: booking.billingContact,
          bank: ctx.config.bank,
        }
      : null,
  });
  if (!recipient || !payload.method) return body;
  return { ...body, ical: { method: payload.method, content: invitationFor(ctx, event, recipient, payload.method, payload.sequence, bookingNoteFor(ctx.config, booking, recipient)) } };
}
