import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import { decode } from '../support/html';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

// Issue 14, "tokens in the open": the booking reference is printed on sign-in sheets and in emails, so it must never
// be enough to see a booking, its payment link or its manage link. Stripe's return URLs carry the manage token.

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

async function heldBooking() {
  const event = await buildEvent(t.db, paidEvent());
  const buyer = person('return-page');
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({ buyer: { name: buyer.name, email: buyer.email }, items: [{ ticketTypeId: event.ticketTypeIds[1], expectedPrice: 9500, attendee: buyer }] });
  expect(res.status).toBe(201);
  const sessionId = sessionIdOf(res.body.booking.checkoutUrl);
  const session = await t.stripe.checkout.sessions.retrieve(sessionId);
  const cancelUrl = new URL(String(session.cancel_url));
  return { reference: res.body.booking.reference as string, sessionId, cancelPath: `${cancelUrl.pathname}${cancelUrl.search}` };
}

describe('the pages Stripe returns the buyer to', () => {
  it('when the buyer leaves Stripe without paying, then the cancelled page (with the token Stripe carried) shows the held places and how to pay', async () => {
    const { reference, cancelPath } = await heldBooking();
    expect(cancelPath).toMatch(/token=/);

    const page = await request(t.baseUrl).get(cancelPath);

    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('Payment not completed');
    expect(page.text).toContain(reference);
    expect(decode(page.text)).toMatch(new RegExp(`/bookings/${reference}/pay\\?token=`));
  });

  it('when someone has only the reference, or a wrong token, then the cancelled page answers 404 alike and shows no link or session id', async () => {
    const { reference, sessionId, cancelPath } = await heldBooking();
    const wrongToken = cancelPath.replace(/token=[^&]+/, 'token=wrongwrongwrongwrongwrongwrongwrongwrong123');

    const byReference = await request(t.baseUrl).get(`/checkout/cancelled?reference=${reference}`);
    const byWrongToken = await request(t.baseUrl).get(wrongToken);
    const byUnknownReference = await request(t.baseUrl).get(cancelPath.replace(reference, 'HSUG-ZZZZZZ'));

    for (const res of [byReference, byWrongToken, byUnknownReference]) {
      expect(res.status).toBe(404);
      expect(res.text).not.toContain(sessionId);
      expect(decode(res.text)).not.toMatch(/token=/);
    }
    // One page for every refusal, so a refusal says nothing about whether the reference exists.
    expect(byWrongToken.text).toBe(byReference.text);
    expect(byUnknownReference.text).toBe(byReference.text);
  });
});
