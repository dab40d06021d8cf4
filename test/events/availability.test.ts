import { bookingState, doorState, isFreeEvent, isOnSale, remainingForTicketType, remainingSeats, seatsFit } from '../../src/events/availability';
import type { EventRecord, SeatCounts, TicketTypeRecord } from '../../src/events/types';
import { NO_ACCESS_DETAILS } from '../../src/events/types';

const NOW = new Date('2026-03-02T12:00:00Z');

function anEvent(overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    id: 1, slug: 'e', kind: 'evening_meeting', title: 'E', summary: '', description: '', venue: '', address: '', region: 'london',
    mode: 'in_person', onlineCapacity: null, startsAt: new Date('2026-03-17T18:00:00Z'), endsAt: new Date('2026-03-17T20:00:00Z'), timezone: 'Europe/London',
    capacity: 10, status: 'published', bookingOpensAt: null, bookingClosesAt: null, sequence: 0, currency: 'GBP', allowsInvoice: false,
    refundDeadlineAt: null, refundFee: 0, contactEmail: null, isAgm: false, cancelledAt: null, access: NO_ACCESS_DETAILS, followUps: { reminderEarlyHours: 168, reminderLateHours: 24, thankYou: true, missedYou: true, followUpHours: 2 }, updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

function aTicketType(overrides: Partial<TicketTypeRecord> = {}): TicketTypeRecord {
  return {
    id: 1, eventId: 1, name: 'Free', description: '', price: 0, currency: 'GBP', membersOnly: false, quota: null,
    salesStartsAt: null, salesEndsAt: null, position: 0, isActive: true,
    ...overrides,
  };
}

function counts(taken: number, byType: Record<number, number> = {}): SeatCounts {
  return { taken, byTicketType: new Map(Object.entries(byType).map(([k, v]) => [Number(k), v])), byMode: { in_person: taken, online: 0 } };
}

describe('bookingState', () => {
  it.each([
    ['a published event in the future', {}, 'open'],
    ['a cancelled event', { status: 'cancelled' as const }, 'cancelled'],
    ['a draft', { status: 'draft' as const }, 'unpublished'],
    ['an event that has started', { startsAt: new Date('2026-03-02T11:00:00Z') }, 'started'],
    ['an event whose booking opens later', { bookingOpensAt: new Date('2026-03-05T00:00:00Z') }, 'not_yet_open'],
    ['an event whose booking closed', { bookingClosesAt: new Date('2026-03-01T00:00:00Z') }, 'closed'],
    ['an event whose booking closes this very moment', { bookingClosesAt: NOW }, 'closed'],
    ['an event whose booking opened this very moment', { bookingOpensAt: NOW }, 'open'],
  ])('when it is %s, then %s', (_label, overrides, state) => {
    expect(bookingState(anEvent(overrides), NOW)).toBe(state);
  });

  it('when a cancelled event has also started, then cancelled wins', () => {
    expect(bookingState(anEvent({ status: 'cancelled', startsAt: new Date('2026-03-01T00:00:00Z') }), NOW)).toBe('cancelled');
  });
});

describe('remainingSeats', () => {
  it('when seats are taken, then capacity less the taken seats is left', () => {
    expect(remainingSeats(anEvent({ capacity: 10 }), counts(3))).toBe(7);
  });

  it('when nothing is counted yet, then the whole capacity is left', () => {
    expect(remainingSeats(anEvent({ capacity: 10 }), undefined)).toBe(10);
  });

  it('when capacity was lowered below the seats taken, then none are left rather than a negative number', () => {
    expect(remainingSeats(anEvent({ capacity: 5 }), counts(8))).toBe(0);
  });
});

describe('ticket type quotas', () => {
  const student = aTicketType({ id: 7, name: 'Student', price: 9000, quota: 3 });

  it('when a quota has room but the event has less, then the event limits', () => {
    expect(remainingForTicketType(student, 2, counts(8, { 7: 0 }))).toBe(2);
  });

  it('when the quota is used up, then none are left of that type even though the event has room', () => {
    expect(remainingForTicketType(student, 40, counts(10, { 7: 3 }))).toBe(0);
  });

  it('when a type has no quota, then the event limit applies', () => {
    expect(remainingForTicketType(aTicketType({ quota: null }), 12, counts(0))).toBe(12);
  });
});

describe('seatsFit', () => {
  const member = aTicketType({ id: 1, name: 'Member', price: 22000 });
  const student = aTicketType({ id: 2, name: 'Student', price: 9000, quota: 2 });
  const event = anEvent({ capacity: 5 });

  it('when the seats fit the event and the quotas, then true', () => {
    expect(seatsFit(event, [member, student], counts(2, { 1: 1, 2: 1 }), new Map([[1, 2], [2, 1]]))).toBe(true);
  });

  it('when the request takes exactly the last seats, then true', () => {
    expect(seatsFit(event, [member], counts(3, { 1: 3 }), new Map([[1, 2]]))).toBe(true);
  });

  it('when the request is one seat more than is left, then false', () => {
    expect(seatsFit(event, [member], counts(3, { 1: 3 }), new Map([[1, 3]]))).toBe(false);
  });

  it('when the event has room but a quota does not, then false', () => {
    expect(seatsFit(event, [member, student], counts(1, { 2: 1 }), new Map([[2, 2]]))).toBe(false);
  });

  it('when the ticket type is not one of the event’s, then false', () => {
    expect(seatsFit(event, [member], counts(0), new Map([[99, 1]]))).toBe(false);
  });
});

describe('sales windows and free events', () => {
  it('when an early-bird type has ended, then it is not on sale', () => {
    expect(isOnSale(aTicketType({ salesEndsAt: new Date('2026-03-01T00:00:00Z') }), NOW)).toBe(false);
    expect(isOnSale(aTicketType({ salesStartsAt: new Date('2026-03-03T00:00:00Z') }), NOW)).toBe(false);
    expect(isOnSale(aTicketType({ isActive: false }), NOW)).toBe(false);
    expect(isOnSale(aTicketType({ salesEndsAt: new Date('2026-03-03T00:00:00Z') }), NOW)).toBe(true);
  });

  it('when every ticket type costs nothing, then the event is free; one priced type makes it charged', () => {
    expect(isFreeEvent([aTicketType()])).toBe(true);
    expect(isFreeEvent([aTicketType(), aTicketType({ id: 2, price: 500 })])).toBe(false);
  });
});

describe('doorState (check-in and walk-ins open on the event day, in its own zone)', () => {
  it('when it is a minute before midnight on the eve of an evening meeting in London (BST), then the door is not open; at midnight it is', () => {
    const event = anEvent({ startsAt: new Date('2026-04-14T17:00:00Z'), endsAt: new Date('2026-04-14T19:00:00Z') });
    expect(doorState(event, new Date('2026-04-13T22:59:00Z'))).toBe('before');
    expect(doorState(event, new Date('2026-04-13T23:00:00Z'))).toBe('open');
    expect(doorState(event, new Date('2026-04-14T22:59:00Z'))).toBe('open');
    expect(doorState(event, new Date('2026-04-14T23:00:00Z'))).toBe('after');
  });

  it('when a two-day conference is under way, then the door is open on both days', () => {
    const event = anEvent({ startsAt: new Date('2026-06-10T08:00:00Z'), endsAt: new Date('2026-06-11T16:00:00Z') });
    expect(doorState(event, new Date('2026-06-11T12:00:00Z'))).toBe('open');
  });
});
