import { expireLapsedHolds } from '../../src/payments/sweeper';
import { CATALOGUE_CACHE_CONTROL } from '../../src/web/cached';
import { buildEvent, freeBookingBody, person } from '../support/factories';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { cancelAsHolder, msUntil, placesEverywhere, placesInList, placesOnPage, PROMISED_MS, registerFree, whenListed } from '../support/places';

/**
 * The public catalogue is served from memory (src/events/catalogue.ts), with the interval the service runs with,
 * not the tests' ask-every-time: places left must still follow every change within the promised time. The app
 * listens on a real port, as it does in production, and Stripe is the project's sandbox.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp({ catalogue: {} });
});
afterEach(() => {
  t.clock.set('2026-03-02T12:00:00Z');
});
afterAll(async () => {
  await t.close();
});

const everywhere = (slug: string) => () => placesEverywhere(t.baseUrl, slug);
const register = (slug: string, who: string) => registerFree(t.baseUrl, slug, freeBookingBody(who));

async function conditionalGet(path: string, etag?: string) {
  const res = await fetch(`${t.baseUrl}${path}`, { headers: etag ? { 'if-none-match': etag } : {} });
  return { status: res.status, etag: res.headers.get('etag') ?? '', cacheControl: res.headers.get('cache-control'), body: await res.text() };
}

describe('places left while the catalogue is served from memory', () => {
  it('when a place is booked and then given back, then the list, the event page and the home page follow each within the promised time', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    await whenListed(t.baseUrl, event.slug);
    expect(await everywhere(event.slug)()).toBe(10);

    const booking = await register(event.slug, 'fresh-1');
    expect(await msUntil(everywhere(event.slug), 9, Date.now())).toBeLessThanOrEqual(PROMISED_MS);

    await cancelAsHolder(t.baseUrl, booking);
    expect(await msUntil(everywhere(event.slug), 10, Date.now())).toBeLessThanOrEqual(PROMISED_MS);
  });

  it('when a paid hold lapses, then its places show as free again at once, before the sweeper has run, and stay free after it', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 5 });
    await whenListed(t.baseUrl, event.slug);
    const p = person('fresh-hold');
    const res = await fetch(`${t.baseUrl}/api/v1/events/${event.slug}/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ buyer: { name: p.name, email: p.email }, items: [1, 2].map((n) => ({ ticketTypeId: event.ticketTypeIds[0], attendee: person(`fresh-hold-${n}`) })) }),
    });
    const { booking } = (await res.json()) as { booking: { status: string; holdExpiresAt: string } };
    expect(booking.status).toBe('pending_payment');
    expect(await msUntil(everywhere(event.slug), 3, Date.now())).toBeLessThanOrEqual(PROMISED_MS);

    // Checkout may have stretched the hold to Stripe's minimum: read when it really ends.
    const { hold_expires_at: holdEnds } = await t.db('bookings').where({ event_id: event.id }).first('hold_expires_at');
    t.clock.set(new Date(new Date(holdEnds).getTime() - 1));
    expect(await placesInList(t.baseUrl, event.slug)).toBe(3);
    t.clock.set(new Date(holdEnds));
    expect(await everywhere(event.slug)()).toBe(5);

    t.clock.advance(60_000);
    expect(await expireLapsedHolds(t.ctx)).toBe(1);
    expect(await everywhere(event.slug)()).toBe(5);
  });

  it('when the database is changed by something else (another instance, the CLI), then the change shows within the promised time', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    await whenListed(t.baseUrl, event.slug);
    expect(await placesOnPage(t.baseUrl, event.slug)).toBe(10);
    await t.db('events').where({ id: event.id }).update({ capacity: 12 });
    expect(await msUntil(everywhere(event.slug), 12, Date.now())).toBeLessThanOrEqual(PROMISED_MS);
  });

  it('when nothing changes, then repeated requests are answered without reading the events again', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    await whenListed(t.baseUrl, event.slug);
    const reads: string[] = [];
    const onQuery = (q: { sql: string }) => {
      if (/^select\b/i.test(q.sql) && /\bfrom\s+[`"]?(events|attendees|ticket_types)\b/i.test(q.sql) && !/\bsum\(/i.test(q.sql)) reads.push(q.sql);
    };
    t.db.on('query', onQuery);
    try {
      for (let i = 0; i < 10; i++) {
        expect(await placesInList(t.baseUrl, event.slug)).toBe(10);
        expect(await placesOnPage(t.baseUrl, event.slug)).toBe(10);
      }
    } finally {
      t.db.off('query', onQuery);
    }
    expect(reads).toEqual([]);
  });
});

describe('conditional requests', () => {
  it.each([
    ['the events list', '/api/v1/events', 'etag-list'],
    ['the home page', '/', 'etag-home'],
  ])('when %s is asked for again with its ETag, then 304 until a booking changes it, then 200 with a new ETag', async (_name, path, who) => {
    const event = await buildEvent(t.db, { capacity: 10, title: `Conditional ${path}` });
    await whenListed(t.baseUrl, event.slug);
    const first = await conditionalGet(path);
    expect(first.status).toBe(200);
    expect(first.cacheControl).toBe(CATALOGUE_CACHE_CONTROL);
    expect(first.etag).toMatch(/^"[\w-]+"$/);
    expect(first.body).toContain(event.slug);

    const again = await conditionalGet(path, first.etag);
    expect([again.status, again.body, again.etag]).toEqual([304, '', first.etag]);

    await register(event.slug, who);
    await msUntil(() => placesInList(t.baseUrl, event.slug), 9, Date.now());
    const changed = await conditionalGet(path, first.etag);
    expect(changed.status).toBe(200);
    expect(changed.etag).not.toBe(first.etag);
    expect(changed.body).not.toBe(first.body);
    expect((await conditionalGet(path, changed.etag)).status).toBe(304);
  });

  it('when an event page is asked for again with its ETag, then 304; after a booking, the new page with a new ETag', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    await whenListed(t.baseUrl, event.slug);
    const first = await conditionalGet(`/events/${event.slug}`);
    expect([first.status, first.cacheControl]).toEqual([200, CATALOGUE_CACHE_CONTROL]);
    expect((await conditionalGet(`/events/${event.slug}`, first.etag)).status).toBe(304);
    expect((await conditionalGet(`/events/${event.slug}`, 'W/"something-else"')).status).toBe(200);

    await register(event.slug, 'etag-page');
    await msUntil(() => placesOnPage(t.baseUrl, event.slug), 9, Date.now());
    const changed = await conditionalGet(`/events/${event.slug}`, first.etag);
    expect(changed.status).toBe(200);
    expect(changed.body).toContain('9 places left of 10');
  });

  it('when a booking is made, then the calendar feed, which shows no places, keeps its ETag; when an event is renamed, it changes', async () => {
    const event = await buildEvent(t.db, { capacity: 10, title: 'Feed meeting' });
    await whenListed(t.baseUrl, event.slug);
    const first = await conditionalGet('/calendar.ics');
    expect([first.status, first.cacheControl]).toEqual([200, CATALOGUE_CACHE_CONTROL]);
    expect(first.body).toContain('SUMMARY:Feed meeting');

    await register(event.slug, 'etag-feed');
    await msUntil(() => placesInList(t.baseUrl, event.slug), 9, Date.now());
    expect((await conditionalGet('/calendar.ics', first.etag)).status).toBe(304);

    await t.db('events').where({ id: event.id }).update({ title: 'Feed meeting, renamed' });
    await msUntil(async () => ((await conditionalGet('/calendar.ics', first.etag)).status === 200 ? 1 : 0), 1, Date.now());
    const renamed = await conditionalGet('/calendar.ics', first.etag);
    expect(renamed.body).toContain('SUMMARY:Feed meeting\\, renamed');
    expect(renamed.etag).not.toBe(first.etag);
  });
});
