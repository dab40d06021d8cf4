import request from 'supertest';
import Stripe from 'stripe';
import { FakeClock, TICKET_SESSION, useSandbox } from './helpers';

describe('payments sandbox: hosted checkout page and payment outcomes', () => {
  const clock = new FakeClock();
  const box = useSandbox({ now: clock.now, webhooks: true });

  test('when the checkout page is opened, then it is labelled a test payment and shows items, quantities, total and email', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    const page = await request(box.sandbox.url).get(`/checkout/${session.id}`);

    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('TEST PAYMENT — sandbox, no real money is taken');
    expect(page.text).toContain('Autumn seminar — member');
    expect(page.text).toMatch(/<td class="num">2<\/td><td class="num">£12\.50<\/td><td class="num">£25\.00<\/td>/);
    expect(page.text).toContain('<strong>£55.00</strong>');
    expect(page.text).toContain('ada@example.org');
    expect(page.text).toMatch(/<button type="submit" class="primary">Pay £55\.00<\/button>/);
    expect(page.text).toContain('>Decline</button>');
    expect(page.text).toContain('>Cancel</button>');
  });

  test('when item names contain HTML, then the page escapes them', async () => {
    const session = await box.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ quantity: 1, price_data: { currency: 'gbp', unit_amount: 500, product_data: { name: '<script>alert("x")</script>' } } }],
    });

    const page = await request(box.sandbox.url).get(`/checkout/${session.id}`);

    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('&#60;script&#62;alert(&#34;x&#34;)');
  });

  test('when Pay is pressed, then the buyer is sent to success_url with the session id, and the payment is recorded like Stripe', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    const res = await request(box.sandbox.url).post(`/checkout/${session.id}/pay`);

    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`http://app.test/bookings/BK-1001/paid?session_id=${session.id}`);
    const paid = await box.stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent.latest_charge'] });
    expect(paid.status).toBe('complete');
    expect(paid.payment_status).toBe('paid');
    expect(paid.customer_details?.email).toBe('ada@example.org');
    const intent = paid.payment_intent as Stripe.PaymentIntent;
    expect(intent.status).toBe('succeeded');
    expect(intent.amount_received).toBe(5500);
    expect(intent.metadata).toEqual({ booking_id: '42', booking_reference: 'BK-1001' });
    const charge = intent.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ paid: true, captured: true, status: 'succeeded', amount: 5500, payment_intent: intent.id });
    expect(charge.billing_details.email).toBe('ada@example.org');
    const txn = await box.stripe.balanceTransactions.retrieve(String(charge.balance_transaction));
    const fee = Math.round(5500 * 0.015) + 20;
    expect(txn).toMatchObject({ type: 'charge', reporting_category: 'charge', amount: 5500, fee, net: 5500 - fee, source: charge.id, currency: 'gbp', status: 'pending' });
    expect(txn.fee_details).toEqual([expect.objectContaining({ type: 'stripe_fee', amount: fee })]);
    expect(txn.available_on).toBe(clock.seconds() + 2 * 24 * 3600);
  });

  test('when Pay is pressed, then a checkout.session.completed webhook arrives that the SDK verifies', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    await request(box.sandbox.url).post(`/checkout/${session.id}/pay`);
    await box.sandbox.flush();

    expect(box.receiver.rejected).toEqual([]);
    expect(box.receiver.types()).toEqual(['payment_intent.succeeded', 'checkout.session.completed']);
    const completed = box.receiver.received[1].event;
    expect(completed).toMatchObject({ object: 'event', api_version: '2026-10-28.endive', livemode: false, pending_webhooks: 1 });
    expect(completed.id).toMatch(/^evt_/);
    const object = completed.data.object as Stripe.Checkout.Session;
    expect(object.id).toBe(session.id);
    expect(object.payment_status).toBe('paid');
    expect(object.metadata).toEqual({ booking_id: '42' });
    expect(box.sandbox.deliveries().map((d) => d.status)).toEqual([200, 200]);
  });

  test('when the session is already paid, then the page says so and Pay is refused', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);
    box.sandbox.pay(session.id);

    const page = await request(box.sandbox.url).get(`/checkout/${session.id}`);
    const payAgain = await request(box.sandbox.url).post(`/checkout/${session.id}/pay`);

    expect(page.text).toContain('already been completed');
    expect(page.text).not.toContain('<button');
    expect(payAgain.status).toBe(409);
    expect((await box.stripe.charges.list()).data).toHaveLength(1);
  });

  test('when the session has expired, then the page says so and Pay is refused', async () => {
    const session = await box.stripe.checkout.sessions.create({ ...TICKET_SESSION, expires_at: clock.seconds() + 1800 });
    clock.advance(1801 * 1000);

    const page = await request(box.sandbox.url).get(`/checkout/${session.id}`);
    const pay = await request(box.sandbox.url).post(`/checkout/${session.id}/pay`);

    expect(page.text).toContain('This checkout session has expired');
    expect(page.text).not.toContain('<button');
    expect(pay.status).toBe(409);
    expect((await box.stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
  });

  test('when Decline is pressed, then the page says the card was declined, the session stays open and payment_failed is sent', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    const page = await request(box.sandbox.url).post(`/checkout/${session.id}/decline`);
    await box.sandbox.flush();

    expect(page.status).toBe(200);
    expect(page.text).toContain('Your card was declined');
    const after = await box.stripe.checkout.sessions.retrieve(session.id);
    expect(after.status).toBe('open');
    expect(after.payment_status).toBe('unpaid');
    expect(box.receiver.types()).toEqual(['payment_intent.payment_failed']);
    const intent = box.receiver.received[0].event.data.object as Stripe.PaymentIntent;
    expect(intent.last_payment_error?.code).toBe('card_declined');
    expect(intent.metadata.booking_id).toBe('42');
  });

  test('when a declined buyer then pays, then the same PaymentIntent succeeds', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);
    const declined = box.sandbox.decline(session.id);

    const paid = box.sandbox.pay(session.id);

    expect(paid.payment_intent).toBe(declined.id);
    expect((await box.stripe.paymentIntents.retrieve(declined.id)).status).toBe('succeeded');
    const charges = await box.stripe.charges.list({ payment_intent: declined.id });
    expect(charges.data.map((c) => c.status)).toEqual(['succeeded', 'failed']);
  });

  test('when the buyer presses Pay on the declined page, then its form posts to the session and the payment completes', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);
    const declinedPage = await request(box.sandbox.url).post(`/checkout/${session.id}/decline`);

    const action = /<form method="post" action="([^"]+)"><button type="submit" class="primary">/.exec(declinedPage.text)?.[1] ?? '';
    const res = await request(box.sandbox.url).post(new URL(action).pathname);

    expect(action).toBe(`${box.sandbox.url}/checkout/${session.id}/pay`);
    expect(res.status).toBe(303);
    expect((await box.stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');
  });

  test('when Cancel is pressed, then the buyer goes to cancel_url and the session stays open', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    const res = await request(box.sandbox.url).post(`/checkout/${session.id}/cancel`);

    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('http://app.test/bookings/BK-1001/cancelled');
    expect((await box.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  test('when an async payment succeeds, then the session completes unpaid first and is paid after async_payment_succeeded', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    box.sandbox.pay(session.id, { async: 'succeed', deferSettlement: true });
    const pending = await box.stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    box.sandbox.settleAsyncPayment(session.id);
    await box.sandbox.flush();

    expect(pending.status).toBe('complete');
    expect(pending.payment_status).toBe('unpaid');
    expect((pending.payment_intent as Stripe.PaymentIntent).status).toBe('processing');
    expect(box.receiver.types()).toEqual(['checkout.session.completed', 'payment_intent.succeeded', 'checkout.session.async_payment_succeeded']);
    expect((box.receiver.received[0].event.data.object as Stripe.Checkout.Session).payment_status).toBe('unpaid');
    expect((box.receiver.received[2].event.data.object as Stripe.Checkout.Session).payment_status).toBe('paid');
  });

  test('when an async payment fails, then async_payment_failed follows completion and nothing is charged', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    box.sandbox.pay(session.id, { async: 'fail' });
    await box.sandbox.flush();

    expect(box.receiver.types()).toEqual(['checkout.session.completed', 'payment_intent.payment_failed', 'checkout.session.async_payment_failed']);
    const after = await box.stripe.checkout.sessions.retrieve(session.id);
    expect(after.payment_status).toBe('unpaid');
    expect((await box.stripe.balanceTransactions.list()).data).toHaveLength(0);
  });

  test('when an unknown session page is opened, then it is a 404 page', async () => {
    const page = await request(box.sandbox.url).get('/checkout/cs_test_missing');

    expect(page.status).toBe(404);
    expect(page.text).toContain('Checkout session not found');
  });
});
