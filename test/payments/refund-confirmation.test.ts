import request from 'supertest';
import { processPendingRefunds } from '../../src/payments/refunds';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { buildEvent, person } from '../support/factories';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { confirmThroughReview } from '../finance/support';

/**
 * A refund is `requested` until Stripe confirms it, the buyer hears only then, a refund made in Stripe's dashboard is
 * matched against ours so nothing is counted twice, and a payment's refunded total can never exceed its amount.
 */

let t: PaymentsTestApp;
let treasurer: SignedIn;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  treasurer = await signIn(t.server, (await createStaff(t, 'treasurer')).email);
});
afterEach(() => {
  t.sandbox.setDown(false);
});
afterAll(async () => {
  await t.close();
});

/** A £45 place at a seminar, paid by card through the sandbox. */
async function paidBooking(who: string) {
  const event = await buildEvent(t.db, paidEvent([{ name: 'Standard', price: 4500 }]));
  const p = person(who);
  const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: p }] });
  t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
  await t.sandbox.flush();
  const booking = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
  const payment = await t.db('payments').where({ booking_id: booking.id }).first();
  return { reference: booking.reference as string, bookingId: Number(booking.id), payment, email: p.email };
}

function refundMailsTo(email: string) {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(email) && /refund/i.test(m.subject ?? ''));
}

describe('a staff refund while Stripe cannot be reached', () => {
  it('when the treasurer refunds £10 while Stripe is down, then it shows as requested (not sent) and the buyer is not emailed; when the whole £45 is then refunded in the Stripe dashboard, then £45 is refunded in all (never £55) and the unsent refund is withdrawn', async () => {
    const { reference, bookingId, payment, email } = await paidBooking('refund-down');

    t.sandbox.setDown(true);
    const { done: res } = await confirmThroughReview(treasurer.agent, `/admin/finance/bookings/${reference}/refund`, { _csrf: treasurer.csrf, amount: '10.00', reason: 'Goodwill: the room was cold' });
    expect(res.status).toBe(303);
    const page = await treasurer.agent.get(res.headers.location).expect(200);
    expect(page.text).not.toMatch(/sent to Stripe/i);
    expect(page.text).toMatch(/<td>requested(<br>|<\/td>)/);
    const [requested] = await t.db('refunds').where({ booking_id: bookingId });
    expect(requested).toMatchObject({ amount: 1000, status: 'requested', stripe_refund_id: null });
    await t.sendMail();
    expect(refundMailsTo(email)).toEqual([]);

    t.sandbox.setDown(false);
    t.sandbox.refundFromDashboard(payment.stripe_payment_intent_id);
    await t.sandbox.flush();
    await processPendingRefunds(t.ctx);
    await t.sandbox.flush();

    const charge = await t.stripe.charges.retrieve(payment.stripe_charge_id);
    expect(charge.amount_refunded).toBe(4500);
    const after = await t.db('payments').where({ id: payment.id }).first();
    expect(after).toMatchObject({ amount: 4500, amount_refunded: 4500, status: 'refunded' });
    expect((await t.db('bookings').where({ id: bookingId }).first()).refunded_total).toBe(4500);
    const refunds = await t.db('refunds').where({ booking_id: bookingId }).orderBy('id');
    expect(refunds.map((r) => [r.amount, r.status, r.initiated_by])).toEqual([
      [1000, 'canceled', 'staff'],
      [4500, 'succeeded', 'dashboard'],
    ]);
    const finance = await treasurer.agent.get(`/admin/finance/bookings/${reference}`).expect(200);
    expect(finance.text).toContain('Refunded: £45.00');
    await t.sendMail();
    expect(refundMailsTo(email)).toEqual([]);
  });

  it('when Stripe comes back before anyone refunds in the dashboard, then the refunds job sends it and only then is the buyer emailed', async () => {
    const { reference, bookingId, payment, email } = await paidBooking('refund-later');
    t.sandbox.setDown(true);
    expect((await confirmThroughReview(treasurer.agent, `/admin/finance/bookings/${reference}/refund`, { _csrf: treasurer.csrf, amount: '10.00', reason: 'Goodwill' })).done.status).toBe(303);
    await processPendingRefunds(t.ctx);
    await t.sendMail();
    expect(refundMailsTo(email)).toEqual([]);

    t.sandbox.setDown(false);
    await processPendingRefunds(t.ctx);
    await t.sandbox.flush();
    await t.sendMail();

    expect((await t.db('refunds').where({ booking_id: bookingId }).first()).status).toBe('succeeded');
    expect((await t.stripe.charges.retrieve(payment.stripe_charge_id)).amount_refunded).toBe(1000);
    expect(refundMailsTo(email).map((m) => m.subject)).toEqual([expect.stringMatching(new RegExp(`^Refund for booking ${reference}`))]);
    expect(refundMailsTo(email)[0].text).toContain('£10.00');
  });
});

describe('the refunded total is checked by the database', () => {
  it('when anything sets a payment’s refunded amount above what was paid, then the database refuses it', async () => {
    const { payment } = await paidBooking('refund-cap');
    const refusal = (amountRefunded: number) =>
      t.db('payments')
        .where({ id: payment.id })
        .update({ amount_refunded: amountRefunded })
        .then(
          () => 'accepted',
          (error: unknown) => String((error as { message?: string })?.message ?? error),
        );
    expect(await refusal(payment.amount + 1)).toMatch(/payments_refund_cap/);
    expect(await refusal(-1)).toMatch(/payments_refund_cap/);
    expect((await t.db('payments').where({ id: payment.id }).first()).amount_refunded).toBe(0);
    await t.db('payments').where({ id: payment.id }).update({ amount_refunded: payment.amount });
    expect((await t.db('payments').where({ id: payment.id }).first()).amount_refunded).toBe(payment.amount);
  });
});
