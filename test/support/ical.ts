import ICAL from 'ical.js';
import type { ParsedMail } from 'mailparser';

export interface ParsedInvite {
  method: string;
  uid: string;
  sequence: number;
  summary: string;
  start: Date;
  end: Date;
  location: string;
  url: string;
  status: string | null;
  organizer: string;
  attendees: string[];
  raw: string;
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
      start: event.startDate.toJSDate(),
      end: event.endDate.toJSDate(),
      location: event.location,
      url: String(vevent.getFirstPropertyValue('url') ?? ''),
      status: (vevent.getFirstPropertyValue('status') as string | null) ?? null,
      organizer: String(vevent.getFirstPropertyValue('organizer') ?? ''),
      attendees: vevent.getAllProperties('attendee').map((p) => String(p.getFirstValue())),
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
