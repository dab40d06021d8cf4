import ical, { ICalAlarmType, ICalCalendarMethod, ICalEventStatus, type ICalCalendar } from 'ical-generator';
import type { EventRecord } from '../events/types';
import { calAddress, foldLines, parameterValue, textValue } from './params';

export type InvitationMethod = 'REQUEST' | 'CANCEL';

export interface CalendarContext {
  orgName: string;
  organizerEmail: string;
  eventUrl: (slug: string) => string;
  now: Date;
  /** Minutes before the start at which an invitation's alarm (VALARM) goes off; 0: no alarm. */
  alarmMinutes?: number;
}

/**
 * Where the entry says the event is: an online attendee's own joining link (only in their own entry), else the venue,
 * else "Online". Never the meeting's own address: that is for confirmed online attendees, through their joining link.
 */
function location(event: EventRecord, booking?: BookingNote): string {
  if (booking?.joinUrl) return booking.joinUrl;
  return [event.venue, event.address].filter(Boolean).join(', ') || (event.mode === 'online' ? 'Online' : '');
}

/**
 * What a booking adds to its calendar entry: its reference, so the attendee can quote it, and the private manage link
 * only in a copy made for the person who holds that link (the booking page's own links and the buyer's own seat).
 */
export interface BookingNote {
  reference: string;
  /** The holder's manage link; never in an entry sent to or made for anyone else (calendars are synced and shared). */
  manageUrl?: string;
  /** What the link is called: "Manage or cancel your booking" (the buyer's), or a seat's own wording. */
  manageLabel?: string;
  /** An online attendee's personal joining link (`/join/<token>`): LOCATION, URL and the description of their own entry. */
  joinUrl?: string;
}

function description(event: EventRecord, url: string, booking?: BookingNote): string {
  return [
    event.summary,
    booking?.joinUrl ? `Join online (your personal link, do not share it): ${booking.joinUrl}` : '',
    booking ? `Booking reference: ${booking.reference}` : '',
    booking?.manageUrl ? `${booking.manageLabel ?? 'Manage or cancel your booking'}: ${booking.manageUrl}` : '',
    `Details: ${url}`,
  ].filter(Boolean).join('\n\n');
}

function newCalendar(ctx: CalendarContext, method: ICalCalendarMethod, name?: string) {
  // ical-generator writes PRODID (§3.7.3) and NAME / X-WR-CALNAME (RFC 7986 §5.1), all TEXT values, without escaping.
  return ical({ prodId: { company: textValue(ctx.orgName), product: 'hsug-events', language: 'EN' }, method, name: textValue(name ?? ctx.orgName) });
}

/**
 * ORGANIZER and ATTENDEE are written here, not by ical-generator: it puts a name in CN="…" with backslash escapes
 * (`CN="Sam \"Stats\" Patel"`), which RFC 5545 does not have in parameter values, so a parser reads a different
 * name, or, for `Eve":MAILTO:evil@example.net`, a different address. Here a CN is RFC 6868-encoded (`params.ts`).
 */
function organizerLine(ctx: CalendarContext): string {
  return `ORGANIZER;CN=${parameterValue(ctx.orgName)}:${calAddress(ctx.organizerEmail)}`;
}

function attendeeLine(attendee: { name: string; email: string }, isCancel: boolean): string {
  const partstat = isCancel ? 'DECLINED' : 'ACCEPTED';
  return `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=${partstat};RSVP=FALSE;CN=${parameterValue(attendee.name)}:${calAddress(attendee.email)}`;
}

/** The calendar's text, with these content lines added to every VEVENT (folded at 75 octets, RFC 5545 §3.1). */
function render(calendar: ICalCalendar, eventLines: string[]): string {
  const added = foldLines(eventLines);
  return calendar.toString().replace(/^END:VEVENT$/gm, () => `${added}\r\nEND:VEVENT`);
}

/**
 * Instants are written in UTC (DTSTART:…Z), never as clock digits under a TZID without a VTIMEZONE:
 * that is the classic "an hour early in British Summer Time" bug.
 */
function baseEvent(event: EventRecord, ctx: CalendarContext, booking?: BookingNote) {
  const url = ctx.eventUrl(event.slug);
  return {
    ...personalParts(event, ctx, booking),
    start: event.startsAt,
    end: event.endsAt,
    stamp: ctx.now,
    // When the organisers last saved the event: with SEQUENCE, how a subscribed calendar knows its copy is out of date.
    lastModified: event.updatedAt,
    summary: event.title,
    description: description(event, url, booking),
  };
}

function personalParts(event: EventRecord, ctx: CalendarContext, booking?: BookingNote) {
  return { location: location(event, booking), url: booking?.joinUrl ?? ctx.eventUrl(event.slug) };
}

/** The reminder alarm of an attendee's own entry (RFC 5545 §3.6.6), ALARM_MINUTES before the start; none when 0. */
function alarms(ctx: CalendarContext) {
  const minutes = ctx.alarmMinutes ?? 60;
  return minutes > 0 ? [{ type: ICalAlarmType.display, trigger: minutes * 60, description: 'Reminder' }] : [];
}

export interface InvitationInput {
  event: EventRecord;
  uid: string;
  attendee: { name: string; email: string };
  method: InvitationMethod;
  /** The event's SEQUENCE; a CANCEL must not be older than the last REQUEST the attendee had. */
  sequence: number;
  /** The booking the entry belongs to (its reference, and the manage link for its holder). */
  booking?: BookingNote;
}

/** The iTIP invitation an attendee's calendar program shows with Accept/Decline, or removes on CANCEL. */
export function buildInvitation(input: InvitationInput, ctx: CalendarContext): string {
  const isCancel = input.method === 'CANCEL';
  const calendar = newCalendar(ctx, isCancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST);
  calendar.createEvent({
    ...baseEvent(input.event, ctx, input.booking),
    id: input.uid,
    sequence: input.sequence,
    status: isCancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    alarms: isCancel ? [] : alarms(ctx),
  });
  return render(calendar, [organizerLine(ctx), attendeeLine(input.attendee, isCancel)]);
}

/** A personal copy of the invitation to download (PUBLISH, same UID, so importing it updates the same entry). */
export function buildPersonalCopy(input: Omit<InvitationInput, 'method'>, ctx: CalendarContext): string {
  const calendar = newCalendar(ctx, ICalCalendarMethod.PUBLISH);
  calendar.createEvent({ ...baseEvent(input.event, ctx, input.booking), id: input.uid, sequence: input.sequence, status: ICalEventStatus.CONFIRMED, alarms: alarms(ctx) });
  return render(calendar, [organizerLine(ctx)]);
}

export function eventUid(event: EventRecord, host: string): string {
  return `event-${event.id}@${host}`;
}

/** A feed of events (PUBLISH) for subscribing or importing. */
export function buildFeed(events: EventRecord[], ctx: CalendarContext, host: string, name?: string): string {
  const calendar = newCalendar(ctx, ICalCalendarMethod.PUBLISH, name);
  for (const event of events) {
    calendar.createEvent({
      ...baseEvent(event, ctx),
      id: eventUid(event, host),
      sequence: event.sequence,
      status: event.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return render(calendar, [organizerLine(ctx)]);
}

/**
 * Whether an edit changes what the event's calendar entries say (title, description, place, time or address): then
 * the event's SEQUENCE goes up (RFC 5546 §2.1.4: the organiser increments it on a significant revision), so the feed
 * and every personal copy and invitation, which all write `events.sequence`, supersede what calendars hold.
 */
export function isCalendarRevision(
  before: Pick<EventRecord, 'title' | 'summary' | 'description' | 'venue' | 'address' | 'mode' | 'startsAt' | 'endsAt' | 'slug'>,
  after: Pick<EventRecord, 'title' | 'summary' | 'description' | 'venue' | 'address' | 'mode' | 'startsAt' | 'endsAt' | 'slug'>,
): boolean {
  const text = ['title', 'summary', 'description', 'venue', 'address', 'slug', 'mode'] as const;
  return (
    text.some((key) => before[key] !== after[key]) ||
    before.startsAt.getTime() !== after.startsAt.getTime() ||
    before.endsAt.getTime() !== after.endsAt.getTime()
  );
}

/** "Add to calendar" links for the big web calendars: plain URLs built from the event, nothing is fetched. */
export interface CalendarLinks {
  google: string;
  /** Outlook.com (personal Microsoft accounts). */
  outlook: string;
  /** Outlook on the web for work and school accounts (Microsoft 365). */
  office365: string;
}

function googleStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function outlookStamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}/, '');
}

/**
 * The event in Google Calendar's and Outlook's "add event" forms, times in UTC (`…Z`) so neither can misplace them.
 * `booking` adds the reference (and, for the holder's own page, the manage link) to the description, as in the .ics.
 */
export function calendarLinks(event: EventRecord, url: string, booking?: BookingNote): CalendarLinks {
  const details = description(event, url, booking);
  const google = new URLSearchParams({
    action: 'TEMPLATE',
    text: event.title,
    dates: `${googleStamp(event.startsAt)}/${googleStamp(event.endsAt)}`,
    details,
    location: location(event, booking),
  });
  const outlook = new URLSearchParams({
    path: '/calendar/action/compose',
    rru: 'addevent',
    subject: event.title,
    startdt: outlookStamp(event.startsAt),
    enddt: outlookStamp(event.endsAt),
    body: details,
    location: location(event, booking),
  });
  return {
    google: `https://calendar.google.com/calendar/render?${google.toString()}`,
    outlook: `https://outlook.live.com/calendar/0/deeplink/compose?${outlook.toString()}`,
    office365: `https://outlook.office.com/calendar/0/deeplink/compose?${outlook.toString()}`,
  };
}

export function googleCalendarLink(event: EventRecord, url: string): string {
  return calendarLinks(event, url).google;
}
