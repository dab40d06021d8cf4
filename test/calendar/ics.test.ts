import { buildFeed, buildInvitation, googleCalendarLink, type CalendarContext } from '../../src/calendar/ics';
import type { EventRecord } from '../../src/events/types';
import { parseCalendar } from '../support/ical';

const ctx: CalendarContext = {
  orgName: 'Health Statistics User Group',
  organizerEmail: 'events@hsug.test',
  eventUrl: (slug) => `http://events.test/events/${slug}`,
  now: new Date('2026-03-02T12:00:00Z'),
};

function anEvent(overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    id: 4, slug: 'waiting-times', kind: 'evening_meeting', title: 'Measuring waiting times', summary: 'RTT statistics.', description: '',
    venue: 'Royal Statistical Society', address: '12 Errol Street, London EC1Y 8LX', region: 'london', onlineUrl: null,
    startsAt: new Date('2026-03-31T17:00:00Z'), endsAt: new Date('2026-03-31T19:00:00Z'), timezone: 'Europe/London', capacity: 80,
    status: 'published', bookingOpensAt: null, bookingClosesAt: null, sequence: 2, currency: 'GBP', allowsInvoice: false,
    refundDeadlineAt: null, refundFee: 0, contactEmail: null, isAgm: false, cancelledAt: null,
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

  it('when the event is online, then the join link is in the description and the location falls back to it', () => {
    const event = anEvent({ venue: '', address: '', onlineUrl: 'https://meet.example.org/hsug' });
    const [invite] = parseCalendar(buildInvitation({ event, uid: 'u-5@events.test', attendee, method: 'REQUEST', sequence: 0 }, ctx));
    expect(invite.location).toBe('https://meet.example.org/hsug');
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
