import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, freeBookingBody, person } from '../support/factories';
import { textOf } from '../support/html';
import { rateLimitJobs } from '../../src/web/rate-limit';
import { laterByWallClock } from '../support/wall-clock';

/**
 * The public abuse limits (issue 14), with small limits so they are reached quickly. Requests come from loopback,
 * whose X-Forwarded-For the app trusts (TRUST_PROXY=loopback), so each test speaks as its own client addresses.
 */

const LIMITS = {
  RATE_LIMITS: 'on',
  RATE_LIMIT_BOOKINGS_PER_ADDRESS: '3/10m',
  RATE_LIMIT_BOOKINGS_PER_EMAIL: '2/1h',
  RATE_LIMIT_RESEND: '2/1h',
  RATE_LIMIT_LINKS: '4/10m',
};

let t: TestApp;
let lastAddress = 0;
/** A client address no other test has used. */
const newAddress = () => `198.51.100.${++lastAddress}`;

beforeAll(async () => {
  t = await startTestApp({ env: LIMITS });
});
afterAll(async () => {
  await t.close();
});

function bookApi(slug: string, body: object, address: string) {
  return request(t.app).post(`/api/v1/events/${slug}/bookings`).set('X-Forwarded-For', address).send(body);
}

const bookingsAt = async (eventId: number) => Number((await t.db('bookings').where({ event_id: eventId }).count({ n: '*' }).first())?.n);

describe('booking limits', () => {
  it('when one client floods the booking API, then only the limit is booked and the rest get 429 rate_limited with Retry-After and a message saying how long to wait', async () => {
    const event = await buildEvent(t.db, { capacity: 40 });
    const address = newAddress();

    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => bookApi(event.slug, freeBookingBody(`flood-${i}`), address)));

    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.body).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('Please try again in 10 minutes.') } });
    expect(refused.body.error.message).toContain('Nothing was booked this time');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(590);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(600);
    expect(await bookingsAt(event.id)).toBe(3);

    const logged = t.logged.filter((line) => (line.extra as { ip?: string } | undefined)?.ip === address && (line.extra as { status?: number }).status === 429);
    expect(logged).toHaveLength(5);
    expect(logged[0]).toEqual({ level: 'warn', msg: 'request refused', extra: expect.objectContaining({ security: 'request_refused', code: 'rate_limited', reason: 'limit bookings-address' }) });

    // Another client is not held back by this one.
    expect((await bookApi(event.slug, freeBookingBody('flood-other'), newAddress())).status).toBe(201);
  });

  it('when the registration form is sent too often, then the event page comes back at 429 saying in words when to try again, with what was typed kept', async () => {
    const event = await buildEvent(t.db, { capacity: 40 });
    const address = newAddress();
    const post = (n: string) => request(t.app).post(`/events/${event.slug}/register`).set('X-Forwarded-For', address).type('form').send({ ...person(n), dietary: 'Vegetarian' });
    for (const n of ['form-1', 'form-2', 'form-3']) expect((await post(n)).status).toBe(303);

    const refused = await post('form-4');

    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/text\/html/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(590);
    const text = textOf(refused.text);
    expect(text).toContain('Please wait before trying again');
    expect(text).toContain('We have had a lot of bookings from your internet connection in a short time');
    expect(text).toContain('Please try again in 10 minutes.');
    expect(refused.text).toContain('value="Attendee form-4"');
    expect(refused.text).toContain('value="attendeeform-4@example.org"');
    expect(refused.text).toContain('Vegetarian');
    expect(await bookingsAt(event.id)).toBe(3);
    expect(t.logged).toContainEqual({ level: 'warn', msg: 'request refused', extra: expect.objectContaining({ security: 'request_refused', ip: address, status: 429, code: 'rate_limited', reason: 'limit bookings-address' }) });
  });

  it('when the booking form is sent too often, then the form comes back at 429 with every place typed kept', async () => {
    const event = await buildEvent(t.db, { capacity: 40 });
    const address = newAddress();
    const form = (n: number) => ({ buyer_name: `Buyer ${n}`, buyer_email: `buyer-form-${n}@example.org`, seat_0_type: String(event.ticketTypeIds[0]), seat_0_price: '0', seat_0_name: '', seat_0_email: '', seat_1_type: String(event.ticketTypeIds[0]), seat_1_price: '0', seat_1_name: `Guest ${n}`, seat_1_email: `guest-form-${n}@example.org` });
    for (const n of [1, 2, 3]) expect((await request(t.app).post(`/events/${event.slug}/book`).set('X-Forwarded-For', address).type('form').send(form(n))).status).toBe(303);

    const refused = await request(t.app).post(`/events/${event.slug}/book`).set('X-Forwarded-For', address).type('form').send(form(4));

    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(590);
    expect(textOf(refused.text)).toContain('Please try again in 10 minutes.');
    expect(refused.text).toContain('value="Buyer 4"');
    expect(refused.text).toContain('value="Guest 4"');
    expect(refused.text).toContain('value="guest-form-4@example.org"');
  });

  it('when one email address books from many client addresses, then the per-email limit refuses it wherever it comes from, counting it as buyer or as attendee', async () => {
    const events = await Promise.all([1, 2, 3].map(() => buildEvent(t.db)));
    const alpha = person('alpha-everywhere');
    const withAlpha = (buyer: string) => {
      const b = person(buyer);
      return { buyer: { name: b.name, email: b.email }, items: [{ attendee: alpha }] };
    };

    expect((await bookApi(events[0].slug, { buyer: { name: alpha.name, email: alpha.email }, items: [{ attendee: alpha }] }, newAddress())).status).toBe(201);
    expect((await bookApi(events[1].slug, withAlpha('beta-buyer'), newAddress())).status).toBe(201);
    const refused = await bookApi(events[2].slug, withAlpha('gamma-buyer'), newAddress());

    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.message).toContain(`We have had a lot of bookings for ${alpha.email} in a short time`);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
    expect(refused.body.error.message).toContain('Please try again in 60 minutes.');
    expect(await bookingsAt(events[2].id)).toBe(0);
  });

  it('when the limit window has passed, then the same client can book again', async () => {
    const event = await buildEvent(t.db, { capacity: 40 });
    const address = newAddress();
    for (let i = 0; i < 3; i++) expect((await bookApi(event.slug, freeBookingBody(`window-${i}`), address)).status).toBe(201);
    expect((await bookApi(event.slug, freeBookingBody('window-3'), address)).status).toBe(429);

    const later = await laterByWallClock(10 * 60_000 + 1000, () => bookApi(event.slug, freeBookingBody('window-4'), address));

    expect(later.status).toBe(201);
  });

  it('when the stored counts hold no client address or email address, then only keyed hashes are kept', async () => {
    const event = await buildEvent(t.db);
    const address = newAddress();
    await bookApi(event.slug, freeBookingBody('stored-keys'), address).expect(201);

    const keys = (await t.db('rate_limits').pluck('key')).join('\n');

    expect(keys).toMatch(/^bookings-address:[A-Za-z0-9_-]{22}$/m);
    expect(keys).not.toContain(address);
    expect(keys).not.toContain('attendeestored-keys@example.org');
  });
});

describe('keeping the table of counts small', () => {
  it('when counts have expired, then the rate-limits job deletes them and keeps the live ones', async () => {
    const now = Date.now();
    await t.db('rate_limits').insert([
      { key: 'purge-test:ended', points: 3, expire: now - 1000 },
      { key: 'purge-test:live', points: 1, expire: now + 60_000 },
    ]);
    const [job] = rateLimitJobs(t.ctx);

    await job.run(new AbortController().signal);

    expect(await t.db('rate_limits').where('key', 'like', 'purge-test:%').pluck('key')).toEqual(['purge-test:live']);
    expect(Number((await t.db('rate_limits').where('expire', '<', now).count({ n: '*' }).first())?.n)).toBe(0);
  });
});

describe('the resend-confirmation form', () => {
  it('when confirmations are asked for again and again, then 429 per email (from any address) and per address (for any email), with the event page explaining', async () => {
    const event = await buildEvent(t.db);
    const [first, second] = [newAddress(), newAddress()];
    const resend = (email: string, address: string) => request(t.app).post(`/events/${event.slug}/resend`).set('X-Forwarded-For', address).type('form').send({ email });

    expect((await resend('resend-a@example.org', first)).status).toBe(303);
    expect((await resend('resend-a@example.org', first)).status).toBe(303);
    const perEmail = await resend('resend-a@example.org', second);
    expect(perEmail.status).toBe(429);
    expect(Number(perEmail.headers['retry-after'])).toBeGreaterThan(3500);
    expect(textOf(perEmail.text)).toContain('We have been asked to resend confirmations many times in a short time');
    expect(textOf(perEmail.text)).toContain('Please try again in 60 minutes');

    // The second address has one request counted (the refused one); one more is allowed, then it is refused too.
    expect((await resend('resend-b@example.org', second)).status).toBe(303);
    expect((await resend('resend-c@example.org', second)).status).toBe(429);
  });
});

describe('pages behind a private link', () => {
  it('when one client asks for booking pages too often, then the page and the API answer 429 in their own form, and other clients are not affected', async () => {
    const event = await buildEvent(t.db);
    const created = await bookApi(event.slug, freeBookingBody('manage-limit'), newAddress()).expect(201);
    const manage = new URL(created.body.booking.manageUrl);
    const token = manage.searchParams.get('token')!;
    const address = newAddress();
    for (let i = 0; i < 4; i++) expect((await request(t.app).get(`${manage.pathname}${manage.search}`).set('X-Forwarded-For', address)).status).toBe(200);

    const page = await request(t.app).get(`${manage.pathname}${manage.search}`).set('X-Forwarded-For', address);
    const api = await request(t.app).get(`/api/v1/bookings/${created.body.booking.reference}`).set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', address);

    expect(page.status).toBe(429);
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(590);
    const text = textOf(page.text);
    expect(text).toContain('Please wait before trying again');
    expect(text).toContain('Your booking is not affected. Please try again in 10 minutes.');
    expect(text).not.toContain('Attendee manage-limit');
    expect(api.status).toBe(429);
    expect(api.body.error.code).toBe('rate_limited');
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(590);
    expect((await request(t.app).get(`${manage.pathname}${manage.search}`).set('X-Forwarded-For', newAddress())).status).toBe(200);
  });

  it('when one client tries link after link with wrong tokens, then each try counts and the checkout return page answers 429 after the limit', async () => {
    const address = newAddress();
    const guess = (i: number) => request(t.app).get(`/checkout/cancelled?reference=HSUG-AAAA-AAA${i}&token=${'x'.repeat(40)}`).set('X-Forwarded-For', address);
    for (let i = 0; i < 4; i++) expect((await guess(i)).status).toBe(404);

    const refused = await guess(4);

    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(590);
    expect(textOf(refused.text)).toContain('We have had a lot of requests for private booking links from your internet connection');
  });
});

describe('when the store of counts fails', () => {
  let broken: TestApp;
  beforeAll(async () => {
    broken = await startTestApp({ env: { ...LIMITS, RATE_LIMIT_BOOKINGS_PER_ADDRESS: '2/10m' } });
    await broken.db.schema.dropTable('rate_limits');
  });
  afterAll(async () => {
    await broken.close();
  });

  it('then bookings are still taken, counted in the instance\'s memory with the same limit, and the fault is logged', async () => {
    const event = await buildEvent(broken.db);
    const book = (n: string) => request(broken.app).post(`/api/v1/events/${event.slug}/bookings`).set('X-Forwarded-For', '203.0.113.9').send(freeBookingBody(n));

    expect((await book('store-1')).status).toBe(201);
    expect((await book('store-2')).status).toBe(201);
    const third = await book('store-3');

    expect(third.status).toBe(429);
    expect(broken.logged).toContainEqual({ level: 'error', msg: 'rate limit store failed', extra: expect.objectContaining({ limit: 'bookings-address', onStoreFailure: 'count-in-memory', error: expect.stringMatching(/rate_limits/) }) });
  });

  it('then sign-in is refused with 503 limits_unavailable rather than left unlimited, and the fault is logged', async () => {
    const agent = request.agent(broken.app);
    const form = await agent.get('/admin/sign-in').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];

    const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrf, email: 'anyone@hsug.test', password: 'a password of some length' });

    expect(res.status).toBe(503);
    expect(textOf(res.text)).toContain('This could not be checked just now, so it was not done. Please try again in a minute.');
    expect(res.text).toContain('value="anyone@hsug.test"');
    expect(broken.logged).toContainEqual({ level: 'error', msg: 'rate limit store failed', extra: expect.objectContaining({ limit: 'sign-in-account-address', onStoreFailure: 'refuse' }) });
  });
});
