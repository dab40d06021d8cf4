import { buildFeed, buildInvitation, buildPersonalCopy, googleCalendarLink, type CalendarContext } from '../../src/calendar/ics';
import { calAddress, foldLine, parameterValue, textValue } from '../../src/calendar/params';
import type { EventRecord } from '../../src/events/types';
import { calendarNames, parseCalendar } from '../support/ical';
import { NO_ACCESS_DETAILS } from '../../src/events/types';

const ctx: CalendarContext = {
  orgName: 'Health Statistics User Group',
  organizerEmail: 'events@hsug.test',
  eventUrl: (slug) => `http://events.test/events/${slug}`,
  now: new Date('2026-03-02T12:00:00Z'),
};

function anEvent(overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    id: 4, slug: 'waiting-times', kind: 'evening_meeting', title: 'Measuring waiting times', summary: 'RTT statistics.', description: '',
    venue: 'Royal Statistical Society', address: '12 Errol Street, London EC1Y 8LX', region: 'london', mode: 'in_person', onlineCapacity: null,
    startsAt: new Date('2026-03-31T17:00:00Z'), endsAt: new Date('2026-03-31T19:00:00Z'), timezone: 'Europe/London', capacity: 80,
    status: 'published', bookingOpensAt: null, bookingClosesAt: null, sequence: 2, currency: 'GBP', allowsInvoice: false,
    refundDeadlineAt: null, refundFee: 0, contactEmail: null, isAgm: false, cancelledAt: null, access: NO_ACCESS_DETAILS, followUps: { reminderEarlyHours: 168, reminderLateHours: 24, thankYou: true, missedYou: true, followUpHours: 2 }, updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

const attendee = { name: 'Ada Lovelace', email: 'ada@example.org' };

describe('buildInvitation', () => {
  it('when a REQUEST is built for a BST evening meeting, then a calendar reads 18:00 London as 17:00Z', () => {
    // Arrange
    const event = anEvent();

    // Act
    const text = buildInvitation({ event, uid: 'u-1@events.test', attendee, method: 'REQUEST', sequence: 2 }, ctx);
    const [invite] = parseCalendar(text);

    // Assert
    expect(invite.method).toBe('REQUEST');
    expect(invite.uid).toBe('u-1@events.test');
    expect(invite.start.toISOString()).toBe('2026-03-31T17:00:00.000Z');
    expect(invite.end.toISOString()).toBe('2026-03-31T19:00:00.000Z');
    expect(invite.sequence).toBe(2);
    expect(invite.summary).toBe('Measuring waiting times');
    expect(invite.location).toBe('Royal Statistical Society, 12 Errol Street, London EC1Y 8LX');
    expect(invite.url).toBe('http://events.test/events/waiting-times');
    expect(invite.organizer.toLowerCase()).toBe('mailto:events@hsug.test');
    expect(invite.attendees.map((a) => a.toLowerCase())).toEqual(['mailto:ada@example.org']);
  });

  it('when the event is in late October after the clocks go back, then 18:00 London is 18:00Z', () => {
    const event = anEvent({ startsAt: new Date('2026-10-27T18:00:00Z'), endsAt: new Date('2026-10-27T20:00:00Z') });
    const [invite] = parseCalendar(buildInvitation({ event, uid: 'u-2@events.test', attendee, method: 'REQUEST', sequence: 0 }, ctx));
    expect(invite.start.toISOString()).toBe('2026-10-27T18:00:00.000Z');
    expect(invite.end.toISOString()).toBe('2026-10-27T20:00:00.000Z');
  });

  it('when instants are written, then they are UTC with no TZID that would need a VTIMEZONE', () => {
    const text = buildInvitation({ event: anEvent(), uid: 'u-3@events.test', attendee, method: 'REQUEST', sequence: 0 }, ctx);
    expect(text).toMatch(/^DTSTART:20260331T170000Z\r?$/m);
    expect(text).toMatch(/^DTEND:20260331T190000Z\r?$/m);
    expect(text).not.toContain('TZID');
    expect(text).not.toContain('VTIMEZONE');
  });

  it('when a CANCEL is built, then it has the same UID, METHOD:CANCEL and STATUS:CANCELLED', () => {
    const text = buildInvitation({ event: anEvent(), uid: 'u-4@events.test', attendee, method: 'CANCEL', sequence: 3 }, ctx);
    const [invite] = parseCalendar(text);
    expect(invite).toMatchObject({ method: 'CANCEL', uid: 'u-4@events.test', status: 'CANCELLED', sequence: 3 });
  });

  it('when the attendee takes part online, then their personal joining link is the location, the URL and in the description', () => {
    const event = anEvent({ venue: '', address: '', mode: 'online' });
    const joinUrl = 'http://events.test/join/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg';
    const [invite] = parseCalendar(buildInvitation({ event, uid: 'u-5@events.test', attendee, method: 'REQUEST', sequence: 0, booking: { reference: 'HSUG-AAAA-BBBB', joinUrl } }, ctx));
    expect(invite.location).toBe(joinUrl);
    expect(invite.url).toBe(joinUrl);
    expect(invite.description).toContain(joinUrl);
  });

  it('when an online event is in the public feed, then its location says Online and nothing else', () => {
    const [entry] = parseCalendar(buildFeed([anEvent({ venue: '', address: '', mode: 'online' })], ctx, 'events.test'));
    expect(entry.location).toBe('Online');
  });
});

describe('buildFeed', () => {
  it('when a feed has two events, then each has its own stable event UID and a cancelled one says so', () => {
    const events = [anEvent(), anEvent({ id: 5, slug: 'cancelled', status: 'cancelled' })];
    const invites = parseCalendar(buildFeed(events, ctx, 'events.test'));
    expect(invites.map((i) => [i.method, i.uid, i.status])).toEqual([
      ['PUBLISH', 'event-4@events.test', 'CONFIRMED'],
      ['PUBLISH', 'event-5@events.test', 'CANCELLED'],
    ]);
  });
});

describe('googleCalendarLink', () => {
  it('when the event is in BST, then dates= carries the UTC instants with Z', () => {
    const link = new URL(googleCalendarLink(anEvent(), 'http://events.test/events/waiting-times'));
    expect(link.searchParams.get('dates')).toBe('20260331T170000Z/20260331T190000Z');
    expect(link.searchParams.get('text')).toBe('Measuring waiting times');
  });
});

describe('names in calendar parameters (RFC 5545 §3.2, RFC 6868)', () => {
  const hostileNames: Array<[string, string]> = [
    ['double quotes', 'Sam "Stats" Patel'],
    ['a quote that tries to end the parameter and name another address', 'Eve":MAILTO:evil@example.net'],
    ['a colon', 'Dr: Who'],
    ['a semicolon that tries to add a parameter', 'Mallory;ROLE=CHAIR'],
    ['a comma', 'Patel, Sam'],
    ['carets, which RFC 6868 uses as its escape', 'A ^n ^^ ^\' B'],
    ['a backslash', 'Back\\slash'],
    ['a line break that tries to start a new property', 'Ann\r\nATTENDEE:mailto:evil@example.net'],
  ];

  it.each(hostileNames)('when an attendee\'s name has %s, then a calendar reads the same name and the attendee\'s own address', (_label, name) => {
    // Act
    const text = buildInvitation({ event: anEvent(), uid: 'u-n@events.test', attendee: { name, email: 'sam@example.org' }, method: 'REQUEST', sequence: 0 }, ctx);
    const [invite] = parseCalendar(text);

    // Assert: one attendee, the right address, and the name as typed (a line break reads back as a line feed)
    expect(invite.attendees.map((a) => a.toLowerCase())).toEqual(['mailto:sam@example.org']);
    expect(invite.attendeeNames).toEqual([name.replace(/\r\n/g, '\n')]);
    expect(invite.organizer.toLowerCase()).toBe('mailto:events@hsug.test');
    expect(text).not.toContain('\\"');
    expect(text).not.toMatch(/^ATTENDEE:/m);
  });

  it('when the organisation\'s name has quotes, a colon, a semicolon, a comma and a caret, then every file reads it back as the organiser\'s name and address', () => {
    const orgCtx: CalendarContext = { ...ctx, orgName: 'The "Stats" Group: Health; Care, ^Data^ \\ UK' };
    const invitation = buildInvitation({ event: anEvent(), uid: 'u-o@events.test', attendee, method: 'REQUEST', sequence: 0 }, orgCtx);
    const copy = buildPersonalCopy({ event: anEvent(), uid: 'u-o@events.test', attendee, sequence: 0 }, orgCtx);
    const feed = buildFeed([anEvent(), anEvent({ id: 5, slug: 'second' })], orgCtx, 'events.test', `${orgCtx.orgName} events`);

    for (const text of [invitation, copy, feed]) {
      for (const entry of parseCalendar(text)) {
        expect(entry.organizerName).toBe(orgCtx.orgName);
        expect(entry.organizer.toLowerCase()).toBe('mailto:events@hsug.test');
      }
      expect(calendarNames(text).prodId).toBe(`-//${orgCtx.orgName}//hsug-events//EN`);
    }
    expect(calendarNames(feed)).toMatchObject({ name: `${orgCtx.orgName} events`, xWrCalname: `${orgCtx.orgName} events` });
    expect(parseCalendar(invitation)[0].attendeeNames).toEqual(['Ada Lovelace']);
  });

  it('when a name is long and not ASCII, then its line is folded at 75 octets without splitting a character', () => {
    const name = 'Zoë Ångström-Øster 统计学家 '.repeat(6).trim();
    const text = buildInvitation({ event: anEvent(), uid: 'u-l@events.test', attendee: { name, email: 'zoe@example.org' }, method: 'REQUEST', sequence: 0 }, ctx);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(text).not.toContain('\uFFFD');
    expect(parseCalendar(text)[0].attendeeNames).toEqual([name]);
  });
});

describe('calendar value writers', () => {
  it('when a parameter value is written, then " ^ and line breaks use RFC 6868 and control characters are dropped', () => {
    expect(parameterValue('Sam "Stats" Patel')).toBe('"Sam ^\'Stats^\' Patel"');
    expect(parameterValue('a^b\r\nc\u0000\u001b\u0085d\te')).toBe('"a^^b^nc' + 'd\te"');
  });

  it('when an address has characters a URI cannot hold, then they are percent-encoded and cannot end the value', () => {
    expect(calAddress('ada@example.org')).toBe('mailto:ada@example.org');
    expect(calAddress('a"b\r\n c@example.org')).toBe('mailto:a%22b%20c@example.org');
  });

  it('when a TEXT value has a backslash, semicolon, comma or line break, then each is escaped', () => {
    expect(textValue('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
  });

  it('when a line is exactly 75 octets, then it is not folded; at 76 it is', () => {
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
  });
});
