import { describeSpan, formatRange, monthKey, parseDateBound, parseLocalDateTime } from '../../src/lib/time';

const LONDON = 'Europe/London';

describe('formatRange', () => {
  it('when an evening meeting is in winter, then it reads in GMT', () => {
    // Arrange
    const start = new Date('2026-03-17T18:00:00Z');
    const end = new Date('2026-03-17T20:00:00Z');

    // Act
    const text = formatRange(start, end, LONDON);

    // Assert
    expect(text).toBe('Tuesday 17 March 2026, 6:00pm – 8:00pm GMT');
  });

  it('when an evening meeting is after the clocks go forward, then the same UTC hour reads an hour later in BST', () => {
    const text = formatRange(new Date('2026-03-31T17:00:00Z'), new Date('2026-03-31T19:00:00Z'), LONDON);
    expect(text).toBe('Tuesday 31 March 2026, 6:00pm – 8:00pm BST');
  });

  it('when an evening meeting is after the clocks go back, then it reads in GMT again', () => {
    const text = formatRange(new Date('2026-10-27T18:00:00Z'), new Date('2026-10-27T20:00:00Z'), LONDON);
    expect(text).toBe('Tuesday 27 October 2026, 6:00pm – 8:00pm GMT');
  });

  it('when an event spans two days, then both days are given short, the month and year once', () => {
    const text = formatRange(new Date('2026-06-10T08:00:00Z'), new Date('2026-06-11T15:00:00Z'), LONDON);
    expect(text).toBe('Wed 10 – Thu 11 June 2026, 9:00am – 4:00pm BST');
  });

  it('when a two-day conference is in February 2027, then it reads as the issue gives it', () => {
    expect(formatRange(new Date('2027-02-10T09:00:00Z'), new Date('2027-02-11T17:00:00Z'), LONDON)).toBe('Wed 10 – Thu 11 February 2027, 9:00am – 5:00pm GMT');
  });

  it('when the days fall in two months, or two years, then each day names its month (and year)', () => {
    expect(formatRange(new Date('2026-06-30T08:00:00Z'), new Date('2026-07-01T15:00:00Z'), LONDON)).toBe('Tue 30 June – Wed 1 July 2026, 9:00am – 4:00pm BST');
    expect(formatRange(new Date('2026-12-31T09:00:00Z'), new Date('2027-01-01T17:00:00Z'), LONDON)).toBe('Thu 31 December 2026 – Fri 1 January 2027, 9:00am – 5:00pm GMT');
  });

  it('when an event crosses the clocks going back, then each end has its own zone', () => {
    expect(describeSpan(new Date('2026-10-24T16:00:00Z'), new Date('2026-10-25T13:00:00Z'), LONDON)).toEqual({
      days: 'Sat 24 – Sun 25 October 2026',
      times: '5:00pm BST – 1:00pm GMT',
      text: 'Sat 24 – Sun 25 October 2026, 5:00pm BST – 1:00pm GMT',
    });
  });

  it('when a night event crosses the clocks going forward within one day, then each end has its own zone', () => {
    expect(formatRange(new Date('2026-03-29T00:30:00Z'), new Date('2026-03-29T03:00:00Z'), LONDON)).toBe('Sunday 29 March 2026, 12:30am GMT – 4:00am BST');
  });

  it('when the event is in another zone, then it reads in that zone with its offset', () => {
    const text = formatRange(new Date('2026-03-31T17:00:00Z'), new Date('2026-03-31T19:00:00Z'), 'America/New_York');
    expect(text).toBe('Tuesday 31 March 2026, 1:00pm – 3:00pm GMT-4');
  });
});

describe('parseLocalDateTime in Europe/London', () => {
  it.each([
    ['the Saturday before the clocks go forward', '2026-03-28T18:00', '2026-03-28T18:00:00.000Z'],
    ['the Tuesday after the clocks go forward', '2026-03-31T18:00', '2026-03-31T17:00:00.000Z'],
    ['the Saturday before the clocks go back', '2026-10-24T18:00', '2026-10-24T17:00:00.000Z'],
    ['the Tuesday after the clocks go back', '2026-10-27T18:00', '2026-10-27T18:00:00.000Z'],
  ])('when the form says 6pm on %s, then the instant is %s', (_label, local, utc) => {
    expect(parseLocalDateTime(local, LONDON)?.toISOString()).toBe(utc);
  });

  it('when the time falls in the hour the clocks skip, then it moves forward to a real time', () => {
    // 01:30 on 29 March 2026 does not exist in London; luxon moves it to 02:30 BST = 01:30Z.
    expect(parseLocalDateTime('2026-03-29T01:30', LONDON)?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('when the text is not a date-time, then null', () => {
    expect(parseLocalDateTime('next Tuesday', LONDON)).toBeNull();
    expect(parseLocalDateTime('2026-02-30T18:00', LONDON)).toBeNull();
  });
});

describe('monthKey', () => {
  it('when an event starts just after midnight on 1 April in BST, then it belongs to April though it is 31 March in UTC', () => {
    expect(monthKey(new Date('2026-03-31T23:30:00Z'), LONDON)).toEqual({ key: '2026-04', label: 'April 2026' });
  });
});

describe('parseDateBound', () => {
  it('when a bare day is given, then it runs from midnight to midnight in the zone', () => {
    expect(parseDateBound('2026-04-01', LONDON, 'start').toISOString()).toBe('2026-03-31T23:00:00.000Z');
    expect(parseDateBound('2026-04-01', LONDON, 'end').toISOString()).toBe('2026-04-01T23:00:00.000Z');
  });

  it('when an instant with an offset is given, then it is taken as it is', () => {
    expect(parseDateBound('2026-04-01T10:00:00+01:00', LONDON, 'end').toISOString()).toBe('2026-04-01T09:00:00.000Z');
  });
});
