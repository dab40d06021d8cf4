import request from 'supertest';
import { writeTransaction } from '../../src/db/dialect';
import { findMismatches } from '../../src/finance/mismatches';
import { applyStripeState } from '../../src/payments/fulfil';
import { fetchStripeState } from '../../src/payments/stripe-state';
import { buildEvent, person } from '../support/factories';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * Trying to break the booking–payment seam: races between the buyer, Stripe's webhooks, the success page and the
 * sweeper; late and out-of-order news; what the buyer sees at each step.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterEach(() => {
  t.clock.set('2026-03-02T12:00:00Z');
  t.sandbox.setDelivery({ hold: false, duplicates: 1 });
  t.sandbox.setDown(false);
});
afterAll(async () => {
  await t.close();
});

async function book(slug: string, ticketTypeId: number, who: string) {
  const p = person(who);
  const res = await request(t.baseUrl).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId, attendee: p }] });
  expect(res.status).toBe(201);
  const manage = new URL(res.body.booking.manageUrl);
  return { reference: res.body.booking.reference as string, sessionId: sessionIdOf(res.body.booking.checkoutUrl), token: manage.searchParams.get('token')! };
}

async function stripeSessionsOf(reference: string) {
  return (await t.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.client_reference_id === reference);
}

function seminar(capacity = 5) {
  return buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity });
}

describe('the buyer gives up before paying', () => {
  it('when the buyer cancels a hold they have not paid, then the booking is cancelled (not "expired, not paid in time"), the page says so, and the seat is free', async () => {
    const event = await seminar(1);
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'gives-up');

    const res = await request(t.baseUrl).post(`/bookings/${buyer.reference}/cancel`).type('form').send({ token: buyer.token });
    await t.sandbox.flush();

    expect(res.status).toBe(200);
    expect(res.text).toContain('<strong>Cancelled</strong>');
    expect(res.text).not.toContain('not paid in time');
    expect(res.text).toContain('Nothing has been charged, and the places we were holding for you have been released.');
    expect(res.text).not.toContain('left the waitlist');
    const row = await t.db('bookings').where({ reference: buyer.reference }).first();
    expect(row).toMatchObject({ status: 'cancelled', cancel_reason: 'Cancelled by the buyer before paying' });
    expect((await t.stripe.checkout.sessions.retrieve(buyer.sessionId)).status).toBe('expired');
    expect((await request(t.baseUrl).get(`/api/v1/events/${event.slug}`)).body.event.remaining).toBe(1);
  });
});

describe('the pay link while Stripe’s news is on its way', () => {
  it('when the buyer has paid but the webhook is late and they open the pay link again, then no second checkout is started and the link shows the booking, confirmed', async () => {
    const event = await seminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'paid-link-again');
    t.sandbox.setDelivery({ hold: true });
    t.sandbox.pay(buyer.sessionId);

    const again = await request(t.baseUrl).get(`/bookings/${buyer.reference}/pay?token=${buyer.token}`);

    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/bookings/${buyer.reference}?token=${buyer.token}`);
    expect(await stripeSessionsOf(buyer.reference)).toHaveLength(1);
    const page = await request(t.baseUrl).get(again.headers.location).expect(200);
    expect(page.text).toContain('<strong>Confirmed</strong>');
    expect(page.text).not.toContain('Pay now');
    t.sandbox.setDelivery({ hold: false });
    t.sandbox.releaseHeld();
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    expect(await t.db('payments').where({ booking_id: booking.id })).toHaveLength(1);
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(0);
  });

  it('when a bank debit was just submitted and its webhook is late, then the pay link starts no second checkout and shows the payment as processing', async () => {
    const event = await seminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'debit-link-again');
    t.sandbox.setDelivery({ hold: true });
    t.sandbox.pay(buyer.sessionId, { async: 'succeed', deferSettlement: true });

    const again = await request(t.baseUrl).get(`/bookings/${buyer.reference}/pay?token=${buyer.token}`);

    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/bookings/${buyer.reference}?token=${buyer.token}`);
    expect(await stripeSessionsOf(buyer.reference)).toHaveLength(1);
    const page = await request(t.baseUrl).get(again.headers.location).expect(200);
    expect(page.text).toContain('Payment processing');
    expect(page.text).not.toContain('Pay now');
  });
});

describe('news from Stripe that arrives out of date', () => {
  it('when a webhook read the dispute while it was open but is applied after the dispute closed as lost, then the dispute stays lost (never reopened)', async () => {
    const event = await seminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'stale-dispute');
    t.sandbox.pay(buyer.sessionId);
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    const payment = await t.db('payments').where({ booking_id: booking.id }).first();
    const dispute = t.sandbox.dispute(payment.stripe_charge_id);
    await t.sandbox.flush();
    // One webhook handler reads Stripe's state (the dispute open) and is slow to apply it; meanwhile the dispute
    // closes and that news is applied first.
    const readWhileOpen = await fetchStripeState(t.stripe, buyer.sessionId);
    t.sandbox.closeDispute(dispute.id, 'lost');
    await t.sandbox.flush();
    expect((await t.db('disputes').where({ stripe_dispute_id: dispute.id }).first()).status).toBe('lost');

    await writeTransaction(t.db, (trx) => applyStripeState(trx, t.ctx, booking.id, readWhileOpen));

    expect((await t.db('disputes').where({ stripe_dispute_id: dispute.id }).first()).status).toBe('lost');
    expect(await findMismatches(t.ctx)).not.toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'dispute_open' })]));
  });
});
