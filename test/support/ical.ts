import ICAL from 'ical.js';
import type { ParsedMail } from 'mailparser';

export interface ParsedInvite {
  method: string;
  uid: string;
  sequence: number;
  summary: string;
  /** DESCRIPTION, unescaped. */
  description: string;
  /** LAST-MODIFIED, or null when absent. */
  lastModified: Date | null;
  start: Date;
  end: Date;
  location: string;
  url: string;
  status: string | null;
  organizer: string;
  attendees: string[];
  /** The CN parameter of ORGANIZER, as ical.js reads it (RFC 6868 decoded). */
  organizerName: string | null;
  /** The CN parameter of each ATTENDEE, in order. */
  attendeeNames: Array<string | null>;
  raw: string;
}

const cnOf = (property: ICAL.Property | null): string | null => {
  const cn = property?.getParameter('cn');
  return typeof cn === 'string' ? cn : null;
};

/**
 * The calendar's own name (RFC 7986 NAME and Apple's X-WR-CALNAME) and PRODID, as ical.js reads them. ical.js does
 * not know NAME or X-WR-CALNAME and leaves them raw, so they are decoded as the TEXT values they are (RFC 5545
 * §3.8.8.2: an unknown property's default value type is TEXT) with ical.js's own TEXT decoder.
 */
export function calendarNames(text: string): { name: string; xWrCalname: string; prodId: string } {
  const root = new ICAL.Component(ICAL.parse(text));
  const value = (name: string) => String(root.getFirstPropertyValue(name) ?? '');
  const decodeText = (raw: string) => String(ICAL.design.icalendar.value.text.fromICAL(raw));
  return { name: decodeText(value('name')), xWrCalname: decodeText(value('x-wr-calname')), prodId: value('prodid') };
}

/** Parses calendar text with ical.js, an independent parser, into what a calendar program would read. */
export function parseCalendar(text: string): ParsedInvite[] {
  const root = new ICAL.Component(ICAL.parse(text));
  const method = String(root.getFirstPropertyValue('method') ?? '');
  return root.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      method,
      uid: event.uid,
      sequence: Number(vevent.getFirstPropertyValue('sequence') ?? 0),
      summary: event.summary,
      description: event.description ?? '',
      lastModified: vevent.getFirstPropertyValue('last-modified') ? (vevent.getFirstPropertyValue('last-modified') as ICAL.Time).toJSDate() : null,
      start: event.startDate.toJSDate(),
      end: event.endDate.toJSDate(),
      location: event.location,
      url: String(vevent.getFirstPropertyValue('url') ?? ''),
      status: (vevent.getFirstPropertyValue('status') as string | null) ?? null,
      organizer: String(vevent.getFirstPropertyValue('organizer') ?? ''),
      attendees: vevent.getAllProperties('attendee').map((p) => String(p.getFirstValue())),
      organizerName: cnOf(vevent.getFirstProperty('organizer')),
      attendeeNames: vevent.getAllProperties('attendee').map(cnOf),
      raw: text,
    };
  });
}

/** The text/calendar part of a received email (nodemailer's icalEvent makes it an alternative). */
export function calendarPart(mail: ParsedMail): string {
  const fromAlternatives = (mail as unknown as { attachments: Array<{ contentType: string; content: Buffer }> }).attachments.find((a) =>
    a.contentType.startsWith('text/calendar'),
  );
  if (fromAlternatives) return fromAlternatives.content.toString('utf8');
  throw new Error(`no text/calendar part in "${mail.subject}"`);
}

export function inviteOf(mail: ParsedMail): ParsedInvite {
  const [invite] = parseCalendar(calendarPart(mail));
  return invite;
}
