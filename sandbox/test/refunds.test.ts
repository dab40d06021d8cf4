import Stripe from 'stripe';
import { stripeErrorOf, TICKET_SESSION, useSandbox } from './helpers';

describe('payments sandbox: refunds', () => {
  const box = useSandbox({ webhooks: true });

  async function paidIntentId(): Promise<string> {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);
    return String(box.sandbox.pay(session.id).payment_intent);
  }

  test('when part of a payment is refunded, then the charge shows the refunded amount and a negative refund transaction exists', async () => {
    const intentId = await paidIntentId();

    const refund = await box.stripe.refunds.create({ payment_intent: intentId, amount: 1250, reason: 'requested_by_customer', metadata: { booking_id: '42' } });

    expect(refund).toMatchObject({ object: 'refund', amount: 1250, status: 'succeeded', payment_intent: intentId, reason: 'requested_by_customer', metadata: { booking_id: '42' } });
    const charge = await box.stripe.charges.retrieve(String(refund.charge));
    expect(charge.amount_refunded).toBe(1250);
    expect(charge.refunded).toBe(false);
    const txn = await box.stripe.balanceTransactions.retrieve(String(refund.balance_transaction));
    expect(txn).toMatchObject({ type: 'refund', reporting_category: 'refund', amount: -1250, fee: 0, net: -1250, source: refund.id });
  });

  test('when the rest is refunded with no amount, then the charge is fully refunded', async () => {
    const intentId = await paidIntentId();
    await box.stripe.refunds.create({ payment_intent: intentId, amount: 1000 });

    const rest = await box.stripe.refunds.create({ payment_intent: intentId });

    expect(rest.amount).toBe(4500);
    const charge = await box.stripe.charges.retrieve(String(rest.charge));
    expect(charge.amount_refunded).toBe(5500);
    expect(charge.refunded).toBe(true);
    const listed = await box.stripe.refunds.list({ payment_intent: intentId });
    expect(listed.data.map((r) => r.amount)).toEqual([4500, 1000]);
  });

  test('when more than the unrefunded amount is asked for, then it is a 400 and nothing changes', async () => {
    const intentId = await paidIntentId();
    await box.stripe.refunds.create({ payment_intent: intentId, amount: 5000 });

    const err = await stripeErrorOf(box.stripe.refunds.create({ payment_intent: intentId, amount: 501 }));

    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe('Refund amount (£5.01) is greater than unrefunded amount on charge (£5.00)');
    expect((await box.stripe.refunds.list()).data).toHaveLength(1);
  });

  test('when a fully refunded charge is refunded again, then it is a 400 charge_already_refunded', async () => {
    const intentId = await paidIntentId();
    const first = await box.stripe.refunds.create({ payment_intent: intentId });

    const err = await stripeErrorOf(box.stripe.refunds.create({ charge: String(first.charge) }));

    expect(err.code).toBe('charge_already_refunded');
  });

  test('when a refund is made by API, then its events quote the request and idempotency key', async () => {
    const intentId = await paidIntentId();
    await box.sandbox.flush();
    box.receiver.received.length = 0;

    const refund = await box.stripe.refunds.create({ payment_intent: intentId, amount: 500 }, { idempotencyKey: 'refund-42-1' });
    await box.sandbox.flush();

    expect(box.receiver.types()).toEqual(['refund.created', 'charge.refunded', 'refund.updated']);
    for (const { event } of box.receiver.received) expect(event.request?.idempotency_key).toBe('refund-42-1');
    expect(box.receiver.received[0].event.request?.id).toBe(refund.lastResponse.requestId);
  });

  test('when a refund is made in the dashboard, then charge.refunded, refund.created and refund.updated arrive with no request', async () => {
    const intentId = await paidIntentId();
    await box.sandbox.flush();
    box.receiver.received.length = 0;

    const refund = box.sandbox.refundFromDashboard(intentId, 2000);
    await box.sandbox.flush();

    expect(box.receiver.types()).toEqual(['refund.created', 'charge.refunded', 'refund.updated']);
    const charged = box.receiver.received[1].event as Stripe.ChargeRefundedEvent;
    expect(charged.data.object.amount_refunded).toBe(2000);
    expect(charged.data.previous_attributes).toEqual({ amount_refunded: 0, refunded: false });
    expect(charged.request).toEqual({ id: null, idempotency_key: null });
    const updated = box.receiver.received[2].event as Stripe.RefundUpdatedEvent;
    expect(updated.data.object.id).toBe(refund.id);
    expect(updated.data.object.destination_details?.card?.reference_status).toBe('available');
    expect((await box.stripe.refunds.retrieve(refund.id)).amount).toBe(2000);
  });

  test('when neither charge nor payment_intent is given, then it is a 400 parameter_missing', async () => {
    const err = await stripeErrorOf(box.stripe.refunds.create({ amount: 100 }));

    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('parameter_missing');
  });
});
