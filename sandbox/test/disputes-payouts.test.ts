import Stripe from 'stripe';
import { stripeErrorOf, TICKET_SESSION, useSandbox } from './helpers';

describe('payments sandbox: disputes and payouts', () => {
  const box = useSandbox({ webhooks: true });

  async function paidChargeId(): Promise<string> {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);
    const intent = await box.stripe.paymentIntents.retrieve(String(box.sandbox.pay(session.id).payment_intent));
    return String(intent.latest_charge);
  }

  test('when a charge is disputed, then the amount and the £20 fee leave the balance and charge.dispute.created is sent', async () => {
    const chargeId = await paidChargeId();
    await box.sandbox.flush();
    box.receiver.received.length = 0;

    const dispute = box.sandbox.dispute(chargeId);
    await box.sandbox.flush();

    expect(dispute).toMatchObject({ object: 'dispute', charge: chargeId, amount: 5500, status: 'needs_response', currency: 'gbp' });
    expect(box.receiver.types()).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn']);
    expect((await box.stripe.charges.retrieve(chargeId)).disputed).toBe(true);
    const withdrawals = await box.stripe.balanceTransactions.list({ type: 'adjustment' });
    expect(withdrawals.data).toHaveLength(1);
    expect(withdrawals.data[0]).toMatchObject({ reporting_category: 'dispute', amount: -5500, fee: 2000, net: -7500, source: dispute.id });
    const refund = await stripeErrorOf(box.stripe.refunds.create({ charge: chargeId }));
    expect(refund.code).toBe('charge_disputed');
  });

  test('when a dispute is lost, then it closes as lost and the withdrawal stands', async () => {
    const dispute = box.sandbox.dispute(await paidChargeId());

    const closed = box.sandbox.closeDispute(dispute.id, 'lost');
    await box.sandbox.flush();

    expect(closed.status).toBe('lost');
    expect((await box.stripe.disputes.retrieve(dispute.id)).status).toBe('lost');
    expect(box.receiver.types().at(-1)).toBe('charge.dispute.closed');
    const adjustments = await box.stripe.balanceTransactions.list({ type: 'adjustment' });
    expect(adjustments.data.map((t) => t.net)).toEqual([-7500]);
  });

  test('when a dispute is won, then the amount is reinstated but not the fee', async () => {
    const dispute = box.sandbox.dispute(await paidChargeId());

    box.sandbox.closeDispute(dispute.id, 'won');

    const adjustments = await box.stripe.balanceTransactions.list({ type: 'adjustment' });
    expect(adjustments.data.map((t) => [t.reporting_category, t.net])).toEqual([
      ['dispute_reversal', 5500],
      ['dispute', -7500],
    ]);
    expect(() => box.sandbox.closeDispute(dispute.id, 'lost')).toThrow('already closed');
  });

  test('when a payout is made, then it groups every unpaid transaction and its amount is the sum of their nets', async () => {
    const firstCharge = await paidChargeId();
    await paidChargeId();
    await box.stripe.refunds.create({ charge: firstCharge, amount: 1000 });
    const before = await box.stripe.balanceTransactions.list();
    const expectedNet = before.data.reduce((sum, txn) => sum + txn.net, 0);

    const payout = box.sandbox.createPayout();
    await box.sandbox.flush();

    const fee = Math.round(5500 * 0.015) + 20;
    expect(expectedNet).toBe(2 * (5500 - fee) - 1000);
    expect(payout).toMatchObject({ object: 'payout', amount: expectedNet, status: 'paid', reconciliation_status: 'completed', automatic: true });
    const grouped = await box.stripe.balanceTransactions.list({ payout: payout.id, limit: 100 });
    expect(grouped.data).toHaveLength(4);
    const own = grouped.data.find((txn) => txn.type === 'payout');
    expect(own).toMatchObject({ id: payout.balance_transaction, reporting_category: 'payout', amount: -expectedNet, source: payout.id });
    expect(grouped.data.filter((txn) => txn.type !== 'payout').reduce((sum, txn) => sum + txn.net, 0)).toBe(payout.amount);
    expect(box.receiver.types()).toEqual(expect.arrayContaining(['payout.created', 'payout.paid']));
    expect((await box.stripe.payouts.list({ status: 'paid' })).data.map((p) => p.id)).toEqual([payout.id]);
  });

  test('when a second payout is made, then it only takes transactions since the first', async () => {
    await paidChargeId();
    const first = box.sandbox.createPayout();
    const planted = box.sandbox.createCharge({ amount: 2000, metadata: { note: 'payment link, no booking' } });

    const second = box.sandbox.createPayout();

    expect(second.amount).toBe(planted.balanceTransaction.net);
    const grouped = await box.stripe.balanceTransactions.list({ payout: second.id });
    expect(grouped.data.map((t) => t.type).sort()).toEqual(['charge', 'payout']);
    expect((await box.stripe.balanceTransactions.list({ payout: first.id })).data).toHaveLength(2);
    expect(() => box.sandbox.createPayout()).toThrow('Nothing to pay out');
  });

  test('when balance transactions are listed with expand data.source, then each source is the charge or refund object', async () => {
    const chargeId = await paidChargeId();
    await box.stripe.refunds.create({ charge: chargeId, amount: 100 });

    const list = await box.stripe.balanceTransactions.list({ expand: ['data.source'] });

    const sources = list.data.map((txn) => txn.source as Stripe.Charge | Stripe.Refund);
    expect(sources.map((source) => [source.object, source.id.slice(0, 3)])).toEqual([
      ['refund', 're_'],
      ['charge', 'ch_'],
    ]);
  });

  test('when a payment with no booking is planted, then it looks like any succeeded payment with its metadata', async () => {
    const planted = box.sandbox.createCharge({ amount: 4200, metadata: { source: 'payment_link' }, email: 'walk-in@example.org' });

    const charge = await box.stripe.charges.retrieve(planted.charge.id);
    const intent = await box.stripe.paymentIntents.retrieve(planted.paymentIntent.id);

    expect(charge).toMatchObject({ amount: 4200, paid: true, metadata: { source: 'payment_link' }, payment_intent: intent.id });
    expect(charge.billing_details.email).toBe('walk-in@example.org');
    expect(intent.status).toBe('succeeded');
    expect(planted.balanceTransaction.net).toBe(4200 - (Math.round(4200 * 0.015) + 20));
  });
});
