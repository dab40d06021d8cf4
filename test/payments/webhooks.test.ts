import request from 'supertest';
import { signatureHeader } from '../../sandbox/src';
import { buildEvent, person } from '../support/factories';
import { WEBHOOK_SECRET, paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

async function heldBooking(name: string) {
  const event = await buildEvent(t.db, paidEvent());
  const p = person(name);
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: p }] });
  return { reference: res.body.booking.reference as string, sessionId: sessionIdOf(res.body.booking.checkoutUrl) };
}

/** A completed-session event as Stripe would send it, for this booking's real (paid) session. */
async function completedEvent(sessionId: string) {
  t.sandbox.setDelivery({ hold: true });
  t.sandbox.pay(sessionId);
  const event = t.sandbox.heldEvents().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId);
  t.sandbox.setDelivery({ hold: false });
  return JSON.stringify(event);
}

async function statusOf(reference: string) {
  return (await t.db('bookings').where({ reference }).first()).status;
}

describe('webhook authenticity', () => {
  it('when the signature is made with another secret, then 400 and the booking stays unpaid', async () => {
    const { reference, sessionId } = await heldBooking('forged');
    const body = await completedEvent(sessionId);
    const res = await request(t.baseUrl)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', signatureHeader(body, 'whsec_not_ours', Math.floor(Date.now() / 1000)))
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_signature');
    expect(await statusOf(reference)).toBe('pending_payment');
    expect(await t.db('stripe_events')).toHaveLength(0);
  });

  it('when the signature is ten minutes old, then 400 (a replayed delivery)', async () => {
    const { reference, sessionId } = await heldBooking('stale');
    const body = await completedEvent(sessionId);
    const res = await request(t.baseUrl)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', signatureHeader(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 600))
      .send(body);
    expect(res.status).toBe(400);
    expect(await statusOf(reference)).toBe('pending_payment');
  });

  it('when the body is not JSON or the signature header is missing, then 400 and nothing changes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const malformed = '{"id": "evt_1", "type": ';
    const bad = await request(t.baseUrl).post('/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', signatureHeader(malformed, WEBHOOK_SECRET, now)).send(malformed);
    expect(bad.status).toBe(400);
    const unsigned = await request(t.baseUrl).post('/webhooks/stripe').set('content-type', 'application/json').send('{}');
    expect(unsigned.status).toBe(400);
    expect(await t.db('stripe_events')).toHaveLength(0);
  });

  it('when a correctly signed event arrives, then it is processed and its id recorded once', async () => {
    const { reference, sessionId } = await heldBooking('genuine');
    const body = await completedEvent(sessionId);
    const post = () =>
      request(t.baseUrl).post('/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', signatureHeader(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000))).send(body);
    const first = await post();
    const second = await post();
    expect(first.body).toEqual({ received: true, outcome: 'processed' });
    expect(second.body).toEqual({ received: true, outcome: 'duplicate' });
    expect(await statusOf(reference)).toBe('confirmed');
    expect(await t.db('stripe_events').where({ id: JSON.parse(body).id })).toHaveLength(1);
  });

  it('when an event of an unknown type arrives, then it is acknowledged', async () => {
    const body = JSON.stringify({ id: 'evt_unknown_1', object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'cus_1', object: 'customer' } } });
    const res = await request(t.baseUrl).post('/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', signatureHeader(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000))).send(body);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('ignored');
  });

  it('when processing fails because Stripe cannot be read, then 500 so Stripe retries, and no event id is kept', async () => {
    const { reference, sessionId } = await heldBooking('retry');
    const body = await completedEvent(sessionId);
    t.sandbox.setDown(true);
    const sign = () => signatureHeader(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000));
    const failed = await request(t.baseUrl).post('/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', sign()).send(body);
    expect(failed.status).toBe(500);
    expect(failed.text).not.toMatch(/at .*\.ts:\d+/);
    expect(await statusOf(reference)).toBe('pending_payment');
    expect(await t.db('stripe_events').where({ id: JSON.parse(body).id })).toHaveLength(0);
    t.sandbox.setDown(false);
    const retried = await request(t.baseUrl).post('/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', sign()).send(body);
    expect(retried.status).toBe(200);
    expect(await statusOf(reference)).toBe('confirmed');
  });
});
