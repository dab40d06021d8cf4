import ical, { ICalCalendarMethod, ICalEventStatus, type ICalCalendar } from 'ical-generator';
import type { EventRecord } from '../events/types';
import { calAddress, foldLines, parameterValue, textValue } from './params';

export type InvitationMethod = 'REQUEST' | 'CANCEL';

export interface CalendarContext {
  orgName: string;
  organizerEmail: string;
  eventUrl: (slug: string) => string;
  now: Date;
}

function location(event: EventRecord): string {
  return [event.venue, event.address].filter(Boolean).join(', ') || event.onlineUrl || '';
}

function description(event: EventRecord, url: string): string {
  return [event.summary, event.onlineUrl ? `Join online: ${event.onlineUrl}` : '', `Details: ${url}`].filter(Boolean).join('\n\n');
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
function baseEvent(event: EventRecord, ctx: CalendarContext) {
  const url = ctx.eventUrl(event.slug);
  return {
    start: event.startsAt,
    end: event.endsAt,
    stamp: ctx.now,
    summary: event.title,
    description: description(event, url),
    location: location(event),
    url,
  };
}

export interface InvitationInput {
  event: EventRecord;
  uid: string;
  attendee: { name: string; email: string };
  method: InvitationMethod;
  /** The event's SEQUENCE; a CANCEL must not be older than the last REQUEST the attendee had. */
  sequence: number;
}

/** The iTIP invitation an attendee's calendar program shows with Accept/Decline, or removes on CANCEL. */
export function buildInvitation(input: InvitationInput, ctx: CalendarContext): string {
  const isCancel = input.method === 'CANCEL';
  const calendar = newCalendar(ctx, isCancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST);
  calendar.createEvent({
    ...baseEvent(input.event, ctx),
    id: input.uid,
    sequence: input.sequence,
    status: isCancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return render(calendar, [organizerLine(ctx), attendeeLine(input.attendee, isCancel)]);
}

/** A personal copy of the invitation to download (PUBLISH, same UID, so importing it updates the same entry). */
export function buildPersonalCopy(input: Omit<InvitationInput, 'method'>, ctx: CalendarContext): string {
  const calendar = newCalendar(ctx, ICalCalendarMethod.PUBLISH);
  calendar.createEvent({ ...baseEvent(input.event, ctx), id: input.uid, sequence: input.sequence, status: ICalEventStatus.CONFIRMED });
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

function googleStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function googleCalendarLink(event: EventRecord, url: string): string {
  const params = new URLSearchParams({
    action: 'TEMPLATE',
    text: event.title,
    dates: `${googleStamp(event.startsAt)}/${googleStamp(event.endsAt)}`,
    details: description(event, url),
    location: location(event),
  });
  return `https://calendar.google.com/calendar/render?${params.toString()}`;
}
