import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, freeBookingBody, type BuiltEvent } from '../support/factories';
import { parseCalendar } from '../support/ical';
import { cardSlugs, decode, monthSections, textOf } from '../support/html';

let t: TestApp;
let march: BuiltEvent; // 17 March, GMT
let bst: BuiltEvent; // 31 March, 18:00 BST = 17:00Z
let aprilInLondon: BuiltEvent; // 00:30 on 1 April in London, still 31 March in UTC
let edinburgh: BuiltEvent;
let seminar: BuiltEvent;
let cancelled: BuiltEvent;
let draft: BuiltEvent;
let past: BuiltEvent;

beforeAll(async () => {
  t = await startTestApp();
  march = await buildEvent(t.db, { slug: 'march-meeting', title: 'March meeting', startsAt: '2026-03-17T18:00:00Z' });
  bst = await buildEvent(t.db, { slug: 'bst-meeting', title: 'Meeting after the clocks change', startsAt: '2026-03-31T17:00:00Z', sequence: 1 });
  aprilInLondon = await buildEvent(t.db, { slug: 'midnight-lecture', title: 'Midnight lecture', startsAt: '2026-03-31T23:30:00Z' });
  edinburgh = await buildEvent(t.db, { slug: 'edinburgh-meeting', title: 'Edinburgh meeting', region: 'scotland', startsAt: '2026-04-14T17:00:00Z', venue: 'Edinburgh Futures Institute', address: '1 Lauriston Place, Edinburgh EH3 9EF' });
  seminar = await buildEvent(t.db, {
    slug: 'sae-seminar', kind: 'seminar', title: 'Small area estimation', startsAt: '2026-05-07T08:30:00Z', endsAt: '2026-05-07T15:30:00Z', capacity: 30,
    tickets: [{ name: 'HSUG member', price: 6000, membersOnly: true }, { name: 'Non-member', price: 9500 }, { name: 'Student', price: 123450, quota: 5 }],
  });
  cancelled = await buildEvent(t.db, { slug: 'gp-data', title: 'GP appointments data', status: 'cancelled', startsAt: '2026-03-24T18:00:00Z' });
  draft = await buildEvent(t.db, { slug: 'secret-draft', title: 'Not announced yet', status: 'draft', startsAt: '2026-03-20T18:00:00Z' });
  past = await buildEvent(t.db, { slug: 'pandemic-lessons', title: 'What the pandemic taught us', startsAt: '2026-02-10T18:00:00Z' });
});
afterAll(() => t.close());

const known = () => [march, bst, aprilInLondon, edinburgh, seminar, cancelled, draft, past].map((e) => e.slug);
const onlyKnown = (slugs: string[]) => slugs.filter((s) => known().includes(s));

describe('the upcoming events page', () => {
  it('when published events span months, then they are listed by month in the events’ own zone, drafts and past events left out', async () => {
    // Act
    const res = await request(t.app).get('/');

    // Assert
    expect(res.status).toBe(200);
    const months = monthSections(res.text).map((m) => ({ heading: m.heading, slugs: onlyKnown(m.slugs) }));
    expect(months).toEqual([
      { heading: 'March 2026', slugs: ['march-meeting', 'gp-data', 'bst-meeting'] },
      { heading: 'April 2026', slugs: ['midnight-lecture', 'edinburgh-meeting'] },
      { heading: 'May 2026', slugs: ['sae-seminar'] },
    ]);
  });

  it('when an event is cancelled, then its card says so instead of offering places', async () => {
    const res = await request(t.app).get('/');
    const card = /<li class="event-card is-cancelled">[\s\S]*?<\/li>/.exec(res.text)?.[0] ?? '';
    expect(textOf(card)).toContain('GP appointments data');
    expect(textOf(card)).toContain('Cancelled');
    expect(textOf(card)).not.toContain('places left');
  });

  it('when filtered by region, then only that region’s events are listed and the filter stays selected', async () => {
    const res = await request(t.app).get('/?region=scotland');
    expect(res.status).toBe(200);
    expect(onlyKnown(cardSlugs(res.text))).toEqual(['edinburgh-meeting']);
    expect(res.text).toMatch(/<option value="scotland" selected>/);
  });

  it('when filtered by kind, then only that kind is listed', async () => {
    const res = await request(t.app).get('/?kind=seminar');
    expect(onlyKnown(cardSlugs(res.text))).toEqual(['sae-seminar']);
  });

  it('when nothing matches the filters, then the page says so and links back to everything', async () => {
    const res = await request(t.app).get('/?kind=conference&region=online');
    expect(res.status).toBe(200);
    expect(textOf(res.text)).toContain('No upcoming events match those filters.');
  });

  it('when a filter value is not one we know, then a 422 page names the filter, not a 500', async () => {
    const res = await request(t.app).get('/?region=mars');
    expect(res.status).toBe(422);
    expect(res.type).toBe('text/html');
    expect(textOf(res.text)).toContain('region');
    expect(textOf(res.text)).toContain('must be one of');
  });
});

describe('the past events page', () => {
  it('when an event has ended, then it is listed under past events and not under upcoming', async () => {
    const pastPage = await request(t.app).get('/events/past');
    const upcoming = await request(t.app).get('/');
    expect(pastPage.status).toBe(200);
    expect(onlyKnown(cardSlugs(pastPage.text))).toEqual(['pandemic-lessons']);
    expect(cardSlugs(upcoming.text)).not.toContain('pandemic-lessons');
  });

  it('when a past event is shown, then it does not offer places any more', async () => {
    const res = await request(t.app).get('/events/past');
    expect(textOf(res.text)).not.toMatch(/places? left|join the waitlist/i);
  });
});

describe('the event page', () => {
  it('when the event is in British Summer Time, then the page shows 6:00pm BST for the stored 17:00Z, with the venue', async () => {
    const res = await request(t.app).get('/events/bst-meeting');
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    expect(text).toContain('Tuesday 31 March 2026, 6:00pm – 8:00pm BST');
    expect(res.text).toContain('datetime="2026-03-31T17:00:00.000Z"');
    expect(text).toContain('Royal Statistical Society');
    expect(text).toContain('12 Errol Street, London EC1Y 8LX');
  });

  it('when the event is in winter time, then the page shows GMT', async () => {
    const res = await request(t.app).get('/events/march-meeting');
    expect(textOf(res.text)).toContain('Tuesday 17 March 2026, 6:00pm – 8:00pm GMT');
  });

  it('when the event is charged, then the price table lists each ticket type with its price', async () => {
    const res = await request(t.app).get('/events/sae-seminar');
    const table = textOf(/<table class="prices">[\s\S]*?<\/table>/.exec(res.text)?.[0] ?? '');
    expect(table).toContain('HSUG member Members £60.00');
    expect(table).toContain('Non-member £95.00');
    expect(table).toContain('Student £1,234.50');
  });

  it('when places are left, then the page says how many', async () => {
    const event = await buildEvent(t.db, { capacity: 3, startsAt: '2026-06-02T17:00:00Z' });
    await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('places-1')).expect(201);
    const res = await request(t.app).get(`/events/${event.slug}`);
    expect(textOf(res.text)).toContain('2 places left of 3');
  });

  it('when the event is full, then it says "Full — join the waitlist" and the form offers the waitlist', async () => {
    const event = await buildEvent(t.db, { capacity: 1, startsAt: '2026-06-09T17:00:00Z' });
    await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('full-1')).expect(201);
    const res = await request(t.app).get(`/events/${event.slug}`);
    const text = textOf(res.text);
    expect(text).toContain('Full — join the waitlist');
    expect(text).toContain('Join the waitlist');
  });

  it('when the event is cancelled, then the page says so and offers no registration form', async () => {
    const res = await request(t.app).get('/events/gp-data');
    expect(res.status).toBe(200);
    expect(textOf(res.text)).toContain('This event has been cancelled.');
    expect(res.text).not.toContain('action="/events/gp-data/register');
  });

  it('when the event is a draft or does not exist, then 404', async () => {
    expect((await request(t.app).get('/events/secret-draft')).status).toBe(404);
    expect((await request(t.app).get('/events/no-such-event')).status).toBe(404);
    expect((await request(t.app).get('/events/Not_A_Slug!')).status).toBe(404);
  });

  it('when the event has taken place, then its page says so, without places or a form', async () => {
    const res = await request(t.app).get('/events/pandemic-lessons');
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    expect(text).toContain('This event has taken place.');
    expect(text).not.toMatch(/places? left/);
    expect(res.text).not.toContain('/register');
  });

  it('when the page offers "Add to Google Calendar", then its dates are the UTC instants', async () => {
    const res = await request(t.app).get('/events/bst-meeting');
    const href = /<a href="(https:\/\/calendar\.google\.com[^"]+)"/.exec(res.text)?.[1];
    expect(href).toBeDefined();
    const link = new URL(decode(href!));
    expect(link.searchParams.get('dates')).toBe('20260331T170000Z/20260331T190000Z');
    expect(link.searchParams.get('text')).toBe('Meeting after the clocks change');
  });
});

describe('GET /api/v1/events', () => {
  it('when listing, then each event has the documented fields with UTC instants, drafts and past events left out', async () => {
    const res = await request(t.app).get('/api/v1/events');
    expect(res.status).toBe(200);
    const slugs = onlyKnown(res.body.events.map((e: { slug: string }) => e.slug));
    expect(slugs).toEqual(['march-meeting', 'gp-data', 'bst-meeting', 'midnight-lecture', 'edinburgh-meeting', 'sae-seminar']);
    const found = res.body.events.find((e: { slug: string }) => e.slug === 'sae-seminar');
    expect(found).toMatchObject({
      slug: 'sae-seminar',
      kind: 'seminar',
      title: 'Small area estimation',
      startsAt: '2026-05-07T08:30:00.000Z',
      endsAt: '2026-05-07T15:30:00.000Z',
      timezone: 'Europe/London',
      venue: 'Royal Statistical Society',
      region: 'london',
      capacity: 30,
      remaining: 30,
    });
    expect(found.ticketTypes).toEqual([
      { id: seminar.ticketTypeIds[0], name: 'HSUG member', amount: 6000, currency: 'GBP', membersOnly: true, remaining: 30 },
      { id: seminar.ticketTypeIds[1], name: 'Non-member', amount: 9500, currency: 'GBP', membersOnly: false, remaining: 30 },
      { id: seminar.ticketTypeIds[2], name: 'Student', amount: 123450, currency: 'GBP', membersOnly: false, remaining: 5 },
    ]);
  });

  it('when an event is free, then none of its ticket types has an amount above 0', async () => {
    const res = await request(t.app).get('/api/v1/events/march-meeting');
    expect(res.body.event.ticketTypes.every((tt: { amount: number }) => tt.amount === 0)).toBe(true);
  });

  it('when filtered by kind, then only that kind is returned', async () => {
    const res = await request(t.app).get('/api/v1/events?kind=seminar');
    expect(onlyKnown(res.body.events.map((e: { slug: string }) => e.slug))).toEqual(['sae-seminar']);
  });

  it('when filtered from and to by day, then the days are read in UK time and "to" includes its whole day', async () => {
    // 1 April in London starts at 2026-03-31T23:00Z, so the midnight lecture (23:30Z on the 31st) is in April.
    const res = await request(t.app).get('/api/v1/events?from=2026-04-01&to=2026-04-14');
    expect(onlyKnown(res.body.events.map((e: { slug: string }) => e.slug))).toEqual(['midnight-lecture', 'edinburgh-meeting']);
  });

  it('when filtered by instants, then they bound the events exactly', async () => {
    const res = await request(t.app).get('/api/v1/events?from=2026-03-20T00:00:00Z&to=2026-03-31T17:00:00Z');
    expect(onlyKnown(res.body.events.map((e: { slug: string }) => e.slug))).toEqual(['gp-data']);
  });

  it('when "from" reaches back into the past, then events that have ended since are listed too, however far back', async () => {
    // Ended two days before TEST_NOW (kept in the catalogue's memory) and three weeks before (read from the database).
    const lastWeek = await buildEvent(t.db, { slug: 'ended-this-week', startsAt: '2026-02-28T18:00:00Z' });
    const slugsFrom = async (query: string) => (await request(t.app).get(`/api/v1/events?${query}`)).body.events.map((e: { slug: string }) => e.slug) as string[];

    const thisWeek = await slugsFrom('from=2026-02-27');
    expect(thisWeek).toEqual(expect.arrayContaining([lastWeek.slug, 'march-meeting']));
    expect(thisWeek).not.toContain(past.slug);
    expect(await slugsFrom('')).not.toContain(lastWeek.slug);

    const february = await slugsFrom('from=2026-02-01&to=2026-03-01');
    expect(february).toEqual(expect.arrayContaining([past.slug, lastWeek.slug]));
    expect(february).not.toContain('march-meeting');
    expect(february.indexOf(past.slug)).toBeLessThan(february.indexOf(lastWeek.slug));
  });

  it('when "from" is not a date, then 422 with a detail for the path "from"', async () => {
    const res = await request(t.app).get('/api/v1/events?from=next-week');
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([{ path: 'from', message: expect.stringContaining('2026-04-01') }]);
  });

  it('when the kind is unknown, then 422 with a detail for "kind"', async () => {
    const res = await request(t.app).get('/api/v1/events?kind=party');
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['kind']);
  });
});

describe('GET /api/v1/events/:slug', () => {
  it('when the event is published, then {event} with the same shape as the list', async () => {
    const res = await request(t.app).get('/api/v1/events/bst-meeting');
    expect(res.status).toBe(200);
    expect(res.body.event).toMatchObject({ slug: 'bst-meeting', startsAt: '2026-03-31T17:00:00.000Z', endsAt: '2026-03-31T19:00:00.000Z', remaining: 50 });
  });

  it('when the event is a draft or unknown, then 404 in the JSON error form', async () => {
    const res = await request(t.app).get('/api/v1/events/secret-draft');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'event_not_found', message: expect.any(String) } });
    expect((await request(t.app).get('/api/v1/events/nope')).status).toBe(404);
  });
});

describe('calendar files', () => {
  it('when the feed is fetched, then it has the published upcoming events only, at their UTC times', async () => {
    const res = await request(t.app).get('/calendar.ics');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/calendar');
    const events = parseCalendar(res.text);
    expect(events.map((e) => e.summary)).toEqual(expect.arrayContaining(['March meeting', 'Meeting after the clocks change', 'Small area estimation']));
    const summaries = events.map((e) => e.summary);
    expect(summaries).not.toContain('Not announced yet');
    expect(summaries).not.toContain('GP appointments data');
    expect(summaries).not.toContain('What the pandemic taught us');
    const after = events.find((e) => e.summary === 'Meeting after the clocks change')!;
    expect(after.start.toISOString()).toBe('2026-03-31T17:00:00.000Z');
    expect(after.method).toBe('PUBLISH');
  });

  it('when one event’s .ics is downloaded, then it parses to that event with its UTC times, location and page URL', async () => {
    const res = await request(t.app).get('/events/bst-meeting/event.ics');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('bst-meeting.ics');
    const [event] = parseCalendar(res.text);
    expect(event).toMatchObject({
      summary: 'Meeting after the clocks change',
      location: 'Royal Statistical Society, 12 Errol Street, London EC1Y 8LX',
      url: 'http://events.test/events/bst-meeting',
      sequence: 1,
    });
    expect(event.start.toISOString()).toBe('2026-03-31T17:00:00.000Z');
    expect(event.end.toISOString()).toBe('2026-03-31T19:00:00.000Z');
  });

  it('when a draft’s or a malformed address’s .ics is asked for, then 404', async () => {
    expect((await request(t.app).get('/events/secret-draft/event.ics')).status).toBe(404);
    expect((await request(t.app).get('/events/Bad_Slug!/event.ics')).status).toBe(404);
  });
});
