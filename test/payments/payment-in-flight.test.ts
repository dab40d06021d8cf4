import request from 'supertest';
import { expireLapsedHolds } from '../../src/payments/sweeper';
import { buildEvent, person } from '../support/factories';
import { sessionIdOf, paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * A booking must never be paid twice without the second payment coming back, and a payment in flight (a bank debit,
 * Pay by Bank: Stripe's checkout.session.completed with payment_status "unpaid") keeps the seats until it settles.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterEach(() => {
  t.clock.set('2026-03-02T12:00:00Z');
  t.sandbox.setDelivery({ hold: false, duplicates: 1 });
});
afterAll(async () => {
  await t.close();
});

async function oneSeatSeminar() {
  return buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 1 });
}

async function book(slug: string, ticketTypeId: number, who: string) {
  const p = person(who);
  const res = await request(t.baseUrl).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId, attendee: p }] });
  expect(res.status).toBe(201);
  const manage = new URL(res.body.booking.manageUrl);
  return {
    reference: res.body.booking.reference as string,
    status: res.body.booking.status as string,
    sessionId: res.body.booking.checkoutUrl ? sessionIdOf(res.body.booking.checkoutUrl) : null,
    token: manage.searchParams.get('token')!,
    managePath: `${manage.pathname}${manage.search}`,
  };
}

async function statusOf(reference: string) {
  return (await t.db('bookings').where({ reference }).first()).status as string;
}

async function seatsLeft(slug: string) {
  return (await request(t.baseUrl).get(`/api/v1/events/${slug}`)).body.event.remaining as number;
}

/** The Checkout Sessions Stripe holds for one booking (we put its reference in client_reference_id). */
async function stripeSessionsOf(reference: string) {
  const all = [];
  for await (const s of t.stripe.checkout.sessions.list({ limit: 100 })) if (s.client_reference_id === reference) all.push(s);
  return all;
}

function mailsTo(who: string) {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(person(who).email));
}

/** Where Stripe sends the buyer back after paying: the session's success_url with its id filled in. */
async function successPath(sessionId: string) {
  const session = await t.stripe.checkout.sessions.retrieve(sessionId);
  const url = new URL(String(session.success_url).replace('{CHECKOUT_SESSION_ID}', sessionId));
  return `${url.pathname}${url.search}`;
}

describe('a delayed payment in flight', () => {
  it('when a bank debit is processing, then the booking page says "Payment processing", offers no "Pay now", the pay link answers with the booking, and the seats stay held past the hold time until it succeeds', async () => {
    const event = await oneSeatSeminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'debit-ok');
    t.sandbox.pay(buyer.sessionId!, { async: 'succeed', deferSettlement: true });
    await t.sandbox.flush();

    const page = await request(t.baseUrl).get(buyer.managePath).expect(200);
    expect(page.text).toContain('Payment processing');
    expect(page.text).not.toContain('Pay now');
    expect(page.text).not.toContain(`/bookings/${buyer.reference}/pay`);

    const payLink = await request(t.baseUrl).get(`/bookings/${buyer.reference}/pay?token=${buyer.token}`);
    expect(payLink.status).toBe(303);
    expect(payLink.headers.location).toBe(`/bookings/${buyer.reference}?token=${buyer.token}`);
    expect(await stripeSessionsOf(buyer.reference)).toHaveLength(1);

    t.clock.advance(3 * 3600_000);
    await expireLapsedHolds(t.ctx);
    expect(await statusOf(buyer.reference)).toBe('pending_payment');
    expect(await seatsLeft(event.slug)).toBe(0);
    const next = await book(event.slug, event.ticketTypeIds[0], 'debit-ok-next');
    expect(next.status).toBe('waitlisted');

    t.sandbox.settleAsyncPayment(buyer.sessionId!, 'succeed');
    await t.sandbox.flush();
    expect(await statusOf(buyer.reference)).toBe('confirmed');
    expect(await statusOf(next.reference)).toBe('waitlisted');
    await t.sendMail();
    // The confirmation carries the receipt's lines (issue 15); the receipt PDF comes in an email of its own (issue 11).
    expect(mailsTo('debit-ok').map((m) => m.subject)).toEqual([expect.stringMatching(/^You're booked: .* \(receipt for HSUG-/), expect.stringMatching(/^Receipt HSUG-R-\d{4}-\d{4}: /)]);
  });

  it('when a processing bank debit fails after the hold time, then the seats are released, the waitlist is served and the buyer is told nothing was charged', async () => {
    const event = await oneSeatSeminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'debit-fail');
    t.sandbox.pay(buyer.sessionId!, { async: 'fail', deferSettlement: true });
    await t.sandbox.flush();
    const waiting = await book(event.slug, event.ticketTypeIds[0], 'debit-fail-waiting');
    expect(waiting.status).toBe('waitlisted');
    t.clock.advance(3 * 3600_000);
    await expireLapsedHolds(t.ctx);
    expect(await statusOf(buyer.reference)).toBe('pending_payment');
    expect(await seatsLeft(event.slug)).toBe(0);
    expect(await statusOf(waiting.reference)).toBe('waitlisted');

    t.sandbox.settleAsyncPayment(buyer.sessionId!, 'fail');
    await t.sandbox.flush();

    expect(await statusOf(buyer.reference)).toBe('expired');
    expect(await statusOf(waiting.reference)).toBe('pending_payment');
    await t.sendMail();
    const { title } = await t.db('events').where({ id: event.id }).first();
    expect(mailsTo('debit-fail').map((m) => m.subject)).toContain(`Your payment did not go through: ${title}`);
    expect(mailsTo('debit-fail-waiting').map((m) => m.subject)).toContain(`A place has come up — pay to confirm it: ${title}`);
    const page = await request(t.baseUrl).get(buyer.managePath).expect(200);
    expect(page.text).not.toContain('Payment processing');
  });
});

describe('a booking paid twice', () => {
  it('when two checkout attempts of one booking are both paid, then the second payment is recorded against the booking, refunded in full, the buyer is told, and its success page shows the booking', async () => {
    const event = await oneSeatSeminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'twice');
    // The buyer comes back through the pay link while Stripe cannot be read (the SDK retries once): a second checkout
    // is started, and the first tab is still open on the old one. They pay in both.
    t.sandbox.failNext(2, { status: 500 });
    const resumed = await request(t.baseUrl).get(`/bookings/${buyer.reference}/pay?token=${buyer.token}`);
    expect(resumed.status).toBe(303);
    const secondId = sessionIdOf(resumed.headers.location);
    expect(secondId).not.toBe(buyer.sessionId);
    t.sandbox.pay(buyer.sessionId!);
    t.sandbox.pay(secondId);
    await t.sandbox.flush();

    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    expect(booking.status).toBe('confirmed');
    const payments = await t.db('payments').where({ booking_id: booking.id }).orderBy('id');
    expect(payments.map((p) => p.amount)).toEqual([5000, 5000]);
    const second = payments.find((p) => p.stripe_payment_intent_id !== booking.stripe_payment_intent_id)!;
    expect(second.refund_because).toBe('duplicate');
    const refunds = await t.db('refunds').where({ payment_id: second.id });
    expect(refunds).toEqual([expect.objectContaining({ amount: 5000, initiated_by: 'system' })]);
    expect(['succeeded', 'pending']).toContain(refunds[0].status);
    const intent = await t.stripe.paymentIntents.retrieve(second.stripe_payment_intent_id, { expand: ['latest_charge'] });
    expect((intent.latest_charge as { amount_refunded: number }).amount_refunded).toBe(5000);
    const kept = await t.stripe.paymentIntents.retrieve(booking.stripe_payment_intent_id, { expand: ['latest_charge'] });
    expect((kept.latest_charge as { amount_refunded: number }).amount_refunded).toBe(0);
    expect(await t.db('refunds').where({ payment_id: payments.find((p) => p.id !== second.id)!.id })).toHaveLength(0);

    await t.sendMail();
    const told = mailsTo('twice').find((m) => m.subject?.startsWith(`Second payment refunded for booking ${buyer.reference}`));
    expect(told?.text).toContain('£50.00');

    const secondSession = second.stripe_checkout_session_id as string;
    const back = await request(t.baseUrl).get(await successPath(secondSession));
    expect(back.status).toBe(303);
    const shown = await request(t.baseUrl).get(back.headers.location).expect(200);
    expect(shown.text).toContain(`Your booking ${buyer.reference}`);
    expect(shown.text).toContain('<strong>Confirmed</strong>');
    expect(shown.text).not.toContain('could not find');
  });
});
