import Stripe from 'stripe';
import { FakeClock, startTestSandbox, stripeErrorOf, stripeFor, TICKET_SESSION, useSandbox, waitUntil, WebhookReceiver } from './helpers';

describe('payments sandbox: checkout sessions over the Stripe SDK', () => {
  const clock = new FakeClock();
  const box = useSandbox({ now: clock.now });

  test('when a session is created with line items and metadata, then it is open, unpaid and totals the items', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    expect(session.id).toMatch(/^cs_test_/);
    expect(session.object).toBe('checkout.session');
    expect(session.status).toBe('open');
    expect(session.payment_status).toBe('unpaid');
    expect(session.amount_total).toBe(2 * 1250 + 3000);
    expect(session.currency).toBe('gbp');
    expect(session.metadata).toEqual({ booking_id: '42' });
    expect(session.client_reference_id).toBe('BK-1001');
    expect(session.customer_email).toBe('ada@example.org');
    expect(session.url).toBe(`${box.sandbox.url}/checkout/${session.id}`);
    expect(session.created).toBe(clock.seconds());
    expect(session.expires_at).toBe(clock.seconds() + 24 * 3600);
    expect(session.payment_intent).toBeNull();
    expect(session.livemode).toBe(false);
  });

  test('when a session is retrieved, then it matches what was created', async () => {
    const created = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    const fetched = await box.stripe.checkout.sessions.retrieve(created.id);

    expect(fetched).toEqual(created);
  });

  test('when line items are listed, then each has its quantity, unit price and product name', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    const items = await box.stripe.checkout.sessions.listLineItems(session.id);

    expect(items.object).toBe('list');
    expect(items.data.map((item) => [item.description, item.quantity, item.price?.unit_amount, item.amount_total])).toEqual([
      ['Autumn seminar — member', 2, 1250, 2500],
      ['Autumn seminar — non-member', 1, 3000, 3000],
    ]);
    expect(items.data[0].object).toBe('item');
  });

  test('when a session is retrieved with expand line_items, then the items come inline', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    const fetched = await box.stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] });

    expect(fetched.line_items?.data).toHaveLength(2);
  });

  test('when an open session is expired, then it is expired with no url, and expiring again is a 400', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    const expired = await box.stripe.checkout.sessions.expire(session.id);

    expect(expired.status).toBe('expired');
    expect(expired.url).toBeNull();
    const again = await stripeErrorOf(box.stripe.checkout.sessions.expire(session.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again.statusCode).toBe(400);
    expect(again.message).toContain('"expired"');
    expect(box.sandbox.events('checkout.session.expired')).toHaveLength(1);
  });

  test('when sessions are listed by status and payment intent, then only matching ones come back, newest first', async () => {
    const first = await box.stripe.checkout.sessions.create(TICKET_SESSION);
    clock.advance(1000);
    const second = await box.stripe.checkout.sessions.create(TICKET_SESSION);
    clock.advance(1000);
    const third = await box.stripe.checkout.sessions.create(TICKET_SESSION);
    await box.stripe.checkout.sessions.expire(second.id);
    const paid = box.sandbox.pay(third.id);

    const open = await box.stripe.checkout.sessions.list({ status: 'open' });
    const all = await box.stripe.checkout.sessions.list();
    const byIntent = await box.stripe.checkout.sessions.list({ payment_intent: String(paid.payment_intent) });

    expect(open.data.map((s) => s.id)).toEqual([first.id]);
    expect(all.data.map((s) => s.id)).toEqual([third.id, second.id, first.id]);
    expect(all.url).toBe('/v1/checkout/sessions');
    expect(byIntent.data.map((s) => s.id)).toEqual([third.id]);
  });

  test('when expires_at is under 30 minutes or over 24 hours ahead, then Stripe rejects it with param expires_at', async () => {
    const now = clock.seconds();
    const tooSoon = await stripeErrorOf(box.stripe.checkout.sessions.create({ ...TICKET_SESSION, expires_at: now + 29 * 60 }));
    const tooLate = await stripeErrorOf(box.stripe.checkout.sessions.create({ ...TICKET_SESSION, expires_at: now + 24 * 3600 + 1 }));
    const justRight = await box.stripe.checkout.sessions.create({ ...TICKET_SESSION, expires_at: now + 30 * 60 });

    for (const err of [tooSoon, tooLate]) {
      expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(err.param).toBe('expires_at');
    }
    expect(tooSoon.message).toContain('at least 30 minutes');
    expect(justRight.expires_at).toBe(now + 30 * 60);
  });

  test('when the clock passes expires_at, then the next read finds the session expired and an event is recorded', async () => {
    const session = await box.stripe.checkout.sessions.create({ ...TICKET_SESSION, expires_at: clock.seconds() + 1800 });

    clock.advance(1800 * 1000);
    const fetched = await box.stripe.checkout.sessions.retrieve(session.id);

    expect(fetched.status).toBe('expired');
    const [event] = box.sandbox.events('checkout.session.expired');
    expect((event.data.object as Stripe.Checkout.Session).id).toBe(session.id);
    expect(event.request).toEqual({ id: null, idempotency_key: null });
  });

  test('when the clock passes expires_at and nobody looks, then the sweep timer expires the session and sends the webhook', async () => {
    const receiver = new WebhookReceiver();
    const swept = await startTestSandbox({ now: clock.now, expirySweepMs: 10, webhookUrl: await receiver.start() });
    try {
      const session = await stripeFor(swept).checkout.sessions.create({ ...TICKET_SESSION, expires_at: clock.seconds() + 3600 });

      clock.advance(3600 * 1000);
      await waitUntil(() => receiver.received.length > 0);

      expect(receiver.types()).toEqual(['checkout.session.expired']);
      expect((receiver.received[0].event.data.object as Stripe.Checkout.Session).id).toBe(session.id);
    } finally {
      await swept.close();
      await receiver.close();
    }
  });

  test('when success_url is not an http(s) URL, then it is a 400 on success_url', async () => {
    const err = await stripeErrorOf(box.stripe.checkout.sessions.create({ ...TICKET_SESSION, success_url: 'javascript:alert(1)' }));

    expect(err.param).toBe('success_url');
  });

  test('when the session params are wrong, then the SDK gets a 400 naming the param', async () => {
    const missingQuantity = await stripeErrorOf(
      box.stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price_data: { currency: 'gbp', unit_amount: 100, product_data: { name: 'x' } } }] }),
    );
    // The stripe@23 types dropped this Checkout param; an app upgraded from older code might still send it.
    const withDroppedParam = { ...TICKET_SESSION, payment_method_types: ['card'] };
    const unknown = await stripeErrorOf(box.stripe.checkout.sessions.create(withDroppedParam));
    const subscription = await stripeErrorOf(
      box.stripe.checkout.sessions.create({ ...TICKET_SESSION, mode: 'subscription' }),
    );

    expect(missingQuantity.param).toBe('line_items[0][quantity]');
    expect(missingQuantity.message).toBe('Missing required param: line_items[0][quantity].');
    expect(unknown.param).toBe('payment_method_types');
    expect(unknown.message).toContain('Received unknown parameter');
    expect(subscription.param).toBe('mode');
    expect(subscription.type).toBe('StripeInvalidRequestError');
  });

  test('when a missing session is retrieved, then it is a 404 resource_missing', async () => {
    const err = await stripeErrorOf(box.stripe.checkout.sessions.retrieve('cs_test_nope'));

    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('resource_missing');
    expect(err.message).toBe("No such checkout.session: 'cs_test_nope'");
  });
});
