import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import { decode, textOf } from '../support/html';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * Issue 15, "Calendar and pages": the "payment not completed" page offers "Release these places" besides "Return to
 * payment". Releasing posts the holder's cancel, which closes our Checkout Session at Stripe (the sandbox) and releases
 * the hold, once.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

async function heldBooking(seats: number) {
  const event = await buildEvent(t.db, { ...paidEvent(), capacity: 5 });
  const buyer = person(`release-${Math.random().toString(36).slice(2, 7)}`);
  const items = Array.from({ length: seats }, (_, i) => ({ ticketTypeId: event.ticketTypeIds[1], expectedPrice: 9500, attendee: { ...buyer, email: `${i}-${buyer.email}` } }));
  const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: buyer.name, email: buyer.email }, items }).expect(201);
  const sessionId = sessionIdOf(res.body.booking.checkoutUrl);
  const session = await t.stripe.checkout.sessions.retrieve(sessionId);
  const cancelUrl = new URL(String(session.cancel_url));
  return { event, reference: res.body.booking.reference as string, sessionId, cancelPath: `${cancelUrl.pathname}${cancelUrl.search}` };
}

const remaining = async (slug: string) => (await request(t.baseUrl).get(`/api/v1/events/${slug}`).expect(200)).body.event.remaining as number;

/** The form on the page, as a browser would send it. */
function releaseForm(html: string): { action: string; token: string } {
  const form = /<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form || !form[2].includes('Release these places')) throw new Error('no "Release these places" form on the page');
  return { action: decode(form[1]), token: decode(/name="token" value="([^"]+)"/.exec(form[2])![1]) };
}

describe('"Release these places" on the payment-not-completed page', () => {
  it('when the buyer releases their held places, then the seats are free at once, our Checkout Session is expired at Stripe, and the page says so', async () => {
    const { event, reference, sessionId, cancelPath } = await heldBooking(2);
    expect(await remaining(event.slug)).toBe(3);
    const page = await request(t.baseUrl).get(cancelPath).expect(200);
    expect(textOf(page.text)).toContain('Return to payment Release these places');

    const { action, token } = releaseForm(page.text);
    const released = await request(t.baseUrl).post(action).type('form').send({ token }).expect(303);

    expect(released.headers.location).toMatch(new RegExp(`^/bookings/${reference}\\?token=.*&cancelled=1$`));
    expect(await remaining(event.slug)).toBe(5);
    expect((await t.db('bookings').where({ reference }).first()).status).toBe('cancelled');
    expect((await t.stripe.checkout.sessions.retrieve(sessionId)).status).toBe('expired');
    const manage = await request(t.baseUrl).get(released.headers.location).expect(200);
    expect(textOf(manage.text)).toContain('Nothing has been charged, and the places we were holding for you have been released.');
    const after = await request(t.baseUrl).get(cancelPath).expect(200);
    expect(textOf(after.text)).toContain('Your places have been released.');
    expect(after.text).not.toContain('Release these places');
  });

  it('when the release is sent twice (a double tap, or a refresh), then the hold is released once and nothing else changes', async () => {
    const { event, reference, cancelPath } = await heldBooking(1);
    const { action, token } = releaseForm((await request(t.baseUrl).get(cancelPath).expect(200)).text);
    await request(t.baseUrl).post(action).type('form').send({ token }).expect(303);
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference }).first();
    const queued = Number((await t.db('outbox_emails').count({ n: '*' }).first())!.n);

    await request(t.baseUrl).post(action).type('form').send({ token }).expect(303);

    const again = await t.db('bookings').where({ reference }).first();
    expect(again.status).toBe('cancelled');
    expect(again.updated_at).toEqual(booking.updated_at);
    expect(Number((await t.db('outbox_emails').count({ n: '*' }).first())!.n)).toBe(queued);
    expect(await remaining(event.slug)).toBe(5);
  });

  it('when someone posts the release without the token, then nothing is released', async () => {
    const { event, reference, cancelPath } = await heldBooking(1);
    const { action } = releaseForm((await request(t.baseUrl).get(cancelPath).expect(200)).text);

    const res = await request(t.baseUrl).post(action).type('form').send({});

    expect(res.status).toBe(401);
    expect((await t.db('bookings').where({ reference }).first()).status).toBe('pending_payment');
    expect(await remaining(event.slug)).toBe(4);
  });
});
