import request from 'supertest';
import Stripe from 'stripe';
import { stripeErrorOf, TICKET_SESSION, useSandbox } from './helpers';

describe('payments sandbox: errors, auth and injected failures', () => {
  const box = useSandbox();

  test('when failNext(1) is set, then the next SDK call throws StripeAPIError 500 and the one after succeeds', async () => {
    box.sandbox.failNext(1, { status: 500 });

    const err = await stripeErrorOf(box.stripe.checkout.sessions.create(TICKET_SESSION));
    const ok = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.statusCode).toBe(500);
    expect(err.raw).toMatchObject({ type: 'api_error' });
    expect(ok.status).toBe('open');
    expect((await box.stripe.checkout.sessions.list()).data).toHaveLength(1);
  });

  test('when a request failed by injection is retried with the same idempotency key, then it runs for real', async () => {
    box.sandbox.failNext(1, { status: 503 });
    const failed = await stripeErrorOf(box.stripe.checkout.sessions.create(TICKET_SESSION, { idempotencyKey: 'retry-me' }));

    const retried = await box.stripe.checkout.sessions.create(TICKET_SESSION, { idempotencyKey: 'retry-me' });

    expect(failed.statusCode).toBe(503);
    expect(retried.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(retried.status).toBe('open');
  });

  test('when the API is down, then the SDK fails fast with a connection error, and the hosted page still works', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);
    box.sandbox.setDown(true);

    const started = Date.now();
    const err = await stripeErrorOf(box.stripe.checkout.sessions.retrieve(session.id));
    const page = await request(box.sandbox.url).get(`/checkout/${session.id}`);
    box.sandbox.setDown(false);
    const back = await box.stripe.checkout.sessions.retrieve(session.id);

    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(page.status).toBe(200);
    expect(back.id).toBe(session.id);
  });

  test('when no API key or a live key is sent, then it is a 401 that the SDK reports as an authentication error', async () => {
    const live = new Stripe('sk_live_abcdefghijkl', { host: box.sandbox.host, port: box.sandbox.port, protocol: 'http', maxNetworkRetries: 0 });

    const liveErr = await stripeErrorOf(live.charges.list());
    const bare = await request(box.sandbox.url).get('/v1/charges');

    expect(liveErr).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(liveErr.statusCode).toBe(401);
    expect(liveErr.message).not.toContain('abcdefgh');
    expect(bare.status).toBe(401);
    expect(bare.body.error.type).toBe('invalid_request_error');
  });

  test('when curl-style basic auth is used, then the key is accepted', async () => {
    const res = await request(box.sandbox.url).get('/v1/charges').auth('sk_test_curl', '');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: 'list', data: [], has_more: false, url: '/v1/charges' });
  });

  test('when an unknown route is called, then it is a Stripe-shaped 404', async () => {
    const api = await request(box.sandbox.url).post('/v1/customers').set('Authorization', 'Bearer sk_test_x');
    const other = await request(box.sandbox.url).get('/nowhere');

    expect(api.status).toBe(404);
    expect(api.body.error).toEqual({
      type: 'invalid_request_error',
      message: expect.stringContaining('Unrecognized request URL (POST: /v1/customers)'),
    });
    expect(other.status).toBe(404);
    expect(other.body.error.type).toBe('invalid_request_error');
  });

  test('when the raw form uses expand[] and nested brackets, then the sandbox reads them like Stripe', async () => {
    const form = [
      'mode=payment',
      'line_items[0][quantity]=3',
      'line_items[0][price_data][currency]=GBP',
      'line_items[0][price_data][unit_amount]=700',
      'line_items[0][price_data][product_data][name]=Evening+meeting',
      'metadata[booking_id]=77',
      'expand[]=line_items',
    ].join('&');

    const res = await request(box.sandbox.url).post('/v1/checkout/sessions').auth('sk_test_x', '').type('form').send(form);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ amount_total: 2100, currency: 'gbp', metadata: { booking_id: '77' } });
    expect(res.body.line_items.data[0].description).toBe('Evening meeting');
  });

  test('when an integer param is not an integer, then it is a 400 naming the param', async () => {
    const res = await request(box.sandbox.url)
      .post('/v1/refunds')
      .auth('sk_test_x', '')
      .type('form')
      .send('payment_intent=pi_x&amount=12.50');

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'amount' });
  });

  test('when the control API is used over HTTP, then it drives the same sandbox', async () => {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    const paid = await request(box.sandbox.url).post(`/_sandbox/sessions/${session.id}/pay`).send({});
    const again = await request(box.sandbox.url).post(`/_sandbox/sessions/${session.id}/pay`).send({});
    const bad = await request(box.sandbox.url).post('/_sandbox/fail-next').send({ count: 'two' });

    expect(paid.status).toBe(200);
    expect(paid.body.payment_status).toBe('paid');
    expect(again.status).toBe(400);
    expect(bad.status).toBe(400);
    expect((await box.stripe.checkout.sessions.retrieve(session.id)).status).toBe('complete');
  });
});
